// What the Scan button makes of a QR code's text: a poster of this app's own service, a poster
// of another service (whose notices this app never receives), or nothing of use.

import { describe, expect, it } from "vitest";
import { posterInCode } from "../src/app/screens/scan.js";

const poster = "A".repeat(60);
const app = "https://checkin.example/v1/c";

describe("a scanned code", () => {
  it("is this service's poster when its address is the app's own", () => {
    expect(posterInCode(`${app}#${poster}`, app)).toEqual({ kind: "ours", poster });
    expect(posterInCode(`${app}/#${poster}`, app)).toEqual({ kind: "ours", poster });
  });

  it("is another service's poster when its address differs", () => {
    expect(posterInCode(`https://other.example/v1/c#${poster}`, app)).toEqual({ kind: "elsewhere", url: `https://other.example/v1/c#${poster}` });
    expect(posterInCode(`https://checkin.example/v2/c#${poster}`, app)?.kind).toBe("elsewhere");
  });

  it("is nothing of use without a poster, or over plain HTTP off this computer", () => {
    expect(posterInCode("https://example.com/menu", app)).toBeNull();
    expect(posterInCode(`${app}#short`, app)).toBeNull();
    expect(posterInCode(`http://checkin.example/v1/c#${poster}`, "http://checkin.example/v1/c")).toBeNull();
    expect(posterInCode(`http://127.0.0.1:8000/v1/c#${poster}`, "http://127.0.0.1:8000/v1/c")?.kind).toBe("ours");
    expect(posterInCode(`not a url#${poster}`, app)).toBeNull();
  });
});

// Posters (spec section 7) against spec/vectors/poster.json, every vector.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { base64url, hex, unhex } from "../src/protocol/bytes.js";
import {
  decodePoster,
  fingerprint,
  PosterError,
  posterFromText,
  validityProblem,
  venueId,
} from "../src/protocol/poster.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const v: any = JSON.parse(
  readFileSync(new URL("../../spec/vectors/poster.json", import.meta.url), "utf8"),
);

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof PosterError ? e.code : String(e);
  }
  return "accepted";
};

describe("poster.json", () => {
  test("valid posters decode to their fields, ids and fingerprints", () => {
    for (const w of v.valid) {
      const enc = unhex(w.encoding);
      const p = decodePoster(enc);
      expect(p.name).toBe(w.name);
      expect(p.address).toBe(w.address);
      expect(p.category).toBe(w.category);
      expect(p.defaultStayMinutes).toBe(w.default_stay_minutes);
      expect(p.validity?.from ?? null).toBe(w.valid_from ?? null);
      expect(p.validity?.until ?? null).toBe(w.valid_until ?? null);
      expect(hex(p.x25519Public)).toBe(w.x25519_public);
      expect(hex(p.ed25519Public)).toBe(w.ed25519_public);
      expect(hex(venueId(enc))).toBe(w.venue_id);
      expect(fingerprint(p)).toBe(w.fingerprint);
      expect(base64url(enc)).toBe(w.payload);
      expect(hex(posterFromText(w.url).encoding)).toBe(w.encoding);
      expect(hex(posterFromText(` ${w.payload}\n`).encoding)).toBe(w.encoding);
    }
  });
  test("validity checks", () => {
    for (const c of v.validity_checks) {
      const p = decodePoster(unhex(v.valid[c.poster].encoding));
      expect(validityProblem(p, c.now)).toBe(c.error ?? null);
    }
  });
  test("names with visible marks, variation selectors and joiners are kept", () => {
    for (const a of v.accepted_text) expect(decodePoster(unhex(a.encoding)).name).toBe(a.name);
  });
  const negatives: { name: string; encoding: string; error: string }[] = v.negative;
  test.each(negatives)("$name", ({ encoding, error }) => {
    expect(codeOf(() => decodePoster(unhex(encoding)))).toBe(error);
  });
  const texts: { name: string; text: string; error: string }[] = v.negative_text;
  test.each(texts)("$name", ({ text, error }) => {
    expect(codeOf(() => posterFromText(text))).toBe(error);
  });
});

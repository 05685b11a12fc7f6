// The diary at rest: its sealed size shows only a size bucket (as the command-line client's
// diary file), and a diary sealed by an earlier release, unpadded, still opens.

import { describe, expect, it } from "vitest";
import { bucket, emptyDiary, MIN_BUCKET, openDiary, pad, sealDiary, unpad, type Diary } from "../src/app/store.js";

const key = (): Promise<CryptoKey> => crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);

function withVisits(n: number): Diary {
  const d = emptyDiary();
  d.started = true;
  for (let i = 0; i < n; i++) {
    d.visits.push({
      id: crypto.randomUUID(),
      poster: "A".repeat(400),
      venue: `Venue ${i}`,
      arrival: 1_700_000_000 + i * 3600,
      departure: 1_700_000_000 + i * 3600 + 1800,
      autoDeparture: 1_700_000_000 + i * 3600 + 5400,
      share: i % 2 === 0,
      sealed: true,
      sealProblem: null,
    });
  }
  return d;
}

describe("the sealed diary", () => {
  it("an empty diary and one of twenty visits seal to the same size", async () => {
    const k = await key();
    const empty = await sealDiary(emptyDiary(), k);
    const twenty = await sealDiary(withVisits(20), k);
    expect(empty.ct.byteLength).toBe(MIN_BUCKET + 16);
    expect(twenty.ct.byteLength).toBe(empty.ct.byteLength);
  });

  it("a diary past the smallest bucket takes the next power of two", async () => {
    const d = withVisits(40);
    const json = new TextEncoder().encode(JSON.stringify(d)).length;
    expect(json).toBeGreaterThan(MIN_BUCKET);
    const sealed = await sealDiary(d, await key());
    expect(sealed.ct.byteLength).toBe(bucket(json) + 16);
    expect(bucket(json)).toBe(MIN_BUCKET * 2);
  });

  it("opens what it sealed", async () => {
    const k = await key();
    const d = withVisits(3);
    expect(await openDiary(await sealDiary(d, k), k)).toEqual(d);
  });

  it("opens a diary an earlier release sealed without padding", async () => {
    const k = await key();
    const d = withVisits(2);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k, new TextEncoder().encode(JSON.stringify(d)));
    expect(await openDiary({ iv, ct }, k)).toEqual(d);
  });

  it("refuses a frame whose length runs past the plaintext", () => {
    const framed = pad(new TextEncoder().encode("{}"));
    new DataView(framed.buffer).setUint32(0, framed.length);
    expect(() => unpad(framed)).toThrow(/truncated/);
    expect(new TextDecoder().decode(unpad(pad(new TextEncoder().encode("{}"))))).toBe("{}");
  });
});

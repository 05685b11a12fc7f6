// The diary at rest: its sealed size shows only a size bucket (as the command-line client's
// diary file), and a diary sealed by an earlier release, unpadded, still opens.

import { describe, expect, it } from "vitest";
import {
  ARGON2ID,
  bucket,
  deriveKey,
  emptyDiary,
  MIN_BUCKET,
  openDiary,
  pad,
  PBKDF2_ITERATIONS,
  sealDiary,
  unpad,
  type Diary,
  type Kdf,
} from "../src/app/store.js";

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

describe("a diary under a passphrase", () => {
  const salt = () => crypto.getRandomValues(new Uint8Array(16));

  it("is sealed with Argon2id under the parameters it records, and opens only with its passphrase", async () => {
    const kdf: Kdf = { alg: "argon2id", salt: salt(), ...ARGON2ID };
    expect(ARGON2ID).toEqual({ m: 19_456, t: 2, p: 1 });
    const sealed = await sealDiary(withVisits(3), await deriveKey("lamp orbit velvet crane", kdf));
    expect((await openDiary(sealed, await deriveKey("lamp orbit velvet crane", kdf))).visits).toHaveLength(3);
    await expect(openDiary(sealed, await deriveKey("lamp orbit velvet crate", kdf))).rejects.toThrow();
    // Other recorded parameters give another key: a diary opens with the ones it records.
    await expect(openDiary(sealed, await deriveKey("lamp orbit velvet crane", { ...kdf, t: 3 }))).rejects.toThrow();
  }, 120_000);

  it("sealed with PBKDF2 by an earlier release still opens with its passphrase", async () => {
    // The earlier release's derivation, written out with WebCrypto as it was.
    const kdf: Kdf = { salt: salt(), iterations: PBKDF2_ITERATIONS };
    const base = await crypto.subtle.importKey("raw", new TextEncoder().encode("correct horse 42"), "PBKDF2", false, ["deriveKey"]);
    const old = await crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: kdf.salt, iterations: PBKDF2_ITERATIONS },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    const sealed = await sealDiary(withVisits(2), old);
    expect((await openDiary(sealed, await deriveKey("correct horse 42", kdf))).visits).toHaveLength(2);
  }, 60_000);
});

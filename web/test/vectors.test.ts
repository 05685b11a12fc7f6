// The protocol core against spec/vectors: every vector of the files this part implements,
// positive and negative.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { ed25519, x25519 } from "@noble/curves/ed25519";
import { hex, unhex } from "../src/protocol/bytes.js";
import {
  bucketTag,
  hoursCovered,
  noticeKey,
  noticeTag,
  vaultBucket,
  vaultFileTag,
  vaultTag,
} from "../src/protocol/derive.js";
import { venueKeys } from "../src/protocol/keys.js";
import { checkReplaces, chooseBakedTrust, chooseTrust, legacyRoot, parseTrust, TrustError } from "../src/protocol/trust.js";
import { differing, ReleaseError, verifyRelease } from "../src/protocol/release.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), "utf8"));

describe("keys.json", () => {
  const k = load("keys.json");
  test("venue keys derive from the seed", () => {
    for (const v of [k.venue, k.venue2]) {
      const keys = venueKeys(unhex(v.seed));
      expect(hex(keys.x25519Secret)).toBe(v.x25519_secret);
      expect(hex(keys.x25519Public)).toBe(v.x25519_public);
      expect(hex(keys.ed25519Secret)).toBe(v.ed25519_secret);
      expect(hex(keys.ed25519Public)).toBe(v.ed25519_public);
    }
  });
  test("the other keys' public halves", () => {
    for (const name of ["authority_root", "tracer", "other_root"]) {
      expect(hex(ed25519.getPublicKey(unhex(k[name].ed25519_secret)))).toBe(k[name].ed25519_public);
    }
    for (const o of k.authority_officers) {
      expect(hex(ed25519.getPublicKey(unhex(o.ed25519_secret)))).toBe(o.ed25519_public);
    }
    for (const name of ["authority_sealing", "authority_sealing_next", "authority_case"]) {
      expect(hex(x25519.getPublicKey(unhex(k[name].x25519_secret)))).toBe(k[name].x25519_public);
    }
  });
});

describe("derive.json", () => {
  const d = load("derive.json");
  const id = unhex(d.venue_id);
  test("tags per hour", () => {
    for (const h of d.hours) {
      expect(hex(noticeTag(id, h.hour))).toBe(h.notice_tag);
      expect(hex(vaultTag(id, h.hour))).toBe(h.vault_tag);
      expect(hex(vaultFileTag(id, h.hour))).toBe(h.file_tag);
    }
  });
  test("buckets", () => {
    expect(vaultBucket(id)).toBe(d.vault_bucket);
    for (const b of d.bucket_tags) expect(hex(bucketTag(b.bucket, b.day))).toBe(b.tag);
  });
  test("notice key", () => {
    expect(hex(noticeKey(id, unhex(d.notice_key.salt)))).toBe(d.notice_key.key);
  });
  test("hours covered", () => {
    for (const c of d.hours_covered) {
      expect(hoursCovered(c.start, c.end)).toEqual([c.first_hour, c.last_hour]);
    }
  });
});

describe("rfc5869.json", () => {
  test("HKDF-SHA256", () => {
    for (const c of load("rfc5869.json").cases) {
      const salt = c.salt === "" ? undefined : unhex(c.salt);
      expect(hex(hkdf(sha256, unhex(c.ikm), salt, unhex(c.info), c.L))).toBe(c.okm);
    }
  });
});

describe("trust_legacy.json", () => {
  const v = load("trust_legacy.json");
  test("the unsigned pin pins its root and nothing else", () => {
    expect(hex(legacyRoot(v.pinned)!)).toBe(v.root);
    const held = chooseTrust(v.pinned, null);
    expect(held).toEqual({ text: v.pinned, anchor: null, refused: null, legacy: true });
  });
  const offered: { name: string; text: string; error: string | null }[] = v.offered;
  test.each(offered)("$name", ({ text, error }) => {
    const c = chooseTrust(v.pinned, text);
    expect(c.refused?.code ?? null).toBe(error);
    expect(c.text).toBe(error === null ? text : v.pinned);
    expect(c.anchor === null).toBe(error !== null);
  });
  const notLegacy: { name: string; text: string; error: string }[] = v.not_legacy;
  test.each(notLegacy)("$name", ({ text, error }) => {
    expect(legacyRoot(text)).toBeNull();
    const c = chooseTrust(text, load("trust.json").text);
    expect(c.refused?.code).toBe(error);
    expect(c.anchor).toBeNull();
    expect(c.legacy).toBeUndefined();
  });
});

describe("trust.json", () => {
  const t = load("trust.json");
  test("the trust file", () => {
    const a = parseTrust(t.text);
    expect(a.authority).toBe(t.authority);
    expect(a.serial).toBe(BigInt(t.serial));
    expect(hex(a.root)).toBe(t.root);
    expect(a.emergency.keys.map(hex)).toEqual(t.emergency);
    expect(a.emergency.threshold).toBe(t.emergency_threshold);
    expect(hex(a.case)).toBe(t.case);
    expect(a.release ? hex(a.release) : null).toBe(t.release);
    expect(a.sealing.map((p) => ({ from: p.from, until: p.until, key: hex(p.key) }))).toEqual(
      t.sealing,
    );
  });
  const accepted: { name: string; text: string }[] = t.accepted;
  test.each(accepted)("$name parses to the same anchor", ({ text }) => {
    expect(parseTrust(text)).toEqual(parseTrust(t.text));
  });
  const negatives: { name: string; text: string; error: string }[] = t.negative;
  test.each(negatives)("$name", ({ text, error }) => {
    let code = "";
    try {
      parseTrust(text);
    } catch (e) {
      code = e instanceof TrustError ? e.code : String(e);
    }
    expect(code).toBe(error);
  });
  const replacing: { name: string; text: string; error: string | null }[] = t.replacing;
  test.each(replacing)("$name", ({ text, error }) => {
    let code: string | null = null;
    try {
      checkReplaces(parseTrust(text), parseTrust(t.text));
    } catch (e) {
      code = e instanceof TrustError ? e.code : String(e);
    }
    expect(code).toBe(error);
  });
});

describe("release.json", () => {
  const v = load("release.json");
  const trust = parseTrust(load("trust.json").text);
  const enc = (s: string) => new TextEncoder().encode(s);
  test("the signed release verifies and lists its files with their hashes", () => {
    const files = verifyRelease(trust, enc(v.sums), enc(v.signature));
    expect(files.map((f) => f.name)).toEqual(v.files.map((f: { name: string }) => f.name));
    for (const [i, f] of files.entries()) expect(f.sha256).toBe(hex(sha256(unhex(v.files[i].content))));
  });
  const negatives: { name: string; error: string; sums: string; signature: string; trust: string | null }[] = v.negative;
  test.each(negatives)("$name", ({ error, sums, signature, trust: other }) => {
    let code = "";
    try {
      verifyRelease(other ? parseTrust(other) : trust, enc(sums), enc(signature));
    } catch (e) {
      code = e instanceof ReleaseError ? e.code : String(e);
    }
    expect(code).toBe(error);
  });
  test("the files a server serves otherwise than the release are named", () => {
    const files = verifyRelease(trust, enc(v.sums), enc(v.signature));
    const served = new Map<string, Uint8Array | null>(
      v.served.map((s: { name: string; content: string | null }) => [s.name, s.content === null ? null : unhex(s.content)]),
    );
    expect(differing(files, served)).toEqual(v.differs);
  });
});

describe("a pin under another root than the app's own", () => {
  const t = load("trust.json");
  const baked = parseTrust(t.text).root;
  const other = t.replacing.find((r: { name: string }) => r.name === "trust_different_root").text;
  test("is not obeyed, and is replaced by the baked root's file whatever its serial", () => {
    expect(chooseBakedTrust(baked, other, null)).toEqual({ text: other, anchor: null, refused: null, tampered: true });
    const older = t.replacing.find((r: { name: string }) => r.name === "trust_older_serial").text;
    const c = chooseBakedTrust(baked, other, older);
    expect(c.tampered && c.repaired).toBe(true);
    expect(c.text).toBe(older);
    expect(c.anchor?.root).toEqual(baked);
  });
  test("is kept unobeyed while the server offers no file of the baked root", () => {
    const c = chooseBakedTrust(baked, other, other);
    expect(c.anchor).toBeNull();
    expect(c.refused?.code).toBe("trust_different_root");
  });
  test("a first file of another root is not pinned", () => {
    const c = chooseBakedTrust(baked, null, other);
    expect(c.text).toBeNull();
    expect(c.refused?.code).toBe("trust_different_root");
    expect(chooseBakedTrust(baked, null, t.text).anchor?.root).toEqual(baked);
  });
});

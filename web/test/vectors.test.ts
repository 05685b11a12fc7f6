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
import { checkReplaces, chooseTrust, legacyRoot, parseTrust, TrustError } from "../src/protocol/trust.js";

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

// HPKE against RFC 9180's vector, and contact records against vault.json: every vector,
// positive and negative, and records this client seals opened by the venue's and the
// authority's steps.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { hex, unhex } from "../src/protocol/bytes.js";
import { bucketTag, vaultBucket, vaultFileTag } from "../src/protocol/derive.js";
import { open, seal } from "../src/protocol/hpke.js";
import { decodePoster, venueId } from "../src/protocol/poster.js";
import { parseTrust } from "../src/protocol/trust.js";
import {
  type Contact,
  coverBucket,
  coverRecord,
  encodeContact,
  openInnerRecord,
  sealOuter,
  sealVisit,
  sealVisitInner,
  stripRecord,
} from "../src/protocol/vault.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), "utf8"));
const keys = load("keys.json");
const v = load("vault.json");
const poster = decodePoster(unhex(load("poster.json").valid[0].encoding));
const id = venueId(poster.encoding);
const trust = parseTrust(load("trust.json").text);
const contactOf = (c: { party_size: number; arrival: number; departure: number; name: string; phone: string; email: string }): Contact => ({
  partySize: c.party_size,
  arrival: c.arrival,
  departure: c.departure,
  name: c.name,
  phone: c.phone,
  email: c.email,
});
const codeOf = async (f: () => Promise<unknown>): Promise<string> => {
  try {
    await f();
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${e}`;
  }
  return "accepted";
};

describe("rfc9180-a2-1.json", () => {
  const r = load("rfc9180-a2-1.json");
  test("sealing with the vector's ephemeral key gives its enc and first ciphertext", async () => {
    const e = r.encryptions[0];
    const out = await seal(unhex(r.pkRm), unhex(r.info), unhex(e.aad), unhex(e.pt), unhex(r.ikmE));
    expect(hex(out)).toBe(r.enc + e.ct);
    expect(hex(await open(unhex(r.skRm), unhex(r.info), unhex(e.aad), out))).toBe(e.pt);
  });
});

describe("vault.json", () => {
  test("the record strips to the inner record and opens to the contact", async () => {
    const inner = await stripRecord(unhex(v.record), id, unhex(keys.venue.x25519_secret), [v.hour]);
    expect(hex(inner)).toBe(v.inner_record);
    expect(v.record.slice(0, 32)).toBe(v.file_tag);
    expect(hex(vaultFileTag(id, v.hour))).toBe(v.file_tag);
    expect(await openInnerRecord(inner, unhex(keys.authority_sealing.x25519_secret))).toEqual(contactOf(v.contact));
  });
  test("a record sealed with a name alone still opens for the authority", async () => {
    const c = await openInnerRecord(unhex(v.inner_record_name_alone), unhex(keys.authority_sealing.x25519_secret));
    expect(c).toEqual(contactOf(v.contact_name_alone));
  });
  const steps: Record<string, (rec: Uint8Array) => Promise<unknown>> = {
    strip: (rec) => stripRecord(rec, id, unhex(keys.venue.x25519_secret), [v.hour]),
    strip_with_venue2: (rec) => stripRecord(rec, id, unhex(keys.venue2.x25519_secret), [v.hour]),
    open_with_venue_key: (rec) => openInnerRecord(rec, unhex(keys.venue.x25519_secret)),
    open: (rec) => openInnerRecord(rec, unhex(keys.authority_sealing.x25519_secret)),
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const named: [string, any][] = v.negative.map((n: { name: string }) => [n.name, n]);
  test.each(named)("%s", async (_, n) => {
    const got =
      n.step === "seal"
        ? await codeOf(() => sealVisit(contactOf(n.contact), id, poster.x25519Public, trust))
        : await codeOf(() => steps[n.step]!(unhex(n.record)));
    expect(got).toBe(n.error);
  });
  test("a visit's records, one per hour, open for the venue and the authority", async () => {
    const c = { ...contactOf(v.contact), arrival: v.hour * 3600 + 600, departure: v.hour * 3600 + 3600 + 1200 };
    const records = await sealVisit(c, id, poster.x25519Public, trust);
    expect(records.map((r) => r.hour)).toEqual([v.hour, v.hour + 1]);
    for (const r of records) {
      expect(r.record).toHaveLength(384);
      const inner = await stripRecord(r.record, id, unhex(keys.venue.x25519_secret), [r.hour]);
      expect(await openInnerRecord(inner, unhex(keys.authority_sealing.x25519_secret))).toEqual(c);
    }
    expect(encodeContact(c)).toHaveLength(256);
  });
  test("a record sent days after its hour is filed under the day it is sent and still opens", async () => {
    const later = v.sent_later;
    expect(hex(bucketTag(vaultBucket(id), later.day))).toBe(later.file_tag);
    expect(hex(unhex(later.record).subarray(0, 16))).toBe(later.file_tag);
    const inner = await stripRecord(unhex(later.record), id, unhex(keys.venue.x25519_secret), [v.hour]);
    expect(hex(inner)).toBe(v.inner_record);
    // This client's own venue layer, added on a later day, strips alike.
    const c = { ...contactOf(v.contact), arrival: v.hour * 3600 + 600, departure: v.hour * 3600 + 1200 };
    const [sealed] = await sealVisitInner(c, id, trust);
    const rec = await sealOuter(sealed!.inner, poster.x25519Public, vaultBucket(id), later.day);
    expect(hex(rec.subarray(0, 16))).toBe(later.file_tag);
    const mine = await stripRecord(rec, id, unhex(keys.venue.x25519_secret), [v.hour]);
    expect(await openInnerRecord(mine, unhex(keys.authority_sealing.x25519_secret))).toEqual(c);
  });
  test("covers fall only in buckets the list gives venues to; without a list, in any", async () => {
    const counts = new Array<number>(1024).fill(0);
    counts[3] = 1;
    counts[700] = 3;
    const seen = new Set(Array.from({ length: 400 }, () => coverBucket(counts)));
    expect([...seen].sort((a, b) => a - b)).toEqual([3, 700]);
    for (const list of [[], counts.slice(0, 10), new Array<number>(1024).fill(0)]) {
      const b = coverBucket(list);
      expect(b >= 0 && b < 1024).toBe(true);
    }
    const day = Math.floor(v.hour / 24);
    const rec = await coverRecord(day, counts);
    expect([hex(bucketTag(3, day)), hex(bucketTag(700, day))]).toContain(hex(rec.subarray(0, 16)));
  });
  test("a cover record is 384 bytes that no venue opens", async () => {
    const rec = await coverRecord(Math.floor(v.hour / 24));
    expect(rec).toHaveLength(384);
    expect(await codeOf(() => stripRecord(rec, id, unhex(keys.venue.x25519_secret), [v.hour]))).toBe("vault_decryption_failed");
  });
});

// Consented contact records (spec section 14): the contact plaintext, a visit's records (one
// per hour, sealed to the authority's key of that hour's period, then to the venue), and
// cover records (section 14.5).

import { x25519 } from "@noble/curves/ed25519";
import { ascii, concat, u64 } from "./bytes.js";
import { bucketTag, hoursCovered, vaultBucket, vaultTag, VAULT_BUCKETS } from "./derive.js";
import { open, seal } from "./hpke.js";
import { ProtocolError, Reader, UTF8 } from "./reader.js";
import { textProblem } from "./text.js";
import { sealingKeyAt, type TrustAnchor } from "./trust.js";
import { VAULT_INNER, VAULT_OUTER } from "./domain.js";

export const CONTACT_LEN = 256;
export const RECORD_LEN = 384;
const INNER = ascii(VAULT_INNER);
const OUTER = ascii(VAULT_OUTER);

export interface Contact {
  partySize: number;
  arrival: number;
  departure: number;
  name: string;
  phone: string;
  email: string;
}

/** Why `c` breaks section 14.1, as the spec's error name with a reason, or null: what a client
 * checks before it keeps or seals contact details. */
export function contactProblem(c: Contact): ProtocolError | null {
  const problem = fieldProblem(c);
  if (problem) return problem;
  // A name alone reaches nobody. An opener does not ask this (see `decodeContact`).
  if (!c.phone && !c.email) {
    return new ProtocolError("vault_no_phone_or_email", "a tracer needs a phone number or an email address");
  }
  return null;
}

/** Why one field of `c` breaks its rule in section 14.1's table, or null. */
function fieldProblem(c: Contact): ProtocolError | null {
  for (const [field, value, max, required] of [
    ["name", c.name, 80, true],
    ["phone", c.phone, 32, false],
    ["email", c.email, 100, false],
  ] as const) {
    const p = textProblem(value, max, required);
    if (p) return new ProtocolError("vault_invalid_contact", `the ${field} ${p}`);
  }
  if (!Number.isInteger(c.partySize) || c.partySize < 1 || c.partySize > 50) {
    return new ProtocolError("vault_invalid_party_size", "the party is 1 to 50 people");
  }
  if (c.departure < c.arrival) return new ProtocolError("vault_invalid_times", "the visit ends before it starts");
  return null;
}

export function encodeContact(c: Contact): Uint8Array {
  const str8 = (s: string) => {
    const b = new TextEncoder().encode(s);
    return concat(new Uint8Array([b.length]), b);
  };
  const body = concat(new Uint8Array([2, c.partySize]), u64(c.arrival), u64(c.departure), str8(c.name), str8(c.phone), str8(c.email));
  const out = new Uint8Array(CONTACT_LEN);
  out.set(body);
  return out;
}

export interface SealedRecord {
  hour: number;
  record: Uint8Array;
}

export interface SealedInner {
  hour: number;
  /** The inner record `vault_tag || Seal(authority, contact)` (section 14.2), 320 bytes. */
  inner: Uint8Array;
}

/** The authority's layers of one visit's records (section 14.2), one per hour it covers;
 * none at all if any hour lies in no sealing period of the trust file
 * (`vault_no_sealing_key`). The venue's layer is added when each is sent (`sealOuter`). */
export async function sealVisitInner(c: Contact, venueId: Uint8Array, trust: TrustAnchor): Promise<SealedInner[]> {
  const problem = contactProblem(c);
  if (problem) throw problem;
  const [first, last] = hoursCovered(c.arrival, c.departure);
  const keys: Uint8Array[] = [];
  for (let h = first; h <= last; h++) {
    const k = sealingKeyAt(trust, h * 3600);
    if (!k) {
      throw new ProtocolError("vault_no_sealing_key", "the trust file has no sealing key for an hour of this visit");
    }
    keys.push(k);
  }
  const contact = encodeContact(c);
  const out: SealedInner[] = [];
  for (let h = first; h <= last; h++) {
    const tag = vaultTag(venueId, h);
    out.push({ hour: h, inner: concat(tag, await seal(keys[h - first]!, INNER, tag, contact)) });
  }
  contact.fill(0);
  return out;
}

/** The venue's layer, added when a record is sent on UTC day `day` (section 14.5): filed
 * under `bucket_tag(bucket, day)` and sealed to the venue's key with that tag as associated
 * data. */
export async function sealOuter(inner: Uint8Array, venueX25519: Uint8Array, bucket: number, day: number): Promise<Uint8Array> {
  const tag = bucketTag(bucket % VAULT_BUCKETS, day);
  return concat(tag, await seal(venueX25519, OUTER, tag, inner));
}

/** The records of one visit (section 14.2), each filed as if sent on its hour's day. */
export async function sealVisit(
  c: Contact,
  venueId: Uint8Array,
  venueX25519: Uint8Array,
  trust: TrustAnchor,
): Promise<SealedRecord[]> {
  const bucket = vaultBucket(venueId);
  const out: SealedRecord[] = [];
  for (const { hour, inner } of await sealVisitInner(c, venueId, trust)) {
    out.push({ hour, record: await sealOuter(inner, venueX25519, bucket, Math.floor(hour / 24)) });
  }
  return out;
}

/** A uniform integer below `n` (0 < n <= 2^32), by rejection, so that no value is favoured. */
function uniformBelow(n: number): number {
  const zone = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    const v = crypto.getRandomValues(new Uint32Array(1))[0]!;
    if (v < zone) return v % n;
  }
}

/** A cover record's bucket (section 14.5): bucket `b` with probability
 * `venuesPerBucket[b] / sum`; any bucket when the list is not 1024 counts or all zero. */
export function coverBucket(venuesPerBucket: readonly number[]): number {
  const total = venuesPerBucket.reduce((a, b) => a + b, 0);
  const valid = venuesPerBucket.length === VAULT_BUCKETS && venuesPerBucket.every((n) => Number.isInteger(n) && n >= 0);
  if (!valid || total === 0 || total > 2 ** 32) return uniformBelow(VAULT_BUCKETS);
  let pick = uniformBelow(total);
  for (let b = 0; b < VAULT_BUCKETS; b++) {
    if (pick < venuesPerBucket[b]!) return b;
    pick -= venuesPerBucket[b]!;
  }
  return VAULT_BUCKETS - 1;
}

/** A cover record sent on UTC day `day` (section 14.5): the tag of a bucket drawn from
 * `venuesPerBucket`, sealed to a throwaway key. */
export async function coverRecord(day: number, venuesPerBucket: readonly number[] = []): Promise<Uint8Array> {
  const tag = bucketTag(coverBucket(venuesPerBucket), day);
  const throwaway = x25519.getPublicKey(x25519.utils.randomPrivateKey());
  return concat(tag, await seal(throwaway, OUTER, tag, new Uint8Array(320)));
}

/** The venue's step (section 14.3, 2): the inner record of a record filed for one of
 * `hours`, checked in order. (The app never strips; the vectors check this side too.) */
export async function stripRecord(
  record: Uint8Array,
  venueId: Uint8Array,
  venueX25519Secret: Uint8Array,
  hours: number[],
): Promise<Uint8Array> {
  if (record.length !== RECORD_LEN) throw new ProtocolError("vault_wrong_length", `a record is ${RECORD_LEN} bytes`);
  let inner: Uint8Array;
  try {
    inner = await open(venueX25519Secret, OUTER, record.subarray(0, 16), record.subarray(16));
  } catch {
    throw new ProtocolError("vault_decryption_failed", "another venue's record, or altered");
  }
  if (inner.length !== 320) throw new ProtocolError("vault_decryption_failed", "the inner record has the wrong length");
  const tag = inner.subarray(0, 16);
  if (!hours.some((h) => vaultTag(venueId, h).every((b, i) => b === tag[i]))) {
    throw new ProtocolError("vault_not_for_this_venue", "the record is for an hour nobody asked about");
  }
  return inner;
}

/** The authority's step (section 14.3, 3): the contact of an inner record, checked in order. */
export async function openInnerRecord(inner: Uint8Array, sealingSecret: Uint8Array): Promise<Contact> {
  let p: Uint8Array;
  try {
    p = await open(sealingSecret, INNER, inner.subarray(0, 16), inner.subarray(16));
  } catch {
    throw new ProtocolError("vault_decryption_failed", "not sealed to this key, or altered");
  }
  return decodeContact(p);
}

export function decodeContact(p: Uint8Array): Contact {
  const bad = () => new ProtocolError("vault_malformed", "the contact is malformed");
  if (p.length !== CONTACT_LEN) throw bad();
  const r = new Reader(p, bad);
  const version = r.u8();
  if (version !== 2) throw new ProtocolError("vault_unsupported_version", `contact version ${version}`);
  const partySize = r.u8();
  const arrival = r.u64();
  const departure = r.u64();
  const text = (field: string, max: number, required: boolean): string => {
    let s: string;
    try {
      s = UTF8.decode(r.take(r.u8()));
    } catch {
      throw new ProtocolError("vault_invalid_contact", `the ${field} is not UTF-8`);
    }
    const problem = textProblem(s, max, required);
    if (problem) throw new ProtocolError("vault_invalid_contact", `the ${field} ${problem}`);
    return s;
  };
  const name = text("name", 80, true);
  const phone = text("phone", 32, false);
  const email = text("email", 100, false);
  if (r.take(r.rest).some((b) => b !== 0)) throw bad();
  const c = { partySize, arrival, departure, name, phone, email };
  // A record sealed before clients had to refuse a name alone still names the visitor.
  const problem = fieldProblem(c);
  if (problem) throw problem;
  return c;
}

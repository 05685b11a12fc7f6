// Per-hour derivations (spec sections 8 and 9).

import { blake3 } from "@noble/hashes/blake3";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { ascii, concat, u16, u64 } from "./bytes.js";
import { NOTICE_KEY, NOTICE_TAG, VAULT_BUCKET, VAULT_BUCKET_TAG, VAULT_TAG } from "./domain.js";

export const TAG_LEN = 16;
export const VAULT_BUCKETS = 1024;

/** HKDF(ikm, info): HKDF-SHA256 with an absent salt, 32 bytes (spec section 4). */
export function hkdf32(ikm: Uint8Array, info: Uint8Array): Uint8Array {
  return hkdf(sha256, ikm, undefined, info, 32);
}

export const hourOf = (t: number): number => Math.floor(t / 3600);

/** The epoch hours `[start, end)` covers (section 8): an empty interval covers its start's. */
export function hoursCovered(start: number, end: number): [number, number] {
  const first = hourOf(start);
  return [first, end > start ? hourOf(end - 1) : first];
}

function keyedTag(venueId: Uint8Array, prefix: string, hour: number): Uint8Array {
  const full = blake3(concat(ascii(prefix), new Uint8Array([0]), u64(hour)), { key: venueId });
  return full.slice(0, TAG_LEN);
}

export const noticeTag = (venueId: Uint8Array, hour: number): Uint8Array =>
  keyedTag(venueId, NOTICE_TAG, hour);

export const vaultTag = (venueId: Uint8Array, hour: number): Uint8Array =>
  keyedTag(venueId, VAULT_TAG, hour);

export function vaultBucket(venueId: Uint8Array): number {
  const full = blake3(ascii(VAULT_BUCKET), { key: venueId });
  return ((full[0]! << 8) | full[1]!) % VAULT_BUCKETS;
}

export function bucketTag(bucket: number, day: number): Uint8Array {
  return blake3(
    concat(ascii(VAULT_BUCKET_TAG), new Uint8Array([0]), u16(bucket), u64(day)),
  ).slice(0, TAG_LEN);
}

export const vaultFileTag = (venueId: Uint8Array, hour: number): Uint8Array =>
  bucketTag(vaultBucket(venueId), Math.floor(hour / 24));

export const noticeKey = (venueId: Uint8Array, salt: Uint8Array): Uint8Array =>
  hkdf32(venueId, concat(ascii(NOTICE_KEY), new Uint8Array([0]), salt));

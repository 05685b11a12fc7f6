// The authority's revocation list (spec section 10.3): verification with every check in
// order, and the replacement rule that keeps a holder from being rolled back.

import { verifyStrict } from "./poster.js";
import { ProtocolError, Reader } from "./reader.js";
import { equal, hex } from "./bytes.js";
import { REVOCATION_LIST } from "./domain.js";

export const MAX_REVOKED_KEYS = 4096;

export interface RevocationList {
  encoding: Uint8Array;
  issuedAt: number;
  /** The revoked tracer keys, as hex. */
  keys: Set<string>;
}

export function verifyRevocations(root: Uint8Array, bytes: Uint8Array, now: number): RevocationList {
  const bad = (code: string, why: string) => new ProtocolError(code, why);
  const r = new Reader(bytes, () => bad("revocation_truncated", "the revocation list ends early"));
  const version = r.u8();
  if (version !== 2) throw bad("revocation_unsupported_version", `list version ${version}`);
  const issuedAt = r.u64();
  const count = r.u16();
  if (count > MAX_REVOKED_KEYS) throw bad("revocation_too_many_keys", `${count} keys`);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < count; i++) keys.push(r.take(32));
  const bodyLen = r.offset;
  const sig = r.take(64);
  if (r.rest !== 0) throw bad("revocation_trailing_bytes", "bytes follow the signature");
  for (let i = 1; i < keys.length; i++) {
    if (hex(keys[i - 1]!) >= hex(keys[i]!)) {
      throw bad("revocation_keys_not_sorted", "the keys are not in strictly ascending order");
    }
  }
  if (!verifyStrict(root, REVOCATION_LIST, bytes.subarray(0, bodyLen), sig)) {
    throw bad("revocation_bad_signature", "the list is not the authority's");
  }
  if (issuedAt > now + 300) throw bad("revocation_from_the_future", "the list is from the future");
  return { encoding: bytes, issuedAt, keys: new Set(keys.map((k) => hex(k))) };
}

/** Whether `offered` may replace `held`: "newer" or "same"; anything else is refused. */
export function replaces(offered: RevocationList, held: RevocationList | null): "newer" | "same" {
  if (!held || offered.issuedAt > held.issuedAt) {
    if (held && equal(offered.encoding, held.encoding)) return "same";
    return "newer";
  }
  if (equal(offered.encoding, held.encoding)) return "same";
  throw new ProtocolError("revocation_not_newer", "the list is not newer than the one held");
}

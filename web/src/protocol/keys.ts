// Keys (spec section 6): the venue's keys from its seed, and which public keys are valid.

import { ed25519, x25519 } from "@noble/curves/ed25519";
import { ascii } from "./bytes.js";
import { hkdf32 } from "./derive.js";
import { VENUE_ED25519, VENUE_X25519 } from "./domain.js";

export interface VenueKeys {
  x25519Secret: Uint8Array;
  x25519Public: Uint8Array;
  ed25519Secret: Uint8Array;
  ed25519Public: Uint8Array;
}

export function venueKeys(seed: Uint8Array): VenueKeys {
  const x25519Secret = hkdf32(seed, ascii(VENUE_X25519));
  const ed25519Secret = hkdf32(seed, ascii(VENUE_ED25519));
  return {
    x25519Secret,
    x25519Public: x25519.getPublicKey(x25519Secret),
    ed25519Secret,
    ed25519Public: ed25519.getPublicKey(ed25519Secret),
  };
}

/** A valid Ed25519 public key (section 6, "Valid keys"): decodes, canonically, and is not of
 * small order. */
export function ed25519KeyOk(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  try {
    const p = ed25519.ExtendedPoint.fromHex(key, false);
    const canonical = p.toRawBytes().every((b, i) => b === key[i]);
    return canonical && !p.isSmallOrder();
  } catch {
    return false;
  }
}

/** A valid X25519 public key: not of small order on the curve or its twist, which is to say
 * X25519(k, key) is not all zeros for a fixed private key k. */
export function x25519KeyOk(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  const k = new Uint8Array(32).fill(0x42);
  try {
    return x25519.getSharedSecret(k, key).some((b) => b !== 0);
  } catch {
    return false;
  }
}

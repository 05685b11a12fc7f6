// HPKE (RFC 9180) base mode with the protocol's one suite (spec section 4): DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, from @hpke/core and its modules; nothing of
// HPKE is written here. `seal` yields enc[32] || ct.

import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { concat } from "./bytes.js";

const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

/** `Seal(pkR, info, aad, pt)`; `ikmE` fixes the ephemeral key, for test vectors only. */
export async function seal(
  pkR: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  pt: Uint8Array,
  ikmE?: Uint8Array,
): Promise<Uint8Array> {
  const recipientPublicKey = await suite.kem.importKey("raw", buf(pkR), true);
  const ekm = ikmE ? await suite.kem.deriveKeyPair(buf(ikmE)) : undefined;
  const { ct, enc } = await suite.seal({ recipientPublicKey, info: buf(info), ...(ekm ? { ekm } : {}) }, buf(pt), buf(aad));
  return concat(new Uint8Array(enc), new Uint8Array(ct));
}

/** `Open(skR, info, aad, enc || ct)`; throws when it does not authenticate. */
export async function open(skR: Uint8Array, info: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array> {
  const recipientKey = await suite.kem.importKey("raw", buf(skR), false);
  const pt = await suite.open({ recipientKey, enc: buf(sealed.subarray(0, 32)), info: buf(info) }, buf(sealed.subarray(32)), buf(aad));
  return new Uint8Array(pt);
}

// Posters (spec section 7): decoding with every check, the URL form, the venue id and the
// printed fingerprint.

import { ed25519 } from "@noble/curves/ed25519";
import { blake3 } from "@noble/hashes/blake3";
import { ascii, concat, unbase64url } from "./bytes.js";
import { ed25519KeyOk, x25519KeyOk } from "./keys.js";
import { ProtocolError, Reader, UTF8 } from "./reader.js";
import { textProblem } from "./text.js";
import { POSTER_SIGNATURE, VENUE_FINGERPRINT, VENUE_ID } from "./domain.js";

export const POSTER_VERSION = 2;
export const MAX_POSTER_LEN = 383;

export interface Poster {
  encoding: Uint8Array;
  x25519Public: Uint8Array;
  ed25519Public: Uint8Array;
  name: string;
  address: string;
  category: string;
  defaultStayMinutes: number;
  validity: { from: number; until: number } | null;
}

/** A refused poster; `code` is the spec's error name. */
export class PosterError extends ProtocolError {}

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** Whether the signature's S, little-endian, is below the group order. */
function sCanonical(sig: Uint8Array): boolean {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  return s < L;
}

/** Whether the browser's WebCrypto verifies Ed25519 (null: not tried yet). */
let webEd25519: boolean | null = null;
const webKeys = new Map<string, CryptoKey>();
const validKeys = new Set<string>();

/** `verifyStrict`, with the curve equation checked by WebCrypto's native Ed25519 where the
 * browser has it (several times faster than in JavaScript), and by @noble/curves where not.
 * The strict rules stay here, before either: the key and R valid (canonical, not of small
 * order; a key's result is remembered) and S below the group order; both then check the
 * cofactorless equation, as RFC 8032 says and `verifyStrict` does. */
export async function verifyStrictFast(
  pk: Uint8Array,
  context: string,
  message: Uint8Array,
  sig: Uint8Array,
): Promise<boolean> {
  if (sig.length !== 64 || !sCanonical(sig) || !ed25519KeyOk(sig.subarray(0, 32))) return false;
  const id = String.fromCharCode(...pk);
  if (!validKeys.has(id)) {
    if (!ed25519KeyOk(pk)) return false;
    if (validKeys.size > 4096) validKeys.clear();
    validKeys.add(id);
  }
  if (webEd25519 !== false) {
    try {
      let key = webKeys.get(id);
      if (!key) {
        key = await crypto.subtle.importKey("raw", pk.slice(), { name: "Ed25519" }, false, ["verify"]);
        if (webKeys.size > 4096) webKeys.clear();
        webKeys.set(id, key);
      }
      const ok = await crypto.subtle.verify(
        { name: "Ed25519" },
        key,
        sig.slice(),
        concat(ascii(context), new Uint8Array([0]), message) as Uint8Array<ArrayBuffer>,
      );
      webEd25519 = true;
      return ok;
    } catch {
      webEd25519 = false;
    }
  }
  return verifyStrict(pk, context, message, sig);
}

/** `Verify(pk, C, m, sig)` of spec section 4: RFC 8032 with the context prefix, rejecting a
 * non-canonical or small-order key or `R`, and `S` not below the group order. */
export function verifyStrict(
  pk: Uint8Array,
  context: string,
  message: Uint8Array,
  sig: Uint8Array,
): boolean {
  if (sig.length !== 64 || !ed25519KeyOk(pk) || !ed25519KeyOk(sig.slice(0, 32))) return false;
  try {
    return ed25519.verify(sig, concat(ascii(context), new Uint8Array([0]), message), pk, {
      zip215: false,
    });
  } catch {
    return false;
  }
}

export function decodePoster(encoding: Uint8Array): Poster {
  if (encoding.length > MAX_POSTER_LEN) {
    throw new PosterError("poster_too_long", `a poster is at most ${MAX_POSTER_LEN} bytes`);
  }
  const r = new Reader(encoding, () => new PosterError("poster_truncated", "the poster ends early"));
  const version = r.u8();
  if (version !== POSTER_VERSION) {
    throw new PosterError("poster_unsupported_version", `poster version ${version}`);
  }
  const flags = r.u8();
  if ((flags & ~1) !== 0) throw new PosterError("poster_unknown_flags", "unknown flag bits");
  const x25519Public = r.take(32);
  const ed25519Public = r.take(32);
  const text = (max: number, required: boolean, field: string): string => {
    const bytes = r.take(r.u8());
    let s: string;
    try {
      s = UTF8.decode(bytes);
    } catch {
      throw new PosterError("poster_invalid_text", `the ${field} is not valid UTF-8`);
    }
    const problem = textProblem(s, max, required);
    if (problem) throw new PosterError("poster_invalid_text", `the ${field} ${problem}`);
    return s;
  };
  const name = text(80, true, "name");
  const address = text(120, false, "address");
  const category = text(32, false, "category");
  const defaultStayMinutes = r.u16();
  if (defaultStayMinutes < 1 || defaultStayMinutes > 720) {
    throw new PosterError("poster_invalid_stay", "the default stay is outside 1 to 720 minutes");
  }
  let validity: Poster["validity"] = null;
  if (flags & 1) {
    const from = r.u64();
    const until = r.u64();
    if (until <= from) {
      throw new PosterError("poster_invalid_validity", "the validity window ends before it starts");
    }
    validity = { from, until };
  }
  const bodyLen = r.offset;
  const sig = r.take(64);
  if (r.rest !== 0) throw new PosterError("poster_trailing_bytes", "bytes follow the signature");
  if (!ed25519KeyOk(ed25519Public) || !x25519KeyOk(x25519Public)) {
    throw new PosterError("poster_invalid_key", "the poster's keys are not valid public keys");
  }
  if (!verifyStrict(ed25519Public, POSTER_SIGNATURE, encoding.slice(0, bodyLen), sig)) {
    throw new PosterError("poster_bad_signature", "the poster's signature does not verify");
  }
  return {
    encoding,
    x25519Public,
    ed25519Public,
    name,
    address,
    category,
    defaultStayMinutes,
    validity,
  };
}

/** Whether `base` is an acceptable base URL (section 7.4). */
export function baseUrlOk(base: string): boolean {
  if (!base.startsWith("https://") || new TextEncoder().encode(base).length > 200) return false;
  if (/[#\p{White_Space}\p{Cc}]/u.test(base)) return false;
  const rest = base.slice("https://".length);
  const end = rest.search(/[/?]/);
  return (end < 0 ? rest : rest.slice(0, end)).length > 0;
}

/** Reads a poster from the text a camera or a user gives: its URL or its bare payload. */
export function posterFromText(input: string): Poster {
  const text = input.trim();
  const hash = text.indexOf("#");
  let payload: string;
  if (hash >= 0) {
    if (!baseUrlOk(text.slice(0, hash))) {
      throw new PosterError("poster_bad_url", "this is not a poster's web address");
    }
    payload = text.slice(hash + 1);
  } else if (text.includes("://")) {
    throw new PosterError("poster_bad_url", "this web address holds no poster");
  } else {
    payload = text;
  }
  const bytes = unbase64url(payload);
  if (!bytes) throw new PosterError("poster_bad_base64", "the poster's code is damaged");
  return decodePoster(bytes);
}

export const venueId = (encoding: Uint8Array): Uint8Array =>
  blake3(encoding, { context: VENUE_ID });

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function fingerprint(p: Poster): string {
  const fp = blake3(concat(p.ed25519Public, p.x25519Public), {
    context: VENUE_FINGERPRINT,
  }).slice(0, 10);
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const b of fp) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out.match(/.{4}/g)!.join("-");
}

/** Section 7.3: null if a client may check in at `p` at `now`, else the error's name. */
export function validityProblem(p: Poster, now: number): string | null {
  if (!p.validity) return null;
  if (now < p.validity.from) return "poster_not_yet_valid";
  if (now >= p.validity.until) return "poster_expired";
  return null;
}

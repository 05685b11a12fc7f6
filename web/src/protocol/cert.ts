// Tracer certificates (spec section 10): decoding with every check in order, the root's
// signature, validity, and the digest approvals name (section 11a).

import { blake3 } from "@noble/hashes/blake3";
import { base64url } from "./bytes.js";
import { ed25519KeyOk } from "./keys.js";
import { verifyStrict } from "./poster.js";
import { ProtocolError, Reader, UTF8 } from "./reader.js";
import { textProblem } from "./text.js";
import { CERTIFICATE_DIGEST, CERTIFICATE_SIGNATURE } from "./domain.js";

export const CERT_VERSION = 2;

export interface Certificate {
  encoding: Uint8Array;
  tracerPublic: Uint8Array;
  notBefore: number;
  notAfter: number;
  publish: boolean;
  query: boolean;
  name: string;
}

/** The tracer key as phones show it beside the name (section 13a): the first 16 characters of
 * its base64url, in four groups of four (Rust: `Certificate::tracer_fingerprint`). */
export function tracerFingerprint(tracerPublic: Uint8Array): string {
  return (base64url(tracerPublic).slice(0, 16).match(/.{4}/g) ?? []).join(" ");
}

/** Decodes a certificate (section 10.2); the root's signature is checked by `verifyCert`. */
export function decodeCertificate(encoding: Uint8Array): Certificate {
  const r = new Reader(encoding, () => new ProtocolError("cert_truncated", "the certificate ends early"));
  const version = r.u8();
  if (version !== CERT_VERSION) {
    throw new ProtocolError("cert_unsupported_version", `certificate version ${version}`);
  }
  const tracerPublic = r.take(32);
  const notBefore = r.u64();
  const notAfter = r.u64();
  const roles = r.u8();
  if (roles === 0 || (roles & ~3) !== 0) {
    throw new ProtocolError("cert_invalid_roles", `roles byte ${roles}`);
  }
  const nameBytes = r.take(r.u8());
  let name: string;
  try {
    name = UTF8.decode(nameBytes);
  } catch {
    throw new ProtocolError("cert_invalid_name", "the tracer's name is not valid UTF-8");
  }
  const problem = textProblem(name, 64, true);
  if (problem) throw new ProtocolError("cert_invalid_name", `the tracer's name ${problem}`);
  r.take(64);
  if (r.rest !== 0) throw new ProtocolError("cert_trailing_bytes", "bytes follow the signature");
  if (notAfter <= notBefore) {
    throw new ProtocolError("cert_invalid_validity", "the certificate ends before it starts");
  }
  if (!ed25519KeyOk(tracerPublic)) {
    throw new ProtocolError("cert_invalid_key", "the tracer's key is not a valid public key");
  }
  return {
    encoding,
    tracerPublic,
    notBefore,
    notAfter,
    publish: (roles & 1) !== 0,
    query: (roles & 2) !== 0,
    name,
  };
}

/** Checks the root's signature over the certificate. */
export function verifyCert(cert: Certificate, root: Uint8Array): void {
  const n = cert.encoding.length;
  const ok = verifyStrict(
    root,
    CERTIFICATE_SIGNATURE,
    cert.encoding.subarray(0, n - 64),
    cert.encoding.subarray(n - 64),
  );
  if (!ok) throw new ProtocolError("cert_bad_signature", "the certificate is not the authority's");
}

export const certValidAt = (cert: Certificate, t: number): boolean =>
  cert.notBefore <= t && t <= cert.notAfter;

/** `cert_digest` of section 11a. */
export const certDigest = (cert: Certificate): Uint8Array =>
  blake3(cert.encoding, { context: CERTIFICATE_DIGEST });

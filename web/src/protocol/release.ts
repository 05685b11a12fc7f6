// Signed releases of this app (spec section 16d; Rust: `protocol::release`): a release's
// SHA256SUMS verified under the release key of the pinned trust file, and the comparison of
// files with it.

import { sha256 } from "@noble/hashes/sha256";
import { unbase64url } from "./bytes.js";
import { RELEASE_SUMS } from "./domain.js";
import { verifyStrict } from "./poster.js";
import type { TrustAnchor } from "./trust.js";

export const SUMS_FILE = "SHA256SUMS";
export const SIGNATURE_FILE = "SHA256SUMS.sig";
export const SIGNATURE_HEADER = "checkin-release-signature v1";
const MAX_FILES = 64;
const MAX_NAME = 64;

export interface ReleaseFile {
  name: string;
  /** SHA-256 of the file, lower-case hex. */
  sha256: string;
}

/** A refused release; `code` is the spec's error name. */
export class ReleaseError extends Error {
  constructor(
    readonly code: string,
    why: string,
  ) {
    super(why);
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** SHA-256 of `bytes` in lower-case hex, as SHA256SUMS lists it. */
export function sha256Hex(bytes: Uint8Array): string {
  return hex(sha256(bytes));
}

function nameOk(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_NAME &&
    /^[A-Za-z0-9._-]+$/.test(name) &&
    !name.startsWith(".") &&
    name !== SUMS_FILE &&
    name !== SIGNATURE_FILE
  );
}

function parseSums(sums: Uint8Array): ReleaseFile[] {
  const bad = (why: string) => new ReleaseError("release_malformed_sums", `the signed SHA256SUMS is malformed: ${why}`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(sums);
  } catch {
    throw bad("it is not UTF-8");
  }
  if (!text.endsWith("\n")) throw bad("it does not end with a line break");
  const files: ReleaseFile[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const at = line.indexOf("  ");
    if (at < 0) throw bad("a line is not 'SHA256  NAME'");
    const [h, name] = [line.slice(0, at), line.slice(at + 2)];
    if (!/^[0-9a-f]{64}$/.test(h)) throw bad("a hash is not 64 lower-case hex digits");
    if (!nameOk(name)) throw bad("a file name is not allowed");
    const last = files[files.length - 1];
    // Names are ASCII here, so UTF-16 order is byte order.
    if (last && !(last.name < name)) throw bad("the file names are not sorted, or one appears twice");
    if (files.length === MAX_FILES) throw bad("it lists more than 64 files");
    files.push({ name, sha256: h });
  }
  return files;
}

/** Verifies a release: `signature` must be the trust file's release key's signature over
 * `sums`, and `sums` a well-formed SHA256SUMS (section 16d, in the order of its checks). */
export function verifyRelease(trust: TrustAnchor, sums: Uint8Array, signature: Uint8Array): ReleaseFile[] {
  if (!trust.release) {
    throw new ReleaseError("release_no_key", "the pinned trust file names no release key");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(signature);
  } catch {
    text = "";
  }
  const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
  if (lines.length !== 2 || lines[0] !== SIGNATURE_HEADER || !lines[1]!.startsWith("signature: ")) {
    throw new ReleaseError("release_not_a_signature", "SHA256SUMS.sig is not a release signature");
  }
  const sig = unbase64url(lines[1]!.slice("signature: ".length));
  if (!sig || !verifyStrict(trust.release, RELEASE_SUMS, sums, sig)) {
    throw new ReleaseError("release_bad_signature", "SHA256SUMS is not signed by the authority's release key");
  }
  return parseSums(sums);
}

/** The files of `release` whose `served` bytes (null: not served) are not the release's. */
export function differing(release: ReleaseFile[], served: Map<string, Uint8Array | null>): string[] {
  return release
    .filter((f) => {
      const bytes = served.get(f.name);
      return !bytes || sha256Hex(bytes) !== f.sha256;
    })
    .map((f) => f.name);
}

// Notice bundles (spec section 12): decoding and verification with every check in order;
// opening a venue's notices (section 11.3) and checking their approval (section 11a); hour
// batches (section 12.3).

import { chacha20poly1305 } from "@noble/ciphers/chacha";
import { blake3 } from "@noble/hashes/blake3";
import { ascii, concat, hex, u64 } from "./bytes.js";
import { type Certificate, certDigest, certValidAt, decodeCertificate, verifyCert } from "./cert.js";
import { hoursCovered, noticeKey, TAG_LEN } from "./derive.js";
import { verifyStrict, verifyStrictFast } from "./poster.js";
import { ProtocolError, Reader, UTF8 } from "./reader.js";
import { textProblem } from "./text.js";
import { BUNDLE_DIGEST, BUNDLE_SIGNATURE, EMERGENCY_APPROVAL, NOTICE_APPROVAL } from "./domain.js";
import { type EmergencyOfficers, MAX_OFFICERS } from "./trust.js";

export const BUNDLE_VERSION = 2;
export const MAX_NOTICES = 256;
export const MAX_ENTRIES = 4096;
export const MAX_FUTURE_SKEW_SECS = 300;
export const MAX_BUNDLE_AGE_SECS = 1_209_600;
export const MAX_MESSAGE = 160;

export const noticeLenOk = (n: number): boolean => n % 16 === 0 && n >= 112 && n <= 528;

export interface Bundle {
  encoding: Uint8Array;
  cert: Certificate;
  createdAt: number;
  salt: Uint8Array;
  notices: Uint8Array[];
  /** The entries' tags, concatenated, ascending. */
  entries: Uint8Array;
  count: number;
  /** The bundle id (section 12.1). */
  id: Uint8Array;
}

/** What a client keeps to verify bundles: the pinned root, the revoked tracer keys (hex) of
 * the list it holds, and the certificates it has verified, by their exact bytes. */
export class BundleVerifier {
  /** Verified certificates by their exact bytes, with their tracer key in hex. */
  private readonly known = new Map<string, { cert: Certificate; tracer: string }>();
  /** The revoked tracer keys (hex) of the list the client holds. */
  revoked = new Set<string>();
  constructor(private readonly root: Uint8Array) {}

  /** Section 12.2: every check, in order; throws the first failure's error. */
  verify(encoding: Uint8Array, now: number): Bundle {
    const { bundle, sig } = this.checks(encoding, now);
    if (!verifyStrict(bundle.cert.tracerPublic, BUNDLE_SIGNATURE, bundle.id, sig)) throw badSignature();
    return bundle;
  }

  /** `verify`, with the signature checked by the browser's native Ed25519 where it has it. */
  async verifyFast(encoding: Uint8Array, now: number): Promise<Bundle> {
    const { bundle, sig } = this.checks(encoding, now);
    if (!(await verifyStrictFast(bundle.cert.tracerPublic, BUNDLE_SIGNATURE, bundle.id, sig))) {
      throw badSignature();
    }
    return bundle;
  }

  /** Checks 1 to 6 of section 12.2; the signature (check 7) is the caller's. */
  private checks(encoding: Uint8Array, now: number): { bundle: Bundle; sig: Uint8Array } {
    const bad = (code: string, why: string) => new ProtocolError(code, why);
    const r = new Reader(encoding, () => bad("bundle_truncated", "the bundle ends early"));
    const version = r.u8();
    if (version !== BUNDLE_VERSION) throw bad("bundle_unsupported_version", `bundle version ${version}`);
    const certBytes = r.take(r.u16());
    const createdAt = r.u64();
    const salt = r.take(16);
    const noticeLen = r.u16();
    if (!noticeLenOk(noticeLen)) throw bad("bundle_invalid_notice_length", `notice length ${noticeLen}`);
    const noticeCount = r.u16();
    if (noticeCount === 0) throw bad("bundle_no_notices", "the bundle holds no notice");
    if (noticeCount > MAX_NOTICES) throw bad("bundle_too_many_notices", `${noticeCount} notices`);
    const notices: Uint8Array[] = [];
    for (let i = 0; i < noticeCount; i++) notices.push(r.take(noticeLen));
    const count = r.u32();
    if (count === 0) throw bad("bundle_no_entries", "the bundle holds no entry");
    if (count > MAX_ENTRIES) throw bad("bundle_too_many_entries", `${count} entries`);
    const entries = r.take(count * TAG_LEN);
    const bodyLen = r.offset;
    const sig = r.take(64);
    if (r.rest !== 0) throw bad("bundle_trailing_bytes", "bytes follow the signature");
    for (let i = 1; i < count; i++) {
      if (compare(entries, (i - 1) * TAG_LEN, i * TAG_LEN) >= 0) {
        throw bad("bundle_entries_not_sorted", "the entries are not in ascending order");
      }
    }
    const key = String.fromCharCode(...certBytes);
    let known = this.known.get(key);
    if (!known) {
      const c = decodeCertificate(certBytes.slice());
      verifyCert(c, this.root);
      // Bounded: a flood of distinct valid certificates would need the root's key.
      known = { cert: c, tracer: hex(c.tracerPublic) };
      this.known.set(key, known);
    }
    const cert = known.cert;
    if (!cert.publish) throw bad("bundle_certificate_cannot_publish", "the tracer may not publish");
    if (this.revoked.has(known.tracer)) {
      throw bad("bundle_certificate_revoked", "the authority revoked this tracer");
    }
    if (!certValidAt(cert, createdAt)) {
      throw bad("bundle_outside_certificate_validity", "made outside the certificate's validity");
    }
    if (createdAt > now + MAX_FUTURE_SKEW_SECS) throw bad("bundle_from_the_future", "made in the future");
    if (createdAt + MAX_BUNDLE_AGE_SECS < now) throw bad("bundle_too_old", "made over 14 days ago");
    const id = blake3(encoding.subarray(0, bodyLen), { context: BUNDLE_DIGEST });
    return { bundle: { encoding, cert, createdAt, salt, notices, entries, count, id }, sig };
  }
}

const badSignature = () => new ProtocolError("bundle_bad_signature", "the tracer's signature does not verify");

function compare(b: Uint8Array, i: number, j: number): number {
  for (let k = 0; k < TAG_LEN; k++) {
    const d = b[i + k]! - b[j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

export interface NoticePayload {
  start: number;
  end: number;
  severity: 1 | 2;
  approver: 1 | 2;
  /** The approval as on the wire: the venue's signature, or `count` and the officers' pairs. */
  approval: Uint8Array;
  /** Approver 2: each officer's number (their `emergency` line in the trust file) and
   * signature; empty for approver 1. */
  officers: { officer: number; signature: Uint8Array }[];
  message: string;
}

const nonce = (index: number): Uint8Array => concat(new Uint8Array(4), u64(index));

/** Opens the `index`-th sealed notice under `key` (`noticeKey(venueId, salt)`), reached
 * through the entry of `hour`: section 11.3, steps 1 to 6. */
export function openNotice(key: Uint8Array, index: number, sealed: Uint8Array, hour: number): NoticePayload {
  const bad = (code: string, why: string) => new ProtocolError(code, why);
  let p: Uint8Array;
  try {
    p = chacha20poly1305(key, nonce(index)).decrypt(sealed);
  } catch {
    throw bad("notice_decryption_failed", "the notice is another venue's, or altered");
  }
  const r = new Reader(p, () => bad("notice_malformed_payload", "the notice ends early"));
  const start = r.u64();
  const end = r.u64();
  const severity = r.u8();
  if (severity !== 1 && severity !== 2) throw bad("notice_invalid_severity", `severity ${severity}`);
  const approver = r.u8();
  if (approver !== 1 && approver !== 2) throw bad("notice_invalid_approver", `approver ${approver}`);
  const officers: { officer: number; signature: Uint8Array }[] = [];
  let approval: Uint8Array;
  if (approver === 1) {
    approval = r.take(64);
  } else {
    const count = r.u8();
    if (count < 1 || count > MAX_OFFICERS) {
      throw bad("notice_malformed_payload", `an authority approval of ${count} signatures`);
    }
    approval = r.take(count * 65);
    for (let i = 0; i < count; i++) {
      officers.push({ officer: approval[i * 65]!, signature: approval.subarray(i * 65 + 1, (i + 1) * 65) });
    }
    approval = concat(new Uint8Array([count]), approval);
  }
  const len = r.u8();
  const msg = r.take(len);
  if (len > MAX_MESSAGE || r.take(r.rest).some((b) => b !== 0)) {
    throw bad("notice_malformed_payload", "the message is too long or the padding is not zero");
  }
  let message: string;
  try {
    message = UTF8.decode(msg);
  } catch {
    throw bad("notice_invalid_message", "the message is not valid UTF-8");
  }
  const problem = textProblem(message, MAX_MESSAGE, false);
  if (problem) throw bad("notice_invalid_message", `the message ${problem}`);
  if (end <= start || end - start > 1_209_600) throw bad("notice_invalid_window", "the window is empty or over 14 days");
  const [first, last] = hoursCovered(start, end);
  if (hour < first || hour > last) throw bad("notice_window_outside_hour", "the window does not cover the entry's hour");
  return { start, end, severity, approver, approval, officers, message };
}

/** The statement an approval signs (section 11a). */
export function statement(p: NoticePayload, venueId: Uint8Array, digest: Uint8Array): Uint8Array {
  const m = ascii(p.message);
  return concat(venueId, digest, u64(p.start), u64(p.end), new Uint8Array([p.severity, m.length]), m);
}

/** Section 11.3, step 7: why the approval is not good, as the spec's error name, or null
 * when it is: the venue's signature under its poster key (approver 1), or at least the trust
 * file's threshold of its emergency officers, each known, none twice, every signature
 * verifying (approver 2, section 11a). */
export function approvalProblem(
  p: NoticePayload,
  venueId: Uint8Array,
  cert: Certificate,
  venueKey: Uint8Array,
  officers: EmergencyOfficers,
): string | null {
  const st = statement(p, venueId, certDigest(cert));
  if (p.approver === 1) {
    return verifyStrict(venueKey, NOTICE_APPROVAL, st, p.approval) ? null : "notice_bad_approval";
  }
  if (p.officers.length < officers.threshold) return "notice_too_few_officers";
  if (p.officers.some((o) => o.officer >= officers.keys.length)) return "notice_unknown_officer";
  if (p.officers.some((o, i) => p.officers.slice(0, i).some((q) => q.officer === o.officer))) {
    return "notice_duplicate_officer";
  }
  const allVerify = p.officers.every((o) =>
    verifyStrict(officers.keys[o.officer]!, EMERGENCY_APPROVAL, st, o.signature),
  );
  return allVerify ? null : "notice_bad_approval";
}

/** Whether the approval is good ([`approvalProblem`] finds nothing). */
export function approvalOk(
  p: NoticePayload,
  venueId: Uint8Array,
  cert: Certificate,
  venueKey: Uint8Array,
  officers: EmergencyOfficers,
): boolean {
  return approvalProblem(p, venueId, cert, venueKey, officers) === null;
}

/** Opens, checks and approves one notice (section 11.3, all seven steps). */
export function openApprovedNotice(
  venueId: Uint8Array,
  venueKey: Uint8Array,
  salt: Uint8Array,
  index: number,
  sealed: Uint8Array,
  hour: number,
  cert: Certificate,
  officers: EmergencyOfficers,
): NoticePayload {
  const p = openNotice(noticeKey(venueId, salt), index, sealed, hour);
  const problem = approvalProblem(p, venueId, cert, venueKey, officers);
  if (problem !== null) {
    throw new ProtocolError(problem, "nobody entitled approved this notice (the venue, or enough of the authority's officers)");
  }
  return p;
}

export const BATCH_VERSION = 2;
export const MAX_BATCH_BUNDLES = 65536;

/** Decodes the batch asked for as `hour` (section 12.3) into its bundles' bytes. */
export function decodeBatch(bytes: Uint8Array, hour: number): Uint8Array[] {
  const bad = (code: string, why: string) => new ProtocolError(code, why);
  const r = new Reader(bytes, () => bad("batch_truncated", "the batch ends early"));
  const version = r.u8();
  if (version !== BATCH_VERSION) throw bad("batch_unsupported_version", `batch version ${version}`);
  const got = r.u64();
  if (got !== hour) throw bad("batch_wrong_hour", `asked for hour ${hour}, got ${got}`);
  const count = r.u32();
  if (count > MAX_BATCH_BUNDLES) throw bad("batch_too_many_bundles", `${count} bundles`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(r.take(r.u32()));
  if (r.rest !== 0) throw bad("batch_trailing_bytes", "bytes follow the last bundle");
  return out;
}

/** Hours in a UTC day. */
export const DAY_HOURS = 24;

/** Splits the day file asked for as `day` (section 12.3, "Day files") into its 24 hour batches,
 * `[hour, batch]` in order, each still to be decoded with decodeBatch for its hour. */
export function decodeDay(bytes: Uint8Array, day: number): [number, Uint8Array][] {
  const bad = (code: string, why: string) => new ProtocolError(code, why);
  const r = new Reader(bytes, () => bad("day_truncated", "the day file ends early"));
  const version = r.u8();
  if (version !== BATCH_VERSION) throw bad("day_unsupported_version", `day file version ${version}`);
  const got = r.u64();
  if (got !== day) throw bad("day_wrong_day", `asked for day ${day}, got ${got}`);
  const out: [number, Uint8Array][] = [];
  for (let i = 0; i < DAY_HOURS; i++) out.push([day * DAY_HOURS + i, r.take(r.u32())]);
  if (r.rest !== 0) throw bad("day_trailing_bytes", "bytes follow the last hour");
  return out;
}



// The authority's trust file (spec section 16a), parsed strictly, in the order of its checks,
// its root's signature verified; and the rule by which a pinned file is replaced.

import { base64url, equal, unbase64url } from "./bytes.js";
import { ed25519KeyOk, x25519KeyOk } from "./keys.js";
import { verifyStrict } from "./poster.js";
import { textProblem } from "./text.js";

/** Ed25519 context of the root's signature over a trust file (Rust: `domain::TRUST_FILE`). */
const TRUST_FILE_SIGNATURE = "checkin/v2/trust-file";

export const TRUST_HEADER = "checkin-trust v1";
export const MAX_SEALING_PERIODS = 64;
const DAY = 86_400;

export interface SealingPeriod {
  /** First second, Unix time (a UTC midnight). */
  from: number;
  /** First second after the period. */
  until: number;
  key: Uint8Array;
}

export interface TrustAnchor {
  authority: string;
  /** Grows with each file the authority issues. */
  serial: bigint;
  root: Uint8Array;
  /** The emergency officers (section 11a): their keys in the file's order, and how many of
   * them must approve together. */
  emergency: EmergencyOfficers;
  case: Uint8Array;
  /** The key that signs releases of this app (section 16d), if the authority names one. */
  release: Uint8Array | null;
  sealing: SealingPeriod[];
}

export interface EmergencyOfficers {
  keys: Uint8Array[];
  threshold: number;
}

/** Fewest and most emergency officers a trust file lists (Rust: `approval::MIN_OFFICERS`,
 * `MAX_OFFICERS`). */
export const MIN_OFFICERS = 2;
export const MAX_OFFICERS = 5;

/** A refused trust file; `code` is the spec's error name. */
export class TrustError extends Error {
  constructor(
    readonly code: string,
    why: string,
  ) {
    super(`the trust file is not usable: ${why}`);
  }
}

/** A strict `YYYY-MM-DD` (1970-01-01 to 9999-12-31) as days after 1970-01-01, or null. */
export function parseDay(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return null;
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return null;
  }
  return t / 1000 / DAY;
}

/** The key that seals the vault records of the hour starting at Unix time `t`, if any. */
export function sealingKeyAt(t: TrustAnchor, at: number): Uint8Array | null {
  return t.sealing.find((p) => p.from <= at && at < p.until)?.key ?? null;
}

// Section 16a trims ASCII spaces, tabs and carriage returns only: String.prototype.trim
// would also remove a byte order mark and Unicode spaces, which the Rust reader keeps.
const trim = (s: string) => s.replace(/^[ \t\r]+|[ \t\r]+$/g, "");
const meaningful = (text: string) =>
  text
    .split("\n")
    .map(trim)
    .filter((l) => l !== "" && !l.startsWith("#"));

/** Parses a trust file strictly and verifies its signature under the root it names. */
export function parseTrust(text: string): TrustAnchor {
  if (meaningful(text)[0] !== TRUST_HEADER) {
    throw new TrustError("trust_not_a_trust_file", `it does not start with '${TRUST_HEADER}'`);
  }
  // The last line is the signature; it covers every byte before it.
  const end = text.replace(/[ \t\r\n]+$/, "");
  const start = end.lastIndexOf("\n") + 1;
  const body = text.slice(0, start);
  const last = end.slice(start);
  const colon = last.indexOf(":");
  if (colon < 0 || trim(last.slice(0, colon)) !== "signature") {
    throw new TrustError("trust_unsigned", "it does not end with the root's signature line");
  }
  const anchor = parseBody(body);
  const sig = unbase64url(trim(last.slice(colon + 1)));
  const message = new TextEncoder().encode(body);
  if (!sig || !verifyStrict(anchor.root, TRUST_FILE_SIGNATURE, message, sig)) {
    throw new TrustError(
      "trust_bad_signature",
      "its signature does not verify under its root key: it was altered after the authority signed it",
    );
  }
  return anchor;
}

/** Whether `offered` may replace `pinned`: the same root, a serial not older (section 16a). */
export function checkReplaces(offered: TrustAnchor, pinned: TrustAnchor): void {
  if (!equal(offered.root, pinned.root)) {
    throw new TrustError("trust_different_root", "it is of another authority than the pinned one");
  }
  if (offered.serial < pinned.serial) {
    throw new TrustError(
      "trust_older_serial",
      `it is older (serial ${offered.serial}) than the pinned one (serial ${pinned.serial})`,
    );
  }
}

/** The root key of a trust file pinned before trust files were signed (section 16a, "Legacy
 * pins"), or null when `text` is no such file (Rust: `pin::legacy_root`). Only the root was
 * ever checked in such a file, so nothing else of it is read. */
export function legacyRoot(text: string): Uint8Array | null {
  const lines = meaningful(text);
  if (lines[0] !== TRUST_HEADER) return null;
  let root: string | null = null;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) return null;
    const name = trim(line.slice(0, colon));
    if (name === "serial" || name === "signature") return null;
    if (name === "root") {
      if (root !== null) return null;
      root = trim(line.slice(colon + 1));
    }
  }
  const key = root === null ? null : unbase64url(root);
  return key && key.length === 32 && ed25519KeyOk(key) ? key : null;
}

/** What a phone pins after being offered `offeredText` (null: none could be fetched) while
 * holding `pinnedText` (null: nothing pinned yet): the first file pins itself; later only a
 * file that `checkReplaces` the pinned one. `refused` says why an offered file was not taken;
 * the pinned one then stays. A pin from before files were signed pins its root only: `legacy`
 * is then true, `anchor` null until a file that root signed replaces it (any serial). */
export function chooseTrust(
  pinnedText: string | null,
  offeredText: string | null,
): { text: string | null; anchor: TrustAnchor | null; refused: TrustError | null; legacy?: boolean } {
  const asError = (e: unknown) =>
    e instanceof TrustError ? e : new TrustError("trust_malformed", String(e));
  if (pinnedText === null) {
    if (offeredText === null) return { text: null, anchor: null, refused: null };
    try {
      return { text: offeredText, anchor: parseTrust(offeredText), refused: null };
    } catch (e) {
      return { text: null, anchor: null, refused: asError(e) };
    }
  }
  let pinned: TrustAnchor;
  try {
    pinned = parseTrust(pinnedText);
  } catch (e) {
    const root = asError(e).code === "trust_unsigned" ? legacyRoot(pinnedText) : null;
    // A damaged pin: nothing is trusted.
    if (root === null) return { text: pinnedText, anchor: null, refused: asError(e) };
    if (offeredText === null) return { text: pinnedText, anchor: null, refused: null, legacy: true };
    try {
      const offered = parseTrust(offeredText);
      if (!equal(offered.root, root)) {
        throw new TrustError("trust_different_root", "it is of another authority than the pinned one");
      }
      return { text: offeredText, anchor: offered, refused: null, legacy: true };
    } catch (e2) {
      return { text: pinnedText, anchor: null, refused: asError(e2), legacy: true };
    }
  }
  if (offeredText === null || offeredText === pinnedText) {
    return { text: pinnedText, anchor: pinned, refused: null };
  }
  try {
    const offered = parseTrust(offeredText);
    checkReplaces(offered, pinned);
    return { text: offeredText, anchor: offered, refused: null };
  } catch (e) {
    return { text: pinnedText, anchor: pinned, refused: asError(e) };
  }
}

/** The root key as people compare it: base64url in groups of four characters. */
export function rootFingerprint(t: TrustAnchor): string {
  return keyFingerprint(t.root);
}

/** A public key as people compare it: base64url in groups of four characters. */
export function keyFingerprint(key: Uint8Array): string {
  return (base64url(key).match(/.{1,4}/g) ?? []).join(" ");
}

/** What a phone pins, given the root its app was built for (`baked`, section 16d): as
 * `chooseTrust`, but a pin under another root is not obeyed (`tampered`: something rewrote
 * it, since the app never pins such a file) and is replaced by an offered file of the baked
 * root, whatever its serial (`repaired`); and a first file is pinned only if the baked root
 * signed it. */
export function chooseBakedTrust(
  baked: Uint8Array,
  pinnedText: string | null,
  offeredText: string | null,
): ReturnType<typeof chooseTrust> & { tampered?: boolean; repaired?: boolean } {
  const asError = (e: unknown) =>
    e instanceof TrustError ? e : new TrustError("trust_malformed", String(e));
  const notBaked = () =>
    new TrustError("trust_different_root", "it is of another authority than the one this app was built for");
  let pinnedRoot: Uint8Array | null = null;
  if (pinnedText !== null) {
    try {
      pinnedRoot = parseTrust(pinnedText).root;
    } catch {
      pinnedRoot = legacyRoot(pinnedText);
    }
  }
  if (pinnedText !== null && pinnedRoot !== null && !equal(pinnedRoot, baked)) {
    if (offeredText === null) return { text: pinnedText, anchor: null, refused: null, tampered: true };
    try {
      const offered = parseTrust(offeredText);
      if (!equal(offered.root, baked)) throw notBaked();
      return { text: offeredText, anchor: offered, refused: null, tampered: true, repaired: true };
    } catch (e) {
      return { text: pinnedText, anchor: null, refused: asError(e), tampered: true };
    }
  }
  const chosen = chooseTrust(pinnedText, offeredText);
  if (pinnedText === null && chosen.anchor && !equal(chosen.anchor.root, baked)) {
    return { text: null, anchor: null, refused: notBaked() };
  }
  return chosen;
}

/** The emergency lines and threshold (section 16a, rule 5), after the root key. */
function parseOfficers(
  lines: string[],
  thresholdText: string | undefined,
  root: Uint8Array,
  key32: (value: string | undefined, what: string) => Uint8Array,
): EmergencyOfficers {
  const malformed = (why: string) => new TrustError("trust_malformed", why);
  if (lines.length === 0) throw malformed("the emergency field is missing");
  if (thresholdText === undefined) throw malformed("the emergency_threshold field is missing");
  if (!ed25519KeyOk(root)) throw new TrustError("trust_invalid_key", "the root key");
  const keys: Uint8Array[] = [];
  for (const line of lines) {
    const key = key32(line, "emergency");
    if (!ed25519KeyOk(key)) throw new TrustError("trust_invalid_key", "an emergency key");
    if (equal(key, root) || keys.some((k) => equal(k, key))) {
      throw malformed("an emergency key appears twice, or is the root key");
    }
    keys.push(key);
  }
  const threshold = /^[1-9][0-9]?$/.test(thresholdText) ? Number(thresholdText) : 0;
  if (keys.length < MIN_OFFICERS || keys.length > MAX_OFFICERS || threshold < MIN_OFFICERS || threshold > keys.length) {
    throw new TrustError(
      "trust_invalid_threshold",
      `${keys.length} emergency keys with a threshold of ${thresholdText}: 2 to 5 officers and a threshold from 2 to their number`,
    );
  }
  return { keys, threshold };
}

function parseBody(text: string): TrustAnchor {
  const lines = meaningful(text);
  const malformed = (why: string) => new TrustError("trust_malformed", why);
  const fields = new Map<string, string>();
  const sealingLines: string[] = [];
  const emergencyLines: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) throw malformed("a line has no ':'");
    const name = trim(line.slice(0, colon));
    const value = trim(line.slice(colon + 1));
    if (name === "sealing") {
      sealingLines.push(value);
      continue;
    }
    if (name === "emergency") {
      emergencyLines.push(value);
      continue;
    }
    if (!["authority", "serial", "root", "emergency_threshold", "case", "release"].includes(name)) {
      throw malformed("unknown field");
    }
    if (fields.has(name)) throw malformed("a field appears twice");
    fields.set(name, value);
  }
  const authority = fields.get("authority");
  if (authority === undefined) throw malformed("the authority field is missing");
  const problem = textProblem(authority, 64, true);
  if (problem) throw new TrustError("trust_invalid_name", `the authority name ${problem}`);
  const serialText = fields.get("serial");
  if (serialText === undefined) throw malformed("the serial field is missing");
  if (!/^[1-9][0-9]*$/.test(serialText) || BigInt(serialText) > 0xffff_ffff_ffff_ffffn) {
    throw malformed("the serial is not a whole number from 1 to 2^64 - 1 without leading zeros");
  }
  const serial = BigInt(serialText);
  const key32 = (value: string | undefined, what: string): Uint8Array => {
    if (value === undefined) throw malformed(`the ${what} field is missing`);
    const k = unbase64url(value);
    if (!k || k.length !== 32) throw new TrustError("trust_invalid_key", `the ${what} key`);
    return k;
  };
  const root = key32(fields.get("root"), "root");
  const emergency = parseOfficers(emergencyLines, fields.get("emergency_threshold"), root, key32);
  const caseKey = key32(fields.get("case"), "case");
  if (!x25519KeyOk(caseKey)) throw new TrustError("trust_invalid_key", "the case key");
  const releaseText = fields.get("release");
  let release: Uint8Array | null = null;
  if (releaseText !== undefined) {
    release = key32(releaseText, "release");
    if (!ed25519KeyOk(release)) throw new TrustError("trust_invalid_key", "the release key");
    if (equal(release, root) || emergency.keys.some((k) => equal(k, release!))) {
      throw malformed("the release key is the root key or an emergency key");
    }
  }
  if (sealingLines.length === 0) throw malformed("the sealing field is missing");
  if (sealingLines.length > MAX_SEALING_PERIODS) {
    throw new TrustError("trust_invalid_period", "more than 64 sealing periods");
  }
  const sealing: SealingPeriod[] = [];
  const hexOf = (k: Uint8Array) => Array.from(k).join(",");
  const seen = new Set([hexOf(caseKey)]);
  for (const line of sealingLines) {
    const parts = line.split(" ");
    if (parts.length !== 3) throw malformed("a sealing line is not 'FROM UNTIL KEY'");
    const [from, until] = [parseDay(parts[0]!), parseDay(parts[1]!)];
    if (from === null || until === null) {
      throw new TrustError("trust_invalid_period", "a sealing period's day is not a date");
    }
    if (from >= until) {
      throw new TrustError("trust_invalid_period", "a sealing period does not end after it starts");
    }
    const last = sealing[sealing.length - 1];
    if (last && last.until !== from * DAY) {
      throw new TrustError("trust_invalid_period", "sealing periods leave a gap or overlap");
    }
    const key = key32(parts[2], "sealing");
    if (!x25519KeyOk(key)) throw new TrustError("trust_invalid_key", "a sealing key");
    if (seen.has(hexOf(key))) throw malformed("a sealing key appears twice, or is the case key");
    seen.add(hexOf(key));
    sealing.push({ from: from * DAY, until: until * DAY, key });
  }
  return { authority, serial, root, emergency, case: caseKey, release, sealing };
}

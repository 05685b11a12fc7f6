// Case diaries (spec section 16): a citizen's visits, sealed with HPKE to the authority's case
// key, for a contact tracer after a positive test.

import { blake3 } from "@noble/hashes/blake3";
import { ascii, concat, equal, u16, u64 } from "./bytes.js";
import { open, seal } from "./hpke.js";
import { decodePoster, type Poster } from "./poster.js";
import { ProtocolError, Reader } from "./reader.js";
import { CASE_CODE_ID, CASE_CODE_KEY, CASE_DIARY } from "./domain.js";

export const MAX_CASE_VISITS = 2000;
/** The only plaintext sizes (spec 16): a diary is padded with zeros to the smallest that holds
 * it, so a file's size tells only which of three ranges its number of visits lies in. */
export const CASE_SIZES = [16_384, 131_072, 802_816] as const;
export const MIN_CASE_LEN = 16_433;
export const MAX_CASE_LEN = 802_865;
const paddedSize = (used: number): number | undefined => CASE_SIZES.find((s) => s >= used);
const INFO = ascii(CASE_DIARY);
const VERSION = new Uint8Array([2]);

export interface CaseVisit {
  poster: Uint8Array;
  arrival: number;
  departure: number;
}

const visitOk = (v: { arrival: number; departure: number }) =>
  v.arrival <= v.departure && v.departure - v.arrival <= 1_209_600;

/** The case file of `visits` made at `createdAt`, sealed to the trust file's case key. */
export async function sealCase(visits: CaseVisit[], createdAt: number, casePublic: Uint8Array): Promise<Uint8Array> {
  if (visits.length > MAX_CASE_VISITS) throw new ProtocolError("case_too_many_visits", `at most ${MAX_CASE_VISITS} visits`);
  if (!visits.every(visitOk)) throw new ProtocolError("case_invalid_visit", "a visit ends before it starts or lasts over 14 days");
  const body = concat(
    u64(createdAt),
    u16(visits.length),
    ...visits.flatMap((v) => [u16(v.poster.length), v.poster, u64(v.arrival), u64(v.departure)]),
  );
  const size = paddedSize(body.length);
  if (size === undefined) throw new ProtocolError("case_too_many_visits", "the diary is larger than the largest case file");
  const plain = new Uint8Array(size);
  plain.set(body);
  const out = concat(VERSION, await seal(casePublic, INFO, VERSION, plain));
  plain.fill(0);
  return out;
}

export interface CaseDiary {
  createdAt: number;
  visits: { poster: Poster; arrival: number; departure: number }[];
}

/** Opens a case file with the case key: the authority's side, every check of section 16 in
 * order (the app only seals; the vectors check this side too). */
export async function openCase(file: Uint8Array, caseSecret: Uint8Array): Promise<CaseDiary> {
  // The length checks a server makes too (section 16b), before opening, under the same names.
  if (file.length === 0) throw new ProtocolError("case_truncated", "the case file is empty");
  if (file[0] !== 2) throw new ProtocolError("case_unsupported_version", `case file version ${file[0]}`);
  if (file.length < MIN_CASE_LEN) throw new ProtocolError("case_truncated", `a case file is at least ${MIN_CASE_LEN} bytes`);
  if (file.length > MAX_CASE_LEN) throw new ProtocolError("case_too_many_visits", `a case file is at most ${MAX_CASE_LEN} bytes`);
  if (!(CASE_SIZES as readonly number[]).includes(file.length - 1 - 32 - 16)) {
    throw new ProtocolError("case_malformed", `a case file is 1 + 32 + s + 16 bytes for s one of ${CASE_SIZES.join(", ")}`);
  }
  let p: Uint8Array;
  try {
    p = await open(caseSecret, INFO, VERSION, file.subarray(1));
  } catch {
    throw new ProtocolError("case_decryption_failed", "not sealed to this case key, or altered");
  }
  const malformed = () => new ProtocolError("case_malformed", "the case diary is not canonical");
  if (!(CASE_SIZES as readonly number[]).includes(p.length)) throw malformed();
  const r = new Reader(p, malformed);
  const createdAt = r.u64();
  const count = r.u16();
  if (count > MAX_CASE_VISITS) throw new ProtocolError("case_too_many_visits", `${count} visits`);
  const visits: CaseDiary["visits"] = [];
  for (let i = 0; i < count; i++) {
    const bytes = r.take(r.u16());
    let poster: Poster;
    try {
      poster = decodePoster(bytes.slice());
    } catch (e) {
      throw new ProtocolError("case_invalid_poster", `visit ${i + 1}: ${(e as Error).message}`);
    }
    const arrival = r.u64();
    const departure = r.u64();
    if (!visitOk({ arrival, departure })) throw new ProtocolError("case_invalid_visit", `visit ${i + 1} has impossible times`);
    visits.push({ poster, arrival, departure });
  }
  const used = r.offset;
  if (r.take(r.rest).some((b) => b !== 0) || paddedSize(used) !== p.length) throw malformed();
  return { createdAt, visits };
}

// The hand-over by code (spec 16.1): the phone draws the code it shows, gives the server only
// a one-way id of it and the file's tag under a key the code gives, and the tracer checks the
// tag. Mirrors CaseCode in protocol/src/case.rs.

/** RFC 4648 base32: no 0, 1, 8 or 9, so nothing reads as O, I or B. */
export const CASE_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const CASE_CODE_LEN = 16;

/** A fresh code in its canonical form (16 characters, no hyphens): each character one random
 * byte's low 5 bits, every character equally likely. */
export function newCaseCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return Array.from(random(CASE_CODE_LEN), (b) => CASE_CODE_ALPHABET[b & 31]).join("");
}

/** A code as a person types it (either case, `-` and spaces ignored, 0 as O, 1 as I), in its
 * canonical form; `case_code_malformed` unless 16 characters of the alphabet. */
export function parseCaseCode(typed: string): string {
  const c = typed
    .replace(/[- ]/g, "")
    .toUpperCase()
    .replace(/0/g, "O")
    .replace(/1/g, "I");
  if (c.length !== CASE_CODE_LEN || ![...c].every((ch) => CASE_CODE_ALPHABET.includes(ch))) {
    throw new ProtocolError("case_code_malformed", "a case code is 16 letters and digits 2 to 7, such as ABCD-EFGH-JKLM-NPQR");
  }
  return c;
}

/** The code as shown and read out: four groups of four joined by `-`. */
export const showCaseCode = (canonical: string): string => canonical.match(/.{1,4}/g)!.join("-");

/** The 16-byte id the server holds the file under. */
export const caseId = (canonical: string): Uint8Array => blake3(ascii(canonical), { context: CASE_CODE_ID }).slice(0, 16);

/** The key of the tag (never sent anywhere). */
export const caseTagKey = (canonical: string): Uint8Array => blake3(ascii(canonical), { context: CASE_CODE_KEY });

/** The tag that binds `file` to the code: BLAKE3 keyed by the code's tag key. */
export const caseTag = (canonical: string, file: Uint8Array): Uint8Array => blake3(file, { key: caseTagKey(canonical) });

/** Checks that `tag` binds `file` to the code, else `case_code_mismatch` (the tracer's side;
 * the app only makes tags, the vectors check this side too). */
export function verifyCaseTag(canonical: string, file: Uint8Array, tag: Uint8Array): void {
  if (!equal(caseTag(canonical, file), tag)) {
    throw new ProtocolError("case_code_mismatch", "the case file does not match its code: it is not the file the phone sent");
  }
}

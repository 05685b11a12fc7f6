// Case diaries (spec section 16): a citizen's visits, sealed with HPKE to the authority's case
// key, for a contact tracer after a positive test.

import { ascii, concat, u16, u64 } from "./bytes.js";
import { open, seal } from "./hpke.js";
import { decodePoster, type Poster } from "./poster.js";
import { ProtocolError, Reader } from "./reader.js";
import { CASE_DIARY } from "./domain.js";

export const MAX_CASE_VISITS = 2000;
export const MIN_CASE_LEN = 1_073;
export const MAX_CASE_LEN = 802_865;
const PAD = 1024;
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
  const plain = new Uint8Array(Math.max(1, Math.ceil(body.length / PAD)) * PAD);
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
  if ((file.length - 1 - 32 - 16) % PAD !== 0) throw new ProtocolError("case_malformed", "a case file is 1 + 32 + k × 1024 + 16 bytes");
  let p: Uint8Array;
  try {
    p = await open(caseSecret, INFO, VERSION, file.subarray(1));
  } catch {
    throw new ProtocolError("case_decryption_failed", "not sealed to this case key, or altered");
  }
  const malformed = () => new ProtocolError("case_malformed", "the case diary is not canonical");
  if (p.length === 0 || p.length % PAD !== 0) throw malformed();
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
  if (r.take(r.rest).some((b) => b !== 0) || p.length !== Math.max(1, Math.ceil(used / PAD)) * PAD) throw malformed();
  return { createdAt, visits };
}

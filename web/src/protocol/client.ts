// The rules every phone client follows when it syncs and keeps its diary (spec sections 12.3,
// 13 and 13a): the mirror of protocol/src/client.rs. Which hours a sync fetches, when an
// answer closes an hour, when a held hour is looked at again, what identifies an alert, and
// when an open visit ends by itself. Both clients run spec/vectors/client.json against these.
// Pure: the clock, the server's Date and the random draw are passed in.

import { blake3 } from "@noble/hashes/blake3";
import { concat, u16, u64 } from "./bytes.js";
import { ALERT_ID } from "./domain.js";

export { DEFAULT_THRESHOLD_SECS } from "./matching.js";

/** How many hours back from the current one a sync looks (14 days of retention and a day). */
export const SYNC_HOURS = 360;
/** How many hours back a held hour is looked at again: the servers' retention. */
export const RECHECK_HOURS = 336;
/** Earliest second look at a held hour, after it was held. */
export const RECHECK_MIN_SECS = 3600;
/** The second look falls at a uniformly random moment this long after the earliest. */
export const RECHECK_SPREAD_SECS = 23 * 3600;
/** Syncs that fetch a closed hour whose batch failed verification before it is held anyway. */
export const FETCH_TRIES = 3;
/** Seconds after an hour ends before it counts as closed (spec section 12.3). */
export const CLOSE_GRACE_SECS = 120;
/** Longest automatic stay: 12 hours, whatever the poster's default stay. */
export const MAX_AUTO_STAY_SECS = 12 * 3600;

/** Whether epoch hour `hour` has closed at `t`: its batch is final. */
export const isClosed = (hour: number, t: number): boolean => t >= (hour + 1) * 3600 + CLOSE_GRACE_SECS;

/** The first and last hour a sync at `now` looks at. */
export function syncWindow(now: number): [number, number] {
  const nowHour = Math.floor(now / 3600);
  return [Math.max(0, nowHour - SYNC_HOURS), nowHour];
}

/** What a client knows of one hour of its sync window. */
export type HourState = { held: false; tries: number } | { held: true; recheckAt: number | null };

/** What the server answered for an hour's batch: `batch_whole` (200, nothing failed, or only
 * finally), `batch_failed` (200, the batch or a bundle failed), `gone` (410), `not_yet` (404). */
export type Answer = "batch_whole" | "batch_failed" | "gone" | "not_yet";

/** Whether a sync at `now` fetches `hour` in state `state`. */
export function isDue(hour: number, state: HourState, now: number): boolean {
  if (!state.held) return true;
  return state.recheckAt !== null && state.recheckAt <= now && hour + RECHECK_HOURS >= Math.floor(now / 3600);
}

/** The hours a sync at `now` fetches, oldest first. */
export function hoursToFetch(now: number, state: (hour: number) => HourState): number[] {
  const [first, last] = syncWindow(now);
  const out: number[] = [];
  for (let h = first; h <= last; h++) if (isDue(h, state(h), now)) out.push(h);
  return out;
}

/** One request of a sync: a closed day's file (`GET /v1/days/{day}`), or one hour's batch. */
export type Fetch = { day: number } | { hour: number };

/** Whether UTC day `day` has closed at `t`: its last hour has closed. */
export const isDayClosed = (day: number, t: number): boolean => isClosed(day * 24 + 23, t);

/** The requests a sync at `now` makes, oldest first (spec section 12.3, rule 1): a closed day
 * whose hours in the window are all due, or held and older than RECHECK_HOURS, one at least
 * due, as its day file; otherwise its due hours one by one. The mirror of client.rs's
 * sync_plan; client.json's `plans` are the vectors. */
export function syncPlan(now: number, state: (hour: number) => HourState): Fetch[] {
  const [first, last] = syncWindow(now);
  const nowHour = Math.floor(now / 3600);
  const out: Fetch[] = [];
  for (let day = Math.floor(first / 24); day <= Math.floor(last / 24); day++) {
    const from = Math.max(day * 24, first);
    const to = Math.min(day * 24 + 23, last);
    const due: number[] = [];
    let whole = isDayClosed(day, now);
    for (let h = from; h <= to; h++) {
      const s = state(h);
      if (isDue(h, s, now)) due.push(h);
      else if (!(s.held && h + RECHECK_HOURS < nowHour)) whole = false;
    }
    if (whole && due.length > 0) out.push({ day });
    else for (const hour of due) out.push({ hour });
  }
  return out;
}

/** The hours a day answer stands for in a sync at `now`: those of `day` in the window that are
 * due. */
export function dayHoursDue(day: number, now: number, state: (hour: number) => HourState): number[] {
  const [first, last] = syncWindow(now);
  const out: number[] = [];
  for (let h = Math.max(day * 24, first); h <= Math.min(day * 24 + 23, last); h++) if (isDue(h, state(h), now)) out.push(h);
  return out;
}

/** Whether an answer produced at `serverDate` (its Date header, null when it has none that
 * parseHttpDate reads) shows `hour` closed to a client whose clock reads `now`: the earlier of
 * the two clocks must be past the close. */
export const closedByAnswer = (hour: number, now: number, serverDate: number | null): boolean =>
  serverDate !== null && isClosed(hour, Math.min(serverDate, now));

/** The state of `hour` after a sync at `now` got `answer` for it, produced at `serverDate`.
 * `random` is a uniformly random 64-bit number drawn for this hour: it places the second look. */
export function afterAnswer(
  hour: number,
  state: HourState,
  answer: Answer,
  now: number,
  serverDate: number | null,
  random: bigint,
): HourState {
  if (answer === "not_yet" || !closedByAnswer(hour, now, serverDate)) return state;
  const firstLook = (): HourState => ({
    held: true,
    recheckAt:
      hour + RECHECK_HOURS >= Math.floor(now / 3600)
        ? now + RECHECK_MIN_SECS + Number(random % BigInt(RECHECK_SPREAD_SECS + 1))
        : null,
  });
  if (state.held) return { held: true, recheckAt: null };
  if (answer === "batch_whole" || answer === "gone") return firstLook();
  const tries = state.tries + 1;
  return tries >= FETCH_TRIES ? firstLook() : { held: false, tries };
}

/** A uniformly random 64-bit number, for afterAnswer. */
export function randomU64(): bigint {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const IMF_FIXDATE = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Reads an HTTP Date header in the IMF-fixdate form (RFC 9110 section 5.6.7) as Unix seconds;
 * null for anything else. */
export function parseHttpDate(text: string | null): number | null {
  const m = IMF_FIXDATE.exec(text ?? "");
  if (!m || !DAYS.includes(m[1]!)) return null;
  const month = MONTHS.indexOf(m[3]!);
  const [day, year, hh, mm, ss] = [m[2], m[4], m[5], m[6], m[7]].map(Number) as [number, number, number, number, number];
  if (month < 0 || year < 1970 || day === 0 || hh > 23 || mm > 59 || ss > 60) return null;
  // Days in the month: day 0 of the next month is its last day.
  if (day > new Date(Date.UTC(year, month + 1, 0)).getUTCDate()) return null;
  return Date.UTC(year, month, day) / 1000 + hh * 3600 + mm * 60 + ss;
}

/** What identifies a notice for its alert: its window, severity and message. */
export interface AlertKey {
  /** The diary's own id of the visit. */
  visit: string;
  start: number;
  end: number;
  severity: number;
  message: string;
}

const u32 = (n: number): Uint8Array => new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

/** An alert's identity (spec section 13): 16 bytes, lower-case hex. The same notice for the
 * same visit has the same id whichever bundle brought it, so it alerts once. */
export function alertId(k: AlertKey): string {
  const visit = new TextEncoder().encode(k.visit);
  const message = new TextEncoder().encode(k.message);
  const input = concat(u32(visit.length), visit, u64(k.start), u64(k.end), new Uint8Array([k.severity]), u16(message.length), message);
  const digest = blake3(input, { context: ALERT_ID });
  return Array.from(digest.subarray(0, 16), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** When a visit that began at `arrival` ends by itself, for a poster's default stay. */
export const autoDeparture = (arrival: number, defaultStayMinutes: number): number =>
  arrival + Math.min(defaultStayMinutes * 60, MAX_AUTO_STAY_SECS);

/** The departure a visit is matched with at `now`: its own if it ended; while it is open, now or
 * its automatic check-out, whichever comes first, never before its arrival. */
export const matchedDeparture = (arrival: number, departure: number | null, auto: number, now: number): number =>
  departure ?? Math.max(arrival, Math.min(now, auto));

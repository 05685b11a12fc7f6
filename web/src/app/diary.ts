// What the diary does with visits, kept apart from the screens and the storage so that vitest
// can run it: check-in, check-out, the automatic check-out, deleting, and forgetting after
// 14 days (spec section 17.1).

import { base64url, unbase64url } from "../protocol/bytes.js";
import { autoDeparture as autoDepartureAt } from "../protocol/client.js";
import { type Poster, decodePoster, validityProblem } from "../protocol/poster.js";
import type { Diary, VisitRec } from "./store.js";

export const RETENTION_SECS = 14 * 86_400;

/** When a visit to `p` that began at `arrival` ends by itself (spec section 13a). */
export const autoDeparture = (p: Poster, arrival: number): number => autoDepartureAt(arrival, p.defaultStayMinutes);

export const openVisit = (d: Diary): VisitRec | undefined => d.visits.find((v) => v.departure === null);

export const posterOf = (v: VisitRec): Poster => decodePoster(unbase64url(v.poster)!);

/** Closes open visits whose automatic check-out has passed, and forgets visits that ended,
 * and alerts whose window ended, more than 14 days before `now`. Returns whether it changed
 * anything. */
export function tidy(d: Diary, now: number): boolean {
  let changed = false;
  for (const v of d.visits) {
    if (v.departure === null && v.autoDeparture <= now) {
      v.departure = v.autoDeparture;
      changed = true;
    }
  }
  const keep = d.visits.filter((v) => (v.departure ?? now) >= now - RETENTION_SECS);
  const alerts = d.alerts.filter((a) => a.end >= now - RETENTION_SECS && keep.some((v) => v.id === a.visit));
  changed ||= keep.length !== d.visits.length || alerts.length !== d.alerts.length;
  d.visits = keep;
  d.alerts = alerts;
  return changed;
}

export type CheckIn =
  | { kind: "checkedIn"; visit: VisitRec; left: VisitRec | null }
  | { kind: "alreadyHere"; visit: VisitRec }
  | { kind: "refused"; code: string };

/** Checks in at `p` at `now`: closes the open visit first (at the earlier of now and its
 * automatic check-out); scanning the poster of the place one is at changes nothing. */
export function checkIn(d: Diary, p: Poster, now: number, id: string, share = false): CheckIn {
  const problem = validityProblem(p, now);
  if (problem) return { kind: "refused", code: problem };
  tidy(d, now);
  const poster = base64url(p.encoding);
  const open = openVisit(d);
  if (open && open.poster === poster) return { kind: "alreadyHere", visit: open };
  if (open) open.departure = Math.max(open.arrival, Math.min(now, open.autoDeparture));
  const visit: VisitRec = {
    id,
    poster,
    venue: p.name,
    arrival: now,
    departure: null,
    autoDeparture: autoDeparture(p, now),
    share: share && d.contact !== null && d.consent !== "never",
    sealed: false,
    sealProblem: null,
  };
  d.visits.push(visit);
  return { kind: "checkedIn", visit, left: open ?? null };
}

/** Checks out of the open visit at `now`; null when none is open. */
export function checkOut(d: Diary, now: number): VisitRec | null {
  tidy(d, now);
  const open = openVisit(d);
  if (!open) return null;
  open.departure = Math.max(open.arrival, now);
  return open;
}

export function deleteVisit(d: Diary, id: string): boolean {
  const before = d.visits.length;
  d.visits = d.visits.filter((v) => v.id !== id);
  d.alerts = d.alerts.filter((a) => a.visit !== id);
  return d.visits.length !== before;
}

/** How far past the phone's clock a time may lie (typing takes a moment). */
export const CLOCK_SLACK_SECS = 300;

/** Corrects a visit's times: the arrival within the last 14 days, the departure after it, at
 * most 14 days later and not in the future. A shared visit's records that have not left yet
 * are dropped, to be sealed again with the new times. Returns the problem's message key, or
 * null when the visit was changed. */
export function editVisit(
  d: Diary,
  id: string,
  arrival: number,
  departure: number,
  now: number,
): "editTimesOrder" | "editTimesRange" | null {
  const v = d.visits.find((x) => x.id === id);
  if (!v) return "editTimesRange";
  if (!Number.isFinite(arrival) || !Number.isFinite(departure) || departure < arrival) return "editTimesOrder";
  if (arrival < now - RETENTION_SECS || departure > now + CLOCK_SLACK_SECS || departure - arrival > RETENTION_SECS) {
    return "editTimesRange";
  }
  // Notices for the visit's hours may have been published in any hour since it began: fetch
  // those batches again, and match the visit afresh.
  const since = Math.floor(Math.min(v.arrival, arrival) / 3600);
  d.held = d.held.filter((h) => h < since);
  v.arrival = arrival;
  v.departure = departure;
  v.autoDeparture = Math.max(v.autoDeparture, departure);
  if (v.share) {
    d.outbox = d.outbox.filter((q) => q.visit !== id);
    v.sealed = false;
  }
  d.alerts = d.alerts.filter((a) => a.visit !== id);
  return null;
}

/** Corrects the open visit's arrival (a check-in made late, or by mistake early): within the
 * last 14 days and not in the future. Its automatic check-out follows the new arrival (spec
 * section 13a): if that has passed, the next `tidy` closes the visit at it. Its alerts
 * are dropped and the hours since the earlier of the two arrivals fetched again, as for an
 * edit. Returns the problem's message key, or null when the visit was changed. */
export function editArrival(d: Diary, id: string, arrival: number, now: number): "editTimesRange" | null {
  const v = d.visits.find((x) => x.id === id && x.departure === null);
  if (!v || !Number.isFinite(arrival) || arrival < now - RETENTION_SECS || arrival > now + CLOCK_SLACK_SECS) {
    return "editTimesRange";
  }
  const since = Math.floor(Math.min(v.arrival, arrival) / 3600);
  d.held = d.held.filter((h) => h < since);
  v.arrival = Math.min(arrival, now);
  v.autoDeparture = autoDeparture(posterOf(v), v.arrival);
  d.alerts = d.alerts.filter((a) => a.visit !== id);
  return null;
}

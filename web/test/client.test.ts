// The client rules (spec sections 12.3, 13 and 13a) against spec/vectors/client.json: the same
// file the Rust client's rules are checked with, so the two clients follow one rule.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  type Answer,
  CLOSE_GRACE_SECS,
  DEFAULT_THRESHOLD_SECS,
  FETCH_TRIES,
  type HourState,
  MAX_AUTO_STAY_SECS,
  RECHECK_HOURS,
  RECHECK_MIN_SECS,
  RECHECK_SPREAD_SECS,
  SYNC_HOURS,
  afterAnswer,
  alertId,
  autoDeparture,
  closedByAnswer,
  hoursToFetch,
  matchedDeparture,
  parseHttpDate,
  syncPlan,
} from "../src/protocol/client.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const v: any = JSON.parse(readFileSync(new URL("../../spec/vectors/client.json", import.meta.url), "utf8"));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stateOf = (s: any): HourState => (s.held ? { held: true, recheckAt: s.recheck_at } : { held: false, tries: s.tries });

describe("client.json", () => {
  test("the constants are the spec's", () => {
    expect({
      sync_hours: SYNC_HOURS,
      recheck_hours: RECHECK_HOURS,
      recheck_min_secs: RECHECK_MIN_SECS,
      recheck_spread_secs: RECHECK_SPREAD_SECS,
      fetch_tries: FETCH_TRIES,
      close_grace_secs: CLOSE_GRACE_SECS,
      max_auto_stay_secs: MAX_AUTO_STAY_SECS,
      default_threshold_secs: DEFAULT_THRESHOLD_SECS,
    }).toEqual(v.constants);
  });
  test("Date headers read as the vectors say", () => {
    for (const d of v.http_dates) expect(parseHttpDate(d.text), d.note).toBe(d.unix);
  });
  test("an answer closes an hour by the earlier of the two clocks", () => {
    for (const c of v.closed) expect(closedByAnswer(c.hour, c.now, c.date), c.note).toBe(c.closed);
  });
  test("an hour's state after each answer", () => {
    for (const t of v.transitions) {
      const got = afterAnswer(t.hour, stateOf(t.state), t.answer as Answer, t.now, t.date, BigInt(t.random));
      expect(got, t.note).toEqual(stateOf(t.next));
    }
  });
  test("which hours a sync fetches", () => {
    const f = v.fetch;
    const held = new Map<number, number | null>(f.held.map((h: { hour: number; recheck_at: number | null }) => [h.hour, h.recheck_at]));
    const got = hoursToFetch(f.now, (h) => (held.has(h) ? { held: true, recheckAt: held.get(h)! } : { held: false, tries: 0 }));
    const expected: number[] = [];
    for (let h = f.window.first; h <= f.window.last; h++) if (!f.not_fetched.includes(h)) expected.push(h);
    expect(got).toEqual(expected);
  });
  test("which day files and hours a sync asks for", () => {
    for (const p of v.plans) {
      const states = new Map<number, HourState>(
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        p.hours.map((h: any) => [h.hour, stateOf(h.state)]),
      );
      const got = syncPlan(p.now, (h) => states.get(h) ?? { held: false, tries: 0 });
      expect(got, p.note).toEqual(p.plan);
    }
  });
  test("alert ids", () => {
    for (const a of v.alert_ids) expect(alertId(a)).toBe(a.id);
  });
  test("automatic check-out and the departure a visit is matched with", () => {
    for (const a of v.auto_departure) expect(autoDeparture(a.arrival, a.default_stay_minutes), a.note).toBe(a.auto);
    for (const a of v.matched_departure) {
      expect(matchedDeparture(a.arrival, a.departure, a.auto, a.now), a.note).toBe(a.matched);
    }
  });
});

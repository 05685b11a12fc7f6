// Sync (spec section 12.3): the revocation list first, then the files of the closed days this
// phone lacks and the hour batches it does not hold (and the held hours whose second look is
// due), as syncPlan says; a day file is split into its hours, each taken as if fetched alone;
// every bundle verified against the
// pinned root, every entry matched against the diary on the phone. Which hours to fetch, when
// an answer closes an hour (its Date header and the phone's clock together), when a held hour
// is looked at again and what identifies an alert are the rules of protocol/client.ts, which
// the CLI shares through spec/vectors/client.json. Nothing the server gave is sent back.

import { base64url, hex, unbase64url } from "../protocol/bytes.js";
import {
  type Answer,
  DEFAULT_THRESHOLD_SECS,
  type HourState,
  afterAnswer,
  alertId,
  dayHoursDue,
  type Fetch,
  syncPlan,
  matchedDeparture,
  parseHttpDate,
  randomU64,
  syncWindow,
} from "../protocol/client.js";
import { Matcher, type ScanStats } from "../protocol/matching.js";
import { type Bundle, BundleVerifier, decodeBatch, decodeDay } from "../protocol/notice.js";
import { venueId } from "../protocol/poster.js";
import { replaces, verifyRevocations } from "../protocol/revocation.js";
import type { TrustAnchor } from "../protocol/trust.js";
import { posterOf } from "./diary.js";
import type { AlertRec, Diary } from "./store.js";

const PARALLEL = 6;

export interface SyncReport {
  hours: number;
  bundles: number;
  entries: number;
  skipped: number;
  newAlerts: AlertRec[];
  bytes: number;
  matchMs: number;
}

type Get = (path: string) => Promise<Response>;

/** Keys every alert by the spec's alert id (alerts found before it was defined carried the
 * bundle id), keeping one alert per id: the one found first. */
export function rekeyAlerts(d: Diary): void {
  const byId = new Map<string, AlertRec>();
  for (const a of d.alerts) {
    a.id = alertId(a);
    if (!byId.has(a.id)) byId.set(a.id, a);
  }
  if (byId.size !== d.alerts.length) d.alerts = [...byId.values()];
}

/** What the diary knows of `hour` (spec section 12.3). */
function hourState(d: Diary, held: Set<number>, hour: number): HourState {
  if (held.has(hour)) return { held: true, recheckAt: d.rechecks?.[hour] ?? null };
  return { held: false, tries: d.retries[hour] ?? 0 };
}

/** One sync at `now`, changing `d` in place. Throws only when the server cannot be reached;
 * bad bundles are skipped and counted. */
export async function sync(d: Diary, trust: TrustAnchor, now: number, get: Get): Promise<SyncReport> {
  const report: SyncReport = { hours: 0, bundles: 0, entries: 0, skipped: 0, newAlerts: [], bytes: 0, matchMs: 0 };
  const verifier = new BundleVerifier(trust.root);
  let held = d.revocations ? verifyRevocations(trust.root, unbase64url(d.revocations)!, now) : null;
  const res = await get("/v1/revocations");
  if (res.ok) {
    const body = (await res.json()) as { revocations: string | null };
    const bytes = body.revocations ? unbase64url(body.revocations) : null;
    if (bytes) {
      try {
        const offered = verifyRevocations(trust.root, bytes, now);
        if (replaces(offered, held) === "newer") {
          held = offered;
          d.revocations = base64url(bytes);
        }
      } catch {
        // A list that does not verify or is older changes nothing: the held one stays.
      }
    }
  }
  if (held) {
    verifier.revoked = held.keys;
    for (const a of d.alerts) if (held.keys.has(a.issuerKey)) a.withdrawn = true;
  }

  const [first] = syncWindow(now);
  const have = new Set(d.held.filter((h) => h >= first));
  const rechecks: Record<string, number> = { ...(d.rechecks ?? {}) };
  // Planned from the state before the sync: an answer settles only the hours it stands for.
  const before = (h: number): HourState => hourState(d, have, h);
  const plan = syncPlan(now, before);
  const dayHours = new Map<number, number[]>();
  for (const f of plan) if ("day" in f) dayHours.set(f.day, dayHoursDue(f.day, now, before));
  const settle = (hour: number, answer: Answer, date: number | null, random: bigint): void => {
    const next = afterAnswer(hour, hourState(d, have, hour), answer, now, date, random);
    if (next.held) {
      have.add(hour);
      delete d.retries[hour];
      if (next.recheckAt === null) delete rechecks[hour];
      else rechecks[hour] = next.recheckAt;
    } else if (next.tries > 0) {
      d.retries[hour] = next.tries;
    }
  };

  // Each distinct poster is decoded once a sync, not once a visit: a diary holds many visits
  // to the same few places, and decoding checks the poster's keys and signature in JavaScript
  // (about a millisecond each, more under load; BENCHMARKS.md, the wake-up benchmark).
  const posters = new Map<string, { id: Uint8Array; key: Uint8Array }>();
  const visits = d.visits.map((v) => {
    let p = posters.get(v.poster);
    if (!p) {
      const decoded = posterOf(v);
      p = { id: venueId(decoded.encoding), key: decoded.ed25519Public };
      posters.set(v.poster, p);
    }
    return { rec: v, p };
  });
  const matcher = new Matcher(
    visits.map(({ rec, p }) => ({
      venueId: p.id,
      venueKey: p.key,
      arrival: rec.arrival,
      departure: matchedDeparture(rec.arrival, rec.departure, rec.autoDeparture, now),
    })),
    DEFAULT_THRESHOLD_SECS,
    trust.emergency,
  );
  rekeyAlerts(d);
  const seen = new Set(d.alerts.map((a) => a.id));
  const stats: ScanStats = { entries: 0, tagHits: 0, unapproved: 0, malformed: 0 };

  // Decodes and verifies one hour's batch, matching what verifies; true when it came whole
  // (every bundle verified, or failed finally).
  const take = async (hour: number, bytes: Uint8Array): Promise<boolean> => {
    let whole = true;
    let bundles: Uint8Array[] = [];
    try {
      bundles = decodeBatch(bytes, hour);
    } catch {
      whole = false;
    }
    report.hours++;
    const t0 = performance.now();
    for (const enc of bundles) {
      let b: Bundle;
      try {
        b = await verifier.verifyFast(enc, now);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== "bundle_too_old" && code !== "bundle_certificate_revoked") {
          whole = false;
          report.skipped++;
        }
        continue;
      }
      report.bundles++;
      report.entries += b.count;
      for (const a of matcher.scan(b, stats)) {
        const v = visits[a.visit]!.rec;
        // One alert per visit and notice content (spec section 13), whichever bundle brings it.
        const { start, end, severity, message } = a.notice;
        const id = alertId({ visit: v.id, start, end, severity, message });
        if (seen.has(id)) continue;
        seen.add(id);
        const rec: AlertRec = {
          id,
          visit: v.id,
          venue: v.venue,
          start: a.notice.start,
          end: a.notice.end,
          overlapSecs: a.overlapSecs,
          severity: a.notice.severity,
          message: a.notice.message,
          issuer: a.issuer,
          issuerKey: hex(b.cert.tracerPublic),
          approver: a.approver,
          withdrawn: false,
        };
        d.alerts.push(rec);
        report.newAlerts.push(rec);
      }
    }
    report.matchMs += performance.now() - t0;
    return whole;
  };

  const one = async (f: Fetch): Promise<void> => {
    const hours = "day" in f ? dayHours.get(f.day)! : [f.hour];
    const r = await get("day" in f ? `/v1/days/${f.day}` : `/v1/batches/${f.hour}`);
    const date = parseHttpDate(r.headers.get("date"));
    // One draw for every hour of the answer: the hours of a day file share their second look.
    const random = randomU64();
    if (r.status === 410) {
      for (const h of hours) settle(h, "gone", date, random);
      return;
    }
    if (r.status === 404) {
      // The server's clock is behind ours. A day it has not closed is asked for hour by hour
      // instead, in this sync.
      if ("day" in f) plan.push(...hours.map((hour) => ({ hour })));
      return;
    }
    if (!r.ok) throw new Error(`the server answered ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    report.bytes += bytes.length;
    if (!("day" in f)) {
      settle(f.hour, (await take(f.hour, bytes)) ? "batch_whole" : "batch_failed", date, random);
      return;
    }
    let inside: [number, Uint8Array][];
    try {
      inside = decodeDay(bytes, f.day);
    } catch {
      report.skipped++;
      for (const h of hours) settle(h, "batch_failed", date, random);
      return;
    }
    for (const [h, batch] of inside) {
      if (hours.includes(h)) settle(h, (await take(h, batch)) ? "batch_whole" : "batch_failed", date, random);
    }
  };

  // A few requests at a time, oldest first.
  let next = 0;
  const workers = Array.from({ length: PARALLEL }, async () => {
    while (next < plan.length) await one(plan[next++]!);
  });
  await Promise.all(workers);
  d.held = [...have].filter((h) => h >= first).sort((a, b) => a - b);
  for (const k of Object.keys(d.retries)) if (Number(k) < first) delete d.retries[k];
  for (const k of Object.keys(rechecks)) if (Number(k) < first || !have.has(Number(k))) delete rechecks[k];
  d.rechecks = rechecks;
  d.lastSync = now;
  return report;
}

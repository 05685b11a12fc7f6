// Sync (spec section 12.3): the revocation list first, then the hour batches this phone does
// not hold, from 360 hours back to now; every bundle verified against the pinned root, every
// entry matched against the diary on the phone. Nothing the server gave is sent back.

import { base64url, hex, unbase64url } from "../protocol/bytes.js";
import { hourOf } from "../protocol/derive.js";
import { Matcher, type ScanStats } from "../protocol/matching.js";
import { type Bundle, BundleVerifier, decodeBatch } from "../protocol/notice.js";
import { venueId } from "../protocol/poster.js";
import { replaces, verifyRevocations } from "../protocol/revocation.js";
import type { TrustAnchor } from "../protocol/trust.js";
import { posterOf } from "./diary.js";
import type { AlertRec, Diary } from "./store.js";

export const SYNC_HOURS = 360;
export const CLOSE_GRACE_SECS = 120;
export const MAX_RETRIES = 3;
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

type Fetch = (path: string) => Promise<Response>;

const closed = (hour: number, now: number): boolean => now >= (hour + 1) * 3600 + CLOSE_GRACE_SECS;

/** One sync at `now`, changing `d` in place. Throws only when the server cannot be reached;
 * bad bundles are skipped and counted. */
export async function sync(d: Diary, trust: TrustAnchor, now: number, get: Fetch): Promise<SyncReport> {
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

  const nowHour = hourOf(now);
  const have = new Set(d.held.filter((h) => h >= nowHour - SYNC_HOURS));
  const wanted: number[] = [];
  for (let h = nowHour - SYNC_HOURS; h <= nowHour; h++) if (!have.has(h)) wanted.push(h);

  const visits = d.visits.map((v) => {
    const p = posterOf(v);
    return { rec: v, p };
  });
  const matcher = new Matcher(
    visits.map(({ rec, p }) => ({
      venueId: venueId(p.encoding),
      venueKey: p.ed25519Public,
      arrival: rec.arrival,
      departure: rec.departure ?? Math.min(now, rec.autoDeparture),
    })),
    900,
    trust.emergency,
  );
  const seen = new Set(d.alerts.map((a) => a.id));
  const stats: ScanStats = { entries: 0, tagHits: 0, unapproved: 0, malformed: 0 };

  const one = async (hour: number): Promise<void> => {
    const r = await get(`/v1/batches/${hour}`);
    if (r.status === 410) {
      have.add(hour);
      return;
    }
    if (r.status === 404) return;
    if (!r.ok) throw new Error(`the server answered ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    report.bytes += bytes.length;
    report.hours++;
    let whole = true;
    let bundles: Uint8Array[] = [];
    try {
      bundles = decodeBatch(bytes, hour);
    } catch {
      whole = false;
    }
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
        const id = `${v.id}|${hex(b.id)}|${a.notice.start}|${a.notice.end}|${a.notice.message}`;
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
    if (!closed(hour, now)) return;
    const tries = (d.retries[hour] ?? 0) + 1;
    if (whole || tries >= MAX_RETRIES) {
      have.add(hour);
      delete d.retries[hour];
    } else {
      d.retries[hour] = tries;
    }
  };

  // A few requests at a time, oldest first.
  let next = 0;
  const workers = Array.from({ length: PARALLEL }, async () => {
    while (next < wanted.length) await one(wanted[next++]!);
  });
  await Promise.all(workers);
  d.held = [...have].filter((h) => h >= nowHour - SYNC_HOURS).sort((a, b) => a - b);
  for (const k of Object.keys(d.retries)) if (Number(k) < nowHour - SYNC_HOURS) delete d.retries[k];
  d.lastSync = now;
  return report;
}

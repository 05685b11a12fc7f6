// The phone side of the wake-up benchmark (bench/wake.mjs bundles this with esbuild and runs
// it in a page of the app's origin, outside the app's scope, so that it shares the app's
// IndexedDB but is no window of the app): it writes the phone's diary with the app's own
// store and check-in code, and times the parts of a wake-up (open, fetch, decode, verify,
// match, save) with the same modules the service worker runs.

import { blake3 } from "@noble/hashes/blake3";
import { checkIn, checkOut } from "../src/app/diary.js";
import { Store } from "../src/app/store.js";
import { sync } from "../src/app/sync.js";
import { ascii, concat, unbase64url } from "../src/protocol/bytes.js";
import { DEFAULT_THRESHOLD_SECS, hoursToFetch, matchedDeparture } from "../src/protocol/client.js";
import { Matcher, type ScanStats } from "../src/protocol/matching.js";
import { type Bundle, BundleVerifier, decodeBatch } from "../src/protocol/notice.js";
import { BUNDLE_DIGEST, BUNDLE_SIGNATURE } from "../src/protocol/domain.js";
import { ed25519KeyOk } from "../src/protocol/keys.js";
import { decodePoster, venueId } from "../src/protocol/poster.js";
import { parseTrust } from "../src/protocol/trust.js";

interface PhoneVisit {
  poster: string;
  arrival: number;
  departure: number;
}

const nowSecs = (): number => Math.floor(Date.now() / 1000);

async function openStore(): Promise<Store> {
  const store = await Store.open();
  if (!(store instanceof Store)) throw new Error("the diary is locked");
  return store;
}

/** A phone that has checked in at every visit (as the app does, one check-in and check-out
 * each), turned notifications on and never synced: the state of a first wake-up after the
 * app was installed. */
async function makeDiary(trust: string, visits: PhoneVisit[]): Promise<number> {
  const store = await openStore();
  const d = await store.load();
  Object.assign(d, { started: true, trust, notify: "on", visits: [], alerts: [], held: [], retries: {}, rechecks: {}, lastSync: null });
  for (const v of visits) {
    const r = checkIn(d, decodePoster(unbase64url(v.poster)!), v.arrival, crypto.randomUUID());
    if (r.kind !== "checkedIn") throw new Error(`check-in refused: ${JSON.stringify(r)}`);
    checkOut(d, v.departure);
  }
  await store.save(d);
  return d.visits.length;
}

/** The diary as it was before `hour` closed: the hour not held and its alert not yet found.
 * The next wake-up then has exactly one new hour to fetch, holding the matching notice. */
async function forgetHour(hour: number): Promise<number> {
  const store = await openStore();
  const d = await store.load();
  if (!d.held.includes(hour)) throw new Error(`hour ${hour} is not held`);
  const alerts = d.alerts.length;
  d.held = d.held.filter((h) => h !== hour);
  if (d.rechecks) delete d.rechecks[hour];
  d.alerts = [];
  await store.save(d);
  return alerts;
}

/** One wake-up's work, as wake.ts does it, timed by part; then the same hours again, each part
 * on its own, to split the sync's time into fetch, decode, verify and match, and verification
 * into its three costs: the strict check of each signature's R (JavaScript), the bundle's
 * BLAKE3 digest (JavaScript) and the Ed25519 equation (the browser's WebCrypto). Saves the
 * synced diary, as a wake-up does. */
async function phases(): Promise<Record<string, number>> {
  const get = (path: string): Promise<Response> =>
    fetch(new URL(path, location.origin).href, { credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
  const now = nowSecs();
  const t0 = performance.now();
  const store = await openStore();
  const d = await store.load();
  const t1 = performance.now();
  const trust = parseTrust(d.trust!);
  const before = structuredClone(d);
  const report = await sync(d, trust, now, get);
  const t2 = performance.now();
  await store.save(d);
  const t3 = performance.now();

  // The parts on their own, over the hours the sync fetched.
  const wanted = hoursToFetch(now, (h) =>
    before.held.includes(h) ? { held: true, recheckAt: before.rechecks?.[h] ?? null } : { held: false, tries: before.retries[h] ?? 0 },
  );
  const bodies: [number, Uint8Array][] = [];
  let next = 0;
  const f0 = performance.now();
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < wanted.length) {
        const hour = wanted[next++]!;
        const r = await get(`/v1/batches/${hour}`);
        if (r.ok) bodies.push([hour, new Uint8Array(await r.arrayBuffer())]);
      }
    }),
  );
  const f1 = performance.now();
  const encodings = bodies.flatMap(([hour, bytes]) => decodeBatch(bytes, hour));
  const f2 = performance.now();
  const verifier = new BundleVerifier(trust.root);
  const verified: Bundle[] = [];
  for (const enc of encodings) {
    try {
      verified.push(await verifier.verifyFast(enc, now));
    } catch {
      // Too old, or outside its certificate: the sync skips it too.
    }
  }
  const f3 = performance.now();
  const matcher = new Matcher(
    before.visits.map((v) => {
      const p = decodePoster(unbase64url(v.poster)!);
      return {
        venueId: venueId(p.encoding),
        venueKey: p.ed25519Public,
        arrival: v.arrival,
        departure: matchedDeparture(v.arrival, v.departure, v.autoDeparture, now),
      };
    }),
    DEFAULT_THRESHOLD_SECS,
    trust.emergency,
  );
  const stats: ScanStats = { entries: 0, tagHits: 0, unapproved: 0, malformed: 0 };
  let hits = 0;
  for (const b of verified) hits += matcher.scan(b, stats).length;
  const f4 = performance.now();
  // Verification split: the strict check of each signature's R (canonical, not of small
  // order, in JavaScript) and the browser's native Ed25519 equation, each alone.
  const g0 = performance.now();
  let rOk = 0;
  for (const enc of encodings) if (ed25519KeyOk(enc.subarray(enc.length - 64, enc.length - 32))) rOk++;
  const g1 = performance.now();
  const keys = new Map<string, CryptoKey>();
  for (const b of verified) {
    const k = String.fromCharCode(...b.cert.tracerPublic);
    if (!keys.has(k)) keys.set(k, await crypto.subtle.importKey("raw", b.cert.tracerPublic.slice(), { name: "Ed25519" }, false, ["verify"]));
  }
  const g2 = performance.now();
  let sigOk = 0;
  for (const b of verified) {
    const key = keys.get(String.fromCharCode(...b.cert.tracerPublic))!;
    const msg = concat(ascii(BUNDLE_SIGNATURE), new Uint8Array([0]), b.id) as Uint8Array<ArrayBuffer>;
    if (await crypto.subtle.verify({ name: "Ed25519" }, key, b.encoding.slice(b.encoding.length - 64), msg)) sigOk++;
  }
  const g3 = performance.now();
  // The bundle's digest (spec section 20: BLAKE3 in derive-key mode over the body).
  for (const enc of encodings) blake3(enc.subarray(0, enc.length - 64), { context: BUNDLE_DIGEST });
  const g4 = performance.now();
  // The visits' posters as the sync reads them for the matcher: decoded and checked (keys and
  // signature, in JavaScript) for every visit, and for every distinct poster only.
  const p0 = performance.now();
  for (const v of before.visits) decodePoster(unbase64url(v.poster)!);
  const p1 = performance.now();
  for (const poster of new Set(before.visits.map((v) => v.poster))) decodePoster(unbase64url(poster)!);
  const p2 = performance.now();
  const diaryBytes = JSON.stringify(d).length;
  return {
    openLoadMs: t1 - t0,
    syncMs: t2 - t1,
    syncVerifyAndMatchMs: report.matchMs,
    saveMs: t3 - t2,
    wakeMs: t3 - t0,
    hours: report.hours,
    bundles: report.bundles,
    bytes: report.bytes,
    newAlerts: report.newAlerts.length,
    diaryJsonBytes: diaryBytes,
    partFetchMs: f1 - f0,
    partDecodeMs: f2 - f1,
    partVerifyMs: f3 - f2,
    partMatchMs: f4 - f3,
    partBundles: encodings.length,
    partVerified: verified.length,
    partHits: hits,
    splitRCheckMs: g1 - g0,
    splitROk: rOk,
    splitWebCryptoVerifyMs: g3 - g2,
    splitWebCryptoOk: sigOk,
    splitDigestMs: g4 - g3,
    partPostersEveryVisitMs: p1 - p0,
    partPostersDistinctMs: p2 - p1,
    distinctPosters: new Set(before.visits.map((v) => v.poster)).size,
  };
}

Object.assign(globalThis, { benchPhone: { makeDiary, forgetHour, phases } });

// Consented contact records (spec 14.2) and upload slots (spec 14.5): a shared visit's records
// are sealed once it has ended and queued with a random delay; they leave one per slot, a
// cover record filling every slot that has none due, so that uploads say nothing of visits.

import { base64url, unbase64url } from "../protocol/bytes.js";
import { venueId } from "../protocol/poster.js";
import type { TrustAnchor } from "../protocol/trust.js";
import { vaultBucket } from "../protocol/derive.js";
import { coverRecord, sealOuter, sealVisitInner } from "../protocol/vault.js";
import { posterOf } from "./diary.js";
import type { Diary, Queued } from "./store.js";

export const MEAN_GAP_SECS = 3600;
export const MAX_SLOTS_PER_RUN = 4;
/** Seconds between two uploads of one run, and after the last sync request: longer than the
 * reference server's idle timeout (15 s), so that the browser's pooled connection has closed
 * and each upload goes on a connection of its own. */
export const SPACING_MS = 20_000;

const random = (): number => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;

/** The next slot's gap: exponential with mean 3600 s, kept within 60 s to 6 h. */
export const nextGap = (): number => Math.min(21_600, Math.max(60, Math.round(-Math.log(1 - random()) * MEAN_GAP_SECS)));

/** Seals the records of every shared visit that has ended and queues them, each with a
 * delay of 0 to 1 h after the departure. Returns whether it changed anything. */
export async function sealEnded(d: Diary, trust: TrustAnchor): Promise<boolean> {
  let changed = false;
  for (const v of d.visits) {
    if (!v.share || v.sealed || v.departure === null || !d.contact) continue;
    const p = posterOf(v);
    try {
      // The authority's layer now; the venue's when each record leaves, filed under the day
      // it is sent (spec 14.5), as a cover record sent that day is.
      const id = venueId(p.encoding);
      const records = await sealVisitInner({ ...d.contact, arrival: v.arrival, departure: v.departure }, id, trust);
      for (const r of records) {
        d.outbox.push({
          inner: base64url(r.inner),
          venueKey: base64url(p.x25519Public),
          bucket: vaultBucket(id),
          notBefore: v.departure + Math.floor(random() * 3600),
          visit: v.id,
        });
      }
      v.sealed = true;
      v.sealProblem = null;
    } catch (e) {
      v.sealProblem = (e as { code?: string }).code ?? String(e);
    }
    changed = true;
  }
  return changed;
}

export type Post = (record: Uint8Array) => Promise<void>;

/** Venues per bucket (`GET /v1/vault/buckets`, spec 14.5), or null when the server cannot
 * say: covers then take any bucket. */
export type Buckets = () => Promise<readonly number[] | null>;

/** The record a queued upload sends on UTC day `day`: its venue's layer added now, filed under
 * that day (spec 14.5); a record an earlier version sealed whole goes as it is. */
export async function wireRecord(q: Queued, day: number): Promise<Uint8Array> {
  if (q.inner !== undefined && q.venueKey !== undefined && q.bucket !== undefined) {
    const inner = unbase64url(q.inner);
    const key = unbase64url(q.venueKey);
    if (inner?.length === 320 && key?.length === 32) return sealOuter(inner, key, q.bucket, day);
  }
  const whole = q.record === undefined ? null : unbase64url(q.record);
  if (!whole) throw new Error("a queued contact record is damaged in the diary");
  return whole;
}

/** Runs the slots due at `now` (at most 4), or, with `all`, sends every queued record at once
 * (what the citizen asks for when they want their details with the tracer now; it reveals
 * when the visits ended). Returns how many contact records and cover records left. */
export async function runSlots(
  d: Diary,
  now: () => number,
  post: Post,
  wait: (ms: number) => Promise<void>,
  all = false,
  buckets: Buckets = async () => null,
): Promise<{ records: number; covers: number }> {
  const sent = { records: 0, covers: 0 };
  if (all) {
    while (d.outbox.length) {
      await post(await wireRecord(d.outbox[0]!, Math.floor(now() / 86_400)));
      d.outbox.shift();
      sent.records++;
    }
    return sent;
  }
  let due = d.nextSlot === null ? 1 : 0;
  if (d.nextSlot !== null) {
    // Slots that fell due while the app was closed: a Poisson process, counted by drawing gaps.
    for (let t = d.nextSlot; t <= now() && due < MAX_SLOTS_PER_RUN; t += nextGap()) due++;
  }
  // Every run with a slot due asks for the venues per bucket, whatever its slots carry.
  const venuesPerBucket = due > 0 ? ((await buckets().catch(() => null)) ?? []) : [];
  for (let i = 0; i < due; i++) {
    if (i > 0) await wait(SPACING_MS);
    const t = now();
    d.outbox.sort((a, b) => a.notBefore - b.notBefore);
    const first = d.outbox[0];
    if (first && first.notBefore <= t) {
      await post(await wireRecord(first, Math.floor(t / 86_400)));
      d.outbox.shift();
      sent.records++;
    } else {
      await post(await coverRecord(Math.floor(t / 86_400), venuesPerBucket));
      sent.covers++;
    }
  }
  if (due > 0 || d.nextSlot === null) d.nextSlot = now() + nextGap();
  return sent;
}

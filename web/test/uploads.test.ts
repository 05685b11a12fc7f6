// Upload slots (spec 14.5) without a browser: one record per slot, the oldest due contact
// record or else a cover record, at most 4 slots a run, and everything at once only when asked.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { base64url, unhex } from "../src/protocol/bytes.js";
import { bucketTag, vaultBucket } from "../src/protocol/derive.js";
import { decodePoster, venueId } from "../src/protocol/poster.js";
import { parseTrust } from "../src/protocol/trust.js";
import { sealVisitInner, stripRecord } from "../src/protocol/vault.js";
import { emptyDiary } from "../src/app/store.js";
import { MAX_SLOTS_PER_RUN, nextGap, runSlots } from "../src/app/uploads.js";

const T = 1_767_225_600;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (n: string): any => JSON.parse(readFileSync(new URL(`../../spec/vectors/${n}`, import.meta.url), "utf8"));
const record = (n: number) => base64url(new Uint8Array(384).fill(n));

describe("upload slots", () => {
  test("the first run sends one record: a due contact record before a cover", async () => {
    const d = emptyDiary();
    d.outbox = [
      { record: record(2), notBefore: T - 10 },
      { record: record(1), notBefore: T - 20 },
      { record: record(3), notBefore: T + 999 },
    ];
    const sent: Uint8Array[] = [];
    const waits: number[] = [];
    const r = await runSlots(d, () => T, async (b) => void sent.push(b), async (ms) => void waits.push(ms));
    expect(r).toEqual({ records: 1, covers: 0 });
    expect(sent[0]![0]).toBe(1);
    expect(d.outbox.map((q) => q.record)).toEqual([record(2), record(3)]);
    expect(d.nextSlot! - T).toBeGreaterThanOrEqual(60);
    expect(waits).toEqual([]);
    // Not due yet: nothing leaves.
    expect(await runSlots(d, () => T + 30, async () => {}, async () => {})).toEqual({ records: 0, covers: 0 });
  });

  test("after a long absence at most 4 slots run, spaced, covers filling the rest", async () => {
    const d = emptyDiary();
    d.nextSlot = T - 30 * 86_400;
    d.outbox = [{ record: record(7), notBefore: T - 5 }];
    const sent: Uint8Array[] = [];
    const waits: number[] = [];
    const r = await runSlots(d, () => T, async (b) => void sent.push(b), async (ms) => void waits.push(ms));
    expect(r).toEqual({ records: 1, covers: MAX_SLOTS_PER_RUN - 1 });
    expect(sent.every((b) => b.length === 384)).toBe(true);
    expect(waits).toHaveLength(MAX_SLOTS_PER_RUN - 1);
  });

  test("a failed post keeps the record queued", async () => {
    const d = emptyDiary();
    d.outbox = [{ record: record(9), notBefore: T - 5 }];
    await expect(runSlots(d, () => T, async () => Promise.reject(new Error("offline")), async () => {})).rejects.toThrow();
    expect(d.outbox).toHaveLength(1);
  });

  test("everything at once, when the citizen asks", async () => {
    const d = emptyDiary();
    d.outbox = [1, 2, 3].map((n) => ({ record: record(n), notBefore: T + 3000 }));
    const r = await runSlots(d, () => T, async () => {}, async () => {}, true);
    expect(r).toEqual({ records: 3, covers: 0 });
    expect(d.outbox).toHaveLength(0);
  });

  test("a queued record gets its venue layer when it leaves, filed under that day", async () => {
    const p = decodePoster(unhex(load("poster.json").valid[0].encoding));
    const id = venueId(p.encoding);
    const hour = Math.floor(T / 3600) + 22; // 22:00 on the first day
    const contact = { name: "Ada", phone: "+44 7700 900123", email: "", partySize: 1, arrival: hour * 3600, departure: hour * 3600 + 1800 };
    const [sealed] = await sealVisitInner(contact, id, parseTrust(load("trust.json").text));
    const d = emptyDiary();
    d.outbox = [{ inner: base64url(sealed!.inner), venueKey: base64url(p.x25519Public), bucket: vaultBucket(id), notBefore: hour * 3600 + 1800 }];
    // The app was closed for two days: the record leaves on the third day, and is filed then.
    const sentAt = T + 2 * 86_400 + 600;
    const sent: Uint8Array[] = [];
    expect(await runSlots(d, () => sentAt, async (b) => void sent.push(b), async () => {})).toEqual({ records: 1, covers: 0 });
    expect(base64url(sent[0]!.subarray(0, 16))).toBe(base64url(bucketTag(vaultBucket(id), Math.floor(sentAt / 86_400))));
    const inner = await stripRecord(sent[0]!, id, unhex(load("keys.json").venue.x25519_secret), [hour]);
    expect(base64url(inner)).toBe(base64url(sealed!.inner));
  });

  test("every run with a slot due asks for the venues per bucket, and its covers use it", async () => {
    const counts = new Array<number>(1024).fill(0);
    counts[42] = 2;
    const d = emptyDiary();
    d.nextSlot = T - 30 * 86_400;
    let asked = 0;
    const sent: Uint8Array[] = [];
    const buckets = async () => {
      asked++;
      return counts;
    };
    const r = await runSlots(d, () => T, async (b) => void sent.push(b), async () => {}, false, buckets);
    expect(r).toEqual({ records: 0, covers: MAX_SLOTS_PER_RUN });
    expect(asked).toBe(1);
    const tag = base64url(bucketTag(42, Math.floor(T / 86_400)));
    expect(sent.every((b) => base64url(b.subarray(0, 16)) === tag)).toBe(true);
    // No slot due: nothing asked, nothing sent.
    await runSlots(d, () => T, async () => {}, async () => {}, false, buckets);
    expect(asked).toBe(1);
  });

  test("gaps stay between a minute and six hours, about an hour on average", () => {
    const gaps = Array.from({ length: 20_000 }, nextGap);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(21_600);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(3300);
    expect(mean).toBeLessThan(3900);
  });
});

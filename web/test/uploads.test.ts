// Upload slots (spec 14.5) without a browser: one record per slot, the oldest due contact
// record or else a cover record, at most 4 slots a run, and everything at once only when asked.

import { describe, expect, test } from "vitest";
import { base64url } from "../src/protocol/bytes.js";
import { emptyDiary } from "../src/app/store.js";
import { MAX_SLOTS_PER_RUN, nextGap, runSlots } from "../src/app/uploads.js";

const T = 1_767_225_600;
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

  test("gaps stay between a minute and six hours, about an hour on average", () => {
    const gaps = Array.from({ length: 20_000 }, nextGap);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(21_600);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(3300);
    expect(mean).toBeLessThan(3900);
  });
});

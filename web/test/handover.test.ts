// Handing the case diary over by code (spec 16b): after a 503 or a lost answer the identical
// body is sent again, never a file sealed afresh, while the diary is unchanged.

import { describe, expect, test } from "vitest";
import { caseBody, caseKey, settled } from "../src/app/handover.js";

const visits = [
  { id: "a", arrival: 100, departure: 200 },
  { id: "b", arrival: 300, departure: null },
];

describe("case hand-over", () => {
  test("an unsettled body is sent again byte for byte while the diary is unchanged", async () => {
    let sealed = 0;
    const seal = async () => ({ body: `{"case":"file ${++sealed}"}`, code: `CODE${sealed}` });
    const first = await caseBody(undefined, caseKey(visits), seal);
    const again = await caseBody(first, caseKey(visits.map((v) => ({ ...v }))), seal);
    expect(again.body).toBe(first.body);
    expect(again.code).toBe(first.code);
    expect(sealed).toBe(1);
  });

  test("a changed diary is sealed afresh", async () => {
    let sealed = 0;
    const seal = async () => ({ body: `{"case":"file ${++sealed}"}`, code: `CODE${sealed}` });
    const first = await caseBody(undefined, caseKey(visits), seal);
    const closed = visits.map((v) => ({ ...v, departure: v.departure ?? 400 }));
    const fresh = await caseBody(first, caseKey(closed), seal);
    expect(fresh.body).not.toBe(first.body);
    expect(sealed).toBe(2);
  });

  test("only a 2xx or a final refusal settles a hand-over", () => {
    for (const s of [200, 201, 400, 413]) expect(settled(s)).toBe(true);
    for (const s of [0, 429, 500, 502, 503]) expect(settled(s)).toBe(false);
  });
});

// The diary's rules without a browser: check-in, the automatic check-out, check-out, deleting
// and forgetting after 14 days.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { unhex } from "../src/protocol/bytes.js";
import { decodePoster } from "../src/protocol/poster.js";
import { checkIn, checkOut, deleteVisit, openVisit, RETENTION_SECS, tidy } from "../src/app/diary.js";
import { emptyDiary } from "../src/app/store.js";

const posters = JSON.parse(readFileSync(new URL("../../spec/vectors/poster.json", import.meta.url), "utf8")).valid;
const a = decodePoster(unhex(posters[0].encoding));
const b = decodePoster(unhex(posters[1].encoding));
const T = 1_767_225_600 + 86_400;

describe("the diary", () => {
  test("a check-in closes the open visit; the same poster again changes nothing", () => {
    const d = emptyDiary();
    const first = checkIn(d, a, T, "1");
    expect(first.kind).toBe("checkedIn");
    expect(checkIn(d, a, T + 60, "x").kind).toBe("alreadyHere");
    const second = checkIn(d, b, T + 600, "2");
    expect(second.kind === "checkedIn" && second.left?.id).toBe("1");
    expect(d.visits.find((v) => v.id === "1")!.departure).toBe(T + 600);
    expect(openVisit(d)!.id).toBe("2");
    expect(checkOut(d, T + 900)!.departure).toBe(T + 900);
    expect(checkOut(d, T + 901)).toBeNull();
  });

  test("an open visit ends at its automatic check-out, not later", () => {
    const d = emptyDiary();
    checkIn(d, a, T, "1");
    const auto = d.visits[0]!.autoDeparture;
    expect(auto).toBe(T + Math.min(a.defaultStayMinutes * 60, 12 * 3600));
    expect(tidy(d, auto + 5)).toBe(true);
    expect(d.visits[0]!.departure).toBe(auto);
    // Checking in elsewhere later does not stretch the earlier visit.
    checkIn(d, b, auto + 3600, "2");
    expect(d.visits[0]!.departure).toBe(auto);
  });

  test("visits and their alerts are forgotten 14 days after they end", () => {
    const d = emptyDiary();
    checkIn(d, a, T, "1");
    checkOut(d, T + 600);
    d.alerts.push({ id: "x", visit: "1", venue: a.name, start: T, end: T + 3600, overlapSecs: 600, severity: 2, message: "", issuer: "t", issuerKey: "", approver: "venue", withdrawn: false });
    expect(tidy(d, T + 600 + RETENTION_SECS)).toBe(false);
    expect(tidy(d, T + 3601 + RETENTION_SECS)).toBe(true);
    expect(d.visits).toHaveLength(0);
    expect(d.alerts).toHaveLength(0);
  });

  test("deleting a visit deletes its alerts", () => {
    const d = emptyDiary();
    checkIn(d, a, T, "1");
    d.alerts.push({ id: "x", visit: "1", venue: a.name, start: T, end: T + 3600, overlapSecs: 600, severity: 2, message: "", issuer: "t", issuerKey: "", approver: "venue", withdrawn: false });
    expect(deleteVisit(d, "1")).toBe(true);
    expect(d.alerts).toHaveLength(0);
  });

  test("an expired poster is refused and nothing is recorded", () => {
    const withValidity = posters.map((p: { encoding: string }) => decodePoster(unhex(p.encoding))).find((p: { validity: unknown }) => p.validity);
    expect(withValidity, "poster.json has a poster with a validity window").toBeTruthy();
    const d = emptyDiary();
    expect(checkIn(d, withValidity, withValidity.validity.until, "1")).toEqual({ kind: "refused", code: "poster_expired" });
    expect(d.visits).toHaveLength(0);
  });
});

describe("correcting the open visit's arrival", () => {
  test("the arrival moves, the automatic check-out follows it, and bad times are refused", async () => {
    const { editArrival } = await import("../src/app/diary.js");
    const d = emptyDiary();
    checkIn(d, a, T, "1");
    const stay = d.visits[0]!.autoDeparture - T;
    d.held = [Math.floor(T / 3600) - 2, Math.floor(T / 3600) - 1, Math.floor(T / 3600)];
    // Checked in 20 minutes late: the visit began at T - 1200.
    expect(editArrival(d, "1", T - 1200, T + 60)).toBeNull();
    expect(d.visits[0]!.arrival).toBe(T - 1200);
    expect(d.visits[0]!.autoDeparture).toBe(T - 1200 + stay);
    expect(d.visits[0]!.departure).toBeNull();
    // The hours since the earlier arrival are fetched again, to match the visit afresh.
    // (T is the start of an hour, so the new arrival lies in the hour before it.)
    expect(d.held).toEqual([Math.floor(T / 3600) - 2]);
    expect(editArrival(d, "1", T + 3600, T + 60)).toBe("editTimesRange");
    expect(editArrival(d, "1", T - RETENTION_SECS - 100, T + 60)).toBe("editTimesRange");
    expect(editArrival(d, "1", Number.NaN, T + 60)).toBe("editTimesRange");
    // Only the open visit's arrival is corrected here.
    checkOut(d, T + 120);
    expect(editArrival(d, "1", T - 600, T + 180)).toBe("editTimesRange");
  });
});

describe("editing a visit", () => {
  test("times are checked; a shared visit's unsent records are dropped to be sealed again", async () => {
    const { editVisit } = await import("../src/app/diary.js");
    const d = emptyDiary();
    d.contact = { name: "A", phone: "", email: "", partySize: 1 };
    checkIn(d, a, T, "1", true);
    checkOut(d, T + 600);
    d.visits[0]!.sealed = true;
    d.outbox = [{ record: "x", notBefore: T + 700, visit: "1" }, { record: "y", notBefore: T + 700, visit: "2" }];
    d.held = [Math.floor(T / 3600) - 5, Math.floor(T / 3600) + 1];
    expect(editVisit(d, "1", T + 600, T, T + 1000)).toBe("editTimesOrder");
    expect(editVisit(d, "1", T, T + 2000, T + 1000)).toBe("editTimesRange");
    expect(editVisit(d, "1", T - RETENTION_SECS - 5000, T, T + 1000)).toBe("editTimesRange");
    expect(editVisit(d, "1", T - 60, T + 900, T + 1000)).toBeNull();
    expect([d.visits[0]!.arrival, d.visits[0]!.departure, d.visits[0]!.sealed]).toEqual([T - 60, T + 900, false]);
    expect(d.outbox.map((q) => q.record)).toEqual(["y"]);
    expect(d.held).toEqual([Math.floor(T / 3600) - 5]);
  });
});

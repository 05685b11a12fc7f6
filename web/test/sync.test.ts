// Sync against a server that misbehaves the way caches, proxies and clocks do (spec section
// 12.3): a closed hour withheld once is fetched again, a phone whose clock runs fast does not
// hold the hour the server is still filling, and a notice republished in another bundle alerts
// once (section 13). The server here is played by the test, answering with the vectors'
// bundles, because it must do what the real server never does.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { base64url, concat, unhex, u64 } from "../src/protocol/bytes.js";
import { parseTrust } from "../src/protocol/trust.js";
import { sync } from "../src/app/sync.js";
import { type Diary, emptyDiary } from "../src/app/store.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), "utf8"));

const notice = load("notice.json");
const client = load("client.json");
const matching = load("matching.json");
const trust = parseTrust(load("trust.json").text);
const poster = load("poster.json").valid[0];

const first = { bundle: unhex(notice.bundle.encoding), hour: Math.floor(notice.bundle.created_at / 3600) };
const again = { bundle: unhex(client.republished.bundle), hour: Math.floor(client.republished.created_at / 3600) };

const u32 = (n: number): Uint8Array => new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const batch = (hour: number, bundles: Uint8Array[]): Uint8Array =>
  concat(new Uint8Array([2]), u64(hour), u32(bundles.length), ...bundles.flatMap((b) => [u32(b.length), b]));

/** A diary holding matching.json's visit inside the notice's window. */
function diary(): Diary {
  const d = emptyDiary();
  const v = matching.visits[client.republished.matching_visit];
  d.visits.push({
    id: client.republished.visit_id,
    poster: base64url(unhex(poster.encoding)),
    venue: "Café Zürich",
    arrival: v.arrival,
    departure: v.departure,
    autoDeparture: v.arrival + 5400,
    share: false,
    sealed: false,
    sealProblem: null,
  });
  return d;
}

/** A server whose clock reads `clock()`, holding `published` (hour → bundles), that answers
 * `withhold(hour)` instead of the batch when it gives one (for a day file: instead of that
 * hour's batch, or of the whole file when it is "gone"); it records the hours asked for, every
 * hour of a day file among them. */
function server(
  clock: () => number,
  published: Map<number, Uint8Array[]>,
  withhold: (hour: number) => "empty" | "gone" | null = () => null,
) {
  const asked: number[] = [];
  const get = async (path: string): Promise<Response> => {
    const headers = { date: new Date(clock() * 1000).toUTCString() };
    if (path === "/v1/revocations") return new Response(JSON.stringify({ revocations: null }), { headers });
    if (path.startsWith("/v1/days/")) {
      const day = Number(path.split("/").pop());
      const hours = Array.from({ length: 24 }, (_, i) => day * 24 + i);
      asked.push(...hours);
      if ((day + 1) * 86_400 + 120 > clock()) return new Response("", { status: 404, headers });
      if (hours.some((h) => withhold(h) === "gone")) return new Response("", { status: 410, headers });
      const inside = hours.map((h) => batch(h, withhold(h) === "empty" ? [] : (published.get(h) ?? [])));
      return new Response(concat(new Uint8Array([2]), u64(day), ...inside.flatMap((b) => [u32(b.length), b])).slice(), { headers });
    }
    const hour = Number(path.split("/").pop());
    asked.push(hour);
    if (hour > Math.floor(clock() / 3600)) return new Response("", { status: 404, headers });
    const w = withhold(hour);
    if (w === "gone") return new Response("", { status: 410, headers });
    return new Response(batch(hour, w === "empty" ? [] : (published.get(hour) ?? [])).slice(), { headers });
  };
  return { get, asked };
}

describe("a withheld closed hour", () => {
  for (const how of ["empty", "gone"] as const) {
    test(`answered once ${how === "empty" ? "with an empty batch" : "410"} is fetched again a day later and its notice alerts`, async () => {
      const d = diary();
      const published = new Map([[first.hour, [first.bundle]]]);
      let now = (first.hour + 3) * 3600;
      const hostile = server(() => now, published, (h) => (h === first.hour ? how : null));
      expect((await sync(d, trust, now, hostile.get)).newAlerts).toHaveLength(0);
      expect(d.held).toContain(first.hour);

      // Minutes later the hour's second look is not due yet.
      now += 600;
      const honest = server(() => now, published);
      expect((await sync(d, trust, now, honest.get)).newAlerts).toHaveLength(0);
      expect(honest.asked).not.toContain(first.hour);

      now += 86_400;
      const later = server(() => now, published);
      const report = await sync(d, trust, now, later.get);
      expect(later.asked).toContain(first.hour);
      expect(report.newAlerts).toHaveLength(1);
      expect(d.alerts).toHaveLength(1);

      // After the second look the hour is held for good.
      now += 86_400;
      const after = server(() => now, published);
      await sync(d, trust, now, after.get);
      expect(after.asked).not.toContain(first.hour);
    });
  }
});

describe("a phone whose clock runs 25 minutes fast", () => {
  test("does not hold the hour the server is still filling, and sees the notice published later in it", async () => {
    const d = diary();
    const published = new Map<number, Uint8Array[]>();
    let real = again.hour * 3600 + 2300; // before the bundle is published, 40 minutes in
    const fast = 25 * 60;
    const s = server(() => real, published);
    expect((await sync(d, trust, real + fast, s.get)).newAlerts).toHaveLength(0);
    expect(d.held).not.toContain(again.hour);

    published.set(again.hour, [again.bundle]);
    real = again.hour * 3600 + 3000;
    const report = await sync(d, trust, real + fast, s.get);
    expect(report.newAlerts).toHaveLength(1);
  });

  test("still holds a closed hour once the server's Date shows it closed", async () => {
    const d = diary();
    const real = (again.hour + 1) * 3600 + 200;
    const s = server(() => real, new Map());
    await sync(d, trust, real + 25 * 60, s.get);
    expect(d.held).toContain(again.hour);
  });

  test("holds nothing from answers without a Date", async () => {
    const d = diary();
    const now = (again.hour + 3) * 3600;
    const s = server(() => now, new Map());
    const get = async (path: string): Promise<Response> => {
      const r = await s.get(path);
      return new Response(await r.arrayBuffer(), { status: r.status });
    };
    await sync(d, trust, now, get);
    expect(d.held).toHaveLength(0);
  });
});

describe("a notice republished in another bundle", () => {
  test("alerts once", async () => {
    const d = diary();
    const published = new Map([
      [first.hour, [first.bundle]],
      [again.hour, [again.bundle]],
    ]);
    const now = (again.hour + 2) * 3600;
    const report = await sync(d, trust, now, server(() => now, published).get);
    expect(report.newAlerts).toHaveLength(1);
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]!.id).toBe(client.republished.alert_id);
  });

  test("alerts for each of two visits to the same place, whose poster is decoded once", async () => {
    const d = diary();
    d.visits.push({ ...d.visits[0]!, id: "second-visit-same-poster" });
    const now = (again.hour + 2) * 3600;
    const report = await sync(d, trust, now, server(() => now, new Map([[first.hour, [first.bundle]]])).get);
    expect(report.newAlerts.map((a) => a.visit).sort()).toEqual([client.republished.visit_id, "second-visit-same-poster"].sort());
  });

  test("alerts once for a diary whose alert was found under the old id", async () => {
    const d = diary();
    const now = (again.hour + 2) * 3600;
    await sync(d, trust, now, server(() => now, new Map([[first.hour, [first.bundle]]])).get);
    expect(d.alerts).toHaveLength(1);
    const a = d.alerts[0]!;
    // The id earlier versions gave it: the visit, the bundle id, the window and the message.
    a.id = `${a.visit}|${notice.bundle.id}|${a.start}|${a.end}|${a.message}`;
    d.held = d.held.filter((h) => h < again.hour - 1);
    const later = now + 3600;
    const report = await sync(d, trust, later, server(() => later, new Map([[again.hour, [again.bundle]]])).get);
    expect(report.newAlerts).toHaveLength(0);
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]!.id).toBe(client.republished.alert_id);
  });
});

describe("a first sync", () => {
  test("of the whole window is at most 40 requests: closed days as files, then today's hours", async () => {
    const d = diary();
    const published = new Map([[first.hour, [first.bundle]]]);
    const now = (first.hour + 3) * 3600 + 1800;
    const paths: string[] = [];
    const s = server(() => now, published);
    const report = await sync(d, trust, now, async (path) => {
      paths.push(path);
      return s.get(path);
    });
    expect(paths.length).toBeLessThanOrEqual(40);
    expect(paths.filter((p) => p.startsWith("/v1/days/")).length).toBeGreaterThanOrEqual(14);
    expect(report.newAlerts).toHaveLength(1);
    const window = new Set(s.asked);
    for (let h = Math.floor(now / 3600) - 360; h <= Math.floor(now / 3600); h++) expect(window.has(h)).toBe(true);
  });
});

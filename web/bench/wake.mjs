// The browser half of the wake-up benchmark; bench/wake.sh starts the server and runs this.
// For each run and each wake-up (a push through ServiceWorker.deliverPushMessage, a periodic
// sync through ServiceWorker.dispatchPeriodicSyncEvent), in a fresh browser context: the app
// is opened once (its service worker installs), the phone's diary is written (phone.ts), the
// app's page is closed, and the worker is woken from the DevTools protocol of a page of
// another origin. Timed from the DevTools command to the alert's notification read from the
// registration (polled every 20 ms):
//   first: the first wake-up after install, every hour of the 14 days to fetch;
//   hour:  a wake-up with one new hour to fetch (the diary as it was before the matching
//          notice's hour closed: that hour not held, its alert not found).
// Then, in a page of the same origin, the same two wake-ups' work timed by part (phone.ts).
//
// Environment: SERVER (the server's URL), PHONE (bench_day's phone.json), TRUST (the server's
// trust file), RUNS (default 3), CHROMIUM (default /usr/bin/chromium). Prints one JSON line
// per measurement and a summary.

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const SERVER = env("SERVER");
const APP = `${SERVER}/v1/c`;
const PHONE = JSON.parse(readFileSync(env("PHONE"), "utf8"));
const TRUST = readFileSync(env("TRUST"), "utf8");
const RUNS = Number(env("RUNS", "3"));
const origin = new URL(APP).origin;
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

const helper = await build({ entryPoints: [new URL("phone.ts", import.meta.url).pathname], bundle: true, write: false, format: "iife", target: "es2022" });
const helperJs = helper.outputFiles[0].text;

const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "en-GB", timezoneId: "UTC" };

/** A page of the app's origin outside its scope, with phone.ts loaded; `fn` runs there. */
async function inHelper(ctx, fn, ...args) {
  const p = await ctx.newPage();
  await p.goto(`${SERVER}/healthz`);
  await p.evaluate(helperJs);
  try {
    return await p.evaluate(([name, a]) => globalThis.benchPhone[name](...a), [fn, args]);
  } finally {
    await p.close();
  }
}

/** The registration's notifications, read from the worker (the newest worker handle that
 * answers: a stopped worker's handle does not). `close` closes them. */
async function notes(ctx, close = false) {
  for (const w of ctx.serviceWorkers().reverse()) {
    const got = await w
      .evaluate(async (close) => {
        const all = await self.registration.getNotifications();
        if (close) for (const n of all) n.close();
        return all.map((n) => n.title);
      }, close)
      .catch(() => null);
    if (got) return got;
  }
  return [];
}

/** A fresh phone: the app opened once (the worker installed), its diary written, no page of
 * the app open, and a DevTools session on a blank page. */
async function freshPhone() {
  const ctx = await browser.newContext(phone);
  await ctx.grantPermissions(["notifications"], { origin });
  const pg = await ctx.newPage();
  await pg.goto(APP);
  await pg.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await pg.close();
  const visits = await inHelper(ctx, "makeDiary", TRUST, PHONE.visits);
  const blank = await ctx.newPage();
  const cdp = await ctx.newCDPSession(blank);
  const regs = new Map();
  cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
    for (const r of registrations) if (!r.isDeleted) regs.set(r.scopeURL, r.registrationId);
  });
  await cdp.send("ServiceWorker.enable");
  for (let i = 0; i < 100 && !regs.has(APP); i++) await new Promise((r) => setTimeout(r, 50));
  if (!regs.has(APP)) throw new Error(`the app's worker is not registered: ${[...regs.keys()]}`);
  return { ctx, cdp, registrationId: regs.get(APP), visits };
}

async function wakeToNote(p, how) {
  const before = await notes(p.ctx, true);
  if (before.length) await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  if (how === "push") await p.cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: p.registrationId, data: "sync" });
  else await p.cdp.send("ServiceWorker.dispatchPeriodicSyncEvent", { origin, registrationId: p.registrationId, tag: "checkin-sync" });
  const want = `High risk: ${PHONE.match.venue}`;
  for (const end = t0 + 600_000; Date.now() < end; ) {
    if ((await notes(p.ctx)).includes(want)) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no notification "${want}" within 600 s of a ${how}`);
}

const out = { first: { push: [], periodic: [] }, hour: { push: [], periodic: [] }, parts: { first: [], hour: [] } };
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const how of ["push", "periodic"]) {
      const p = await freshPhone();
      const l1 = load();
      const first = await wakeToNote(p, how);
      out.first[how].push(first);
      console.log(JSON.stringify({ run, how, case: "first", ms: first, visits: p.visits, load: l1 }));
      await inHelper(p.ctx, "forgetHour", PHONE.match.hour);
      const l2 = load();
      const hour = await wakeToNote(p, how);
      out.hour[how].push(hour);
      console.log(JSON.stringify({ run, how, case: "hour", ms: hour, load: l2 }));
      if (how === "push") {
        // The same work by part, in a page: the first wake-up, then one new hour.
        await inHelper(p.ctx, "makeDiary", TRUST, PHONE.visits);
        const l3 = load();
        const a = await inHelper(p.ctx, "phases");
        out.parts.first.push(a);
        console.log(JSON.stringify({ run, case: "first", parts: a, load: l3 }));
        await inHelper(p.ctx, "forgetHour", PHONE.match.hour);
        const l4 = load();
        const b = await inHelper(p.ctx, "phases");
        out.parts.hour.push(b);
        console.log(JSON.stringify({ run, case: "hour", parts: b, load: l4 }));
      }
      await p.ctx.close();
    }
  }
} finally {
  await browser.close();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (xs) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), n: xs.length });
const partsSummary = (rows) => Object.fromEntries(Object.keys(rows[0] ?? {}).map((k) => [k, summary(rows.map((r) => r[k]))]));
console.log(
  JSON.stringify({
    summary: {
      first: { push: summary(out.first.push), periodic: summary(out.first.periodic) },
      hour: { push: summary(out.hour.push), periodic: summary(out.hour.periodic) },
      parts: { first: partsSummary(out.parts.first), hour: partsSummary(out.parts.hour) },
    },
  }),
);

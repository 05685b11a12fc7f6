// The app built for one authority, in a real browser (spec section 16d): Debian's Chromium
// driven by playwright-core against a real notify-server that pins the development authority
// (the committed app's own), through a small proxy on loopback that can change the app.js it
// passes on (tests/tests/web_browser.rs sets that up and runs this script).
//
// 1. A phone installs the app; its Settings show the authority, the emergency officers with
//    their threshold, and the release key.
// 2. Something writes another authority's trust file into the phone's pin (IndexedDB); at the
//    next opening the app says so, does not obey it, and pins the authority's file again.
// 3. The server starts serving a changed app.js; at the next opening the installed app says
//    in words that the server serves a different version of the app, naming app.js.
//
// Environment: SERVER (the server's URL), OTHER_TRUST (a trust file of another authority),
// SHOTS (a directory for screenshots), CHROMIUM (default /usr/bin/chromium). Prints one JSON
// line; exits non-zero with the reason on the first failed check.

import { createServer, request as httpRequest } from "node:http";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const SERVER = env("SERVER");
const OTHER_TRUST = env("OTHER_TRUST");
const SHOTS = env("SHOTS");
const results = { screenshots: [] };

function check(cond, what) {
  if (!cond) throw new Error(`failed: ${what}`);
}

/** A proxy on loopback before the server: passes every request on, and while `changed` is
 * set, serves app.js with a line appended, as a server that changed the app would. */
async function startProxy(target) {
  const proxy = { changed: false, url: "", close: () => {} };
  const server = createServer((req, res) => {
    const isApp = (req.url ?? "").split("?")[0].endsWith("/app.js");
    const headers = { ...req.headers };
    if (isApp) delete headers["accept-encoding"];
    const up = httpRequest(`${target}${req.url}`, { method: req.method, headers }, (r) => {
      if (!(isApp && proxy.changed)) {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        return;
      }
      const chunks = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => {
        const body = Buffer.concat([...chunks, Buffer.from("\n// served by a server that changed the app\n")]);
        const h = { ...r.headers, "content-length": String(body.length) };
        delete h.etag;
        res.writeHead(r.statusCode ?? 502, h);
        res.end(body);
      });
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  proxy.close = () => {
    server.closeAllConnections();
    server.close();
  };
  return proxy;
}

async function shot(page, name) {
  const path = `${SHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  results.screenshots.push(path);
}

const proxy = await startProxy(SERVER);
const APP = `${proxy.url}/v1/c`;
const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let page = null;
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB", timezoneId: "UTC" });
  page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  // 1. The first run installs the app and its signed release.
  await page.goto(APP);
  await page.getByRole("button", { name: "Start" }).click();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const dd = (term) => page.locator("dt", { hasText: term }).locator("xpath=following-sibling::dd[1]");
  const settings = async () => {
    if (!(await page.locator("details.settings").evaluate((e) => e.open))) await page.locator("summary", { hasText: "Settings" }).click();
  };
  await settings();
  await page.getByText("2 of 3 must approve together", { exact: false }).waitFor();
  const fingerprint = (await dd("Authority fingerprint").textContent()).trim();
  const release = (await dd("Release key").textContent()).trim();
  check(/^[A-Za-z0-9_-]{4}( [A-Za-z0-9_-]{1,4}){10}$/.test(release), `the release key is shown: ${release}`);
  results.fingerprint = fingerprint;
  await shot(page, "release-1-settings");
  const say = () => page.locator(".status").allTextContents().then((t) => t.join(" "));

  // 2. Another authority's file written into the pin: reported, not obeyed, repaired.
  const helper = await build({ entryPoints: [new URL("earlier-release.ts", import.meta.url).pathname], bundle: true, write: false, format: "iife", target: "es2022" });
  await page.evaluate(helper.outputFiles[0].text);
  await page.evaluate((text) => globalThis.pinTrust(text), OTHER_TRUST);
  await page.reload();
  await page.getByText("was not the one this app was built for", { exact: false }).waitFor();
  await shot(page, "release-2-pin-repaired");
  await settings();
  const repaired = (await dd("Authority fingerprint").textContent()).trim();
  check(repaired === fingerprint, `the pin is the app's authority again: ${repaired}`);
  await page.evaluate(helper.outputFiles[0].text);
  const pinned = await page.evaluate(() => globalThis.pinnedTrust());
  check(pinned !== OTHER_TRUST && pinned.includes("Development authority"), "the authority's own file is pinned again");
  results.pinRepaired = true;
  check(!(await say()).includes("different version"), `no warning about the app while it is the signed one: ${await say()}`);

  // 3. The server serves a changed app.js: the installed app says so, naming the file.
  proxy.changed = true;
  await page.reload();
  await page.getByText("This server is now serving a different version of the app (app.js)", { exact: false }).waitFor({ timeout: 30_000 });
  await shot(page, "release-3-app-changed");
  results.appChangedWarned = true;
  check(errors.length === 0, `no script errors: ${errors.join("; ")}`);
} catch (e) {
  if (page) await shot(page, "release-failed").catch(() => {});
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
  proxy.close();
}
console.log(JSON.stringify(results));

// The service worker: keeps the app's own files so that the app always opens, at once, even
// behind a front that answers "502 bad gateway" or a network that accepts connections and
// never answers. The app shell is served from the cache first and never replaced by whatever
// the network says: a release arrives as a new worker (its cache name is the release's hash,
// which build.mjs writes in), installed in the background only when every file of the shell
// came back whole, with the right type, within a deadline; a failed install leaves the old
// release in charge. Only `trust.txt` is refreshed in the background, and only by an answer
// that is one. API requests (notices, revocations, uploads) are never cached here.
//
// Every request this worker makes omits credentials and bypasses the HTTP cache, so that no
// cookie or validator (an ETag a server made for this phone) ever goes back.

import { checkOut, openVisit } from "./diary.js";
import { chooseLanguage } from "./messages.js";
import { Store } from "./store.js";
import { autoOutNote, CHECK_OUT_ACTION, checkedOutNote } from "./visitnote.js";
import { PERIODIC_TAG, wake } from "./wake.js";

declare const RELEASE: string;

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = `checkin-app-${RELEASE}`;
/** How long the worker waits for the network when it must (a file missing from the cache). */
const DEADLINE_MS = 8_000;
/** How long a sync's request may take (as the page's). */
const API_DEADLINE_MS = 20_000;
/** How long an install waits for each file: it runs in the background, so it can wait. */
const INSTALL_DEADLINE_MS = 60_000;
const base = new URL(".", sw.location.href);

/** The shell: the page (the scope, the poster path) and the files beside this worker, each
 * with the type its answer must have. */
const SHELL: ReadonlyMap<string, string> = new Map([
  [sw.registration.scope, "text/html"],
  ...(
    [
      ["app.js", "text/javascript"],
      ["app.css", "text/css"],
      ["manifest.webmanifest", "application/manifest+json"],
      ["icon.svg", "image/svg+xml"],
      ["icon-192.png", "image/png"],
      ["icon-512.png", "image/png"],
      ["icon-maskable.png", "image/png"],
      ["trust.txt", "text/plain"],
    ] as const
  ).map(([f, type]) => [new URL(f, base).href, type] as [string, string]),
]);
const TRUST = new URL("trust.txt", base).href;

/** A GET with no credentials, no HTTP cache (so no validators) and a deadline. */
function get(url: string, deadlineMs: number): Promise<Response> {
  return fetch(url, {
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
    referrerPolicy: "no-referrer",
    signal: AbortSignal.timeout(deadlineMs),
  });
}

/** Whether `res` is the file itself: a 200 of the expected type (the page must be the app's
 * page, not a front's error page served as 200). Reads a clone. */
async function genuine(url: string, res: Response): Promise<boolean> {
  const want = SHELL.get(url);
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (res.status !== 200 || res.type === "opaque" || !want || type !== want) return false;
  if (want === "text/html") return (await res.clone().text()).includes('id="app"');
  if (url === TRUST) return (await res.clone().text()).includes("authority");
  return true;
}

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const got: [string, Response][] = [];
      for (const url of SHELL.keys()) {
        const res = await get(url, INSTALL_DEADLINE_MS);
        if (!(await genuine(url, res))) throw new Error(`${url}: not the app's file (${res.status})`);
        got.push([url, res]);
      }
      // All or nothing: the new release's cache is filled only once every file came whole.
      const c = await caches.open(CACHE);
      await Promise.all(got.map(([url, res]) => c.put(url, res)));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("checkin-app-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

/** The trust file is the server's own; a newer one (the same authority's new sealing periods)
 * is taken in the background, for the next opening. */
async function refreshTrust(): Promise<void> {
  try {
    const res = await get(TRUST, DEADLINE_MS);
    if (await genuine(TRUST, res)) await (await caches.open(CACHE)).put(TRUST, res);
  } catch {
    // Offline or no answer: the cached one stays.
  }
}

async function shell(event: FetchEvent, url: string): Promise<Response> {
  const cached = await caches.match(url, { cacheName: CACHE });
  if (cached) {
    if (url === TRUST) event.waitUntil(refreshTrust());
    return cached;
  }
  // Not cached (evicted, or this worker is still installing): the network, within a deadline,
  // and only an answer that is the file.
  try {
    const res = await get(url, DEADLINE_MS);
    if (await genuine(url, res)) {
      const copy = res.clone();
      event.waitUntil(caches.open(CACHE).then((c) => c.put(url, copy)));
      return res;
    }
  } catch {
    // Fall through.
  }
  return (await caches.match(url)) ?? Response.error();
}

sw.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  url.hash = "";
  if (event.request.method !== "GET" || !SHELL.has(url.href)) return;
  event.respondWith(shell(event, url.href));
});

// The ongoing visit's notification: its Check out button checks out here, without opening the
// page (the diary opens in the worker as in the page; a diary under a passphrase cannot, and
// then the app opens instead). Any other tap opens the app. Open pages are told to read the
// diary again.
sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const alert = (event.notification.data as { alert?: unknown } | null)?.alert;
  const work = onNotification(event.action, typeof alert === "string" ? alert : null);
  try {
    event.waitUntil(work);
  } catch {
    // Only an event the browser dispatched can extend the worker's life; the work runs anyway.
  }
});

async function onNotification(action: string, alert: string | null): Promise<void> {
  chooseLanguage(sw.navigator.languages);
  if (action === CHECK_OUT_ACTION) {
    const store = await Store.open();
    if (store instanceof Store) {
      const d = await store.load();
      const open = openVisit(d);
      const icon = new URL("icon-192.png", base).href;
      // Past its automatic check-out time the visit has ended already: say when.
      const v = checkOut(d, Math.floor(Date.now() / 1000));
      if (open) {
        await store.save(d);
        await sw.registration.showNotification(...(v ? checkedOutNote(v, icon) : autoOutNote(open, icon)));
      }
      for (const c of await sw.clients.matchAll({ type: "window" })) c.postMessage({ diaryChanged: true });
      return;
    }
  }
  // An alert's notification opens the app at that alert (the page reads `#alert=ID`, which no
  // request carries).
  const [page] = await sw.clients.matchAll({ type: "window" });
  if (page) {
    await page.focus();
    if (alert) page.postMessage({ diaryChanged: true, alert });
  } else {
    await sw.clients.openWindow(alert ? `${sw.registration.scope}#alert=${encodeURIComponent(alert)}` : sw.registration.scope);
  }
}

// Woken while the app may be closed: a push from the server (content-free) or a periodic
// sync. An open page syncs itself (one writer of the diary at a time); otherwise the worker
// syncs and matches here (wake.ts).
sw.addEventListener("push", (event) => event.waitUntil(onWake("push")));
sw.addEventListener("periodicsync", (event) => {
  const e = event as ExtendableEvent & { tag?: string };
  if (e.tag === PERIODIC_TAG) e.waitUntil(onWake("periodic"));
});

async function onWake(why: "push" | "periodic"): Promise<void> {
  chooseLanguage(sw.navigator.languages);
  const pages = await sw.clients.matchAll({ type: "window" });
  if (pages.length) {
    for (const c of pages) c.postMessage({ syncNow: true });
    return;
  }
  const icon = new URL("icon-192.png", base).href;
  try {
    await wake(
      why,
      Math.floor(Date.now() / 1000),
      (path) => get(new URL(path, sw.location.origin).href, API_DEADLINE_MS),
      (note) => sw.registration.showNotification(...note),
      icon,
    );
  } catch {
    // The server unreachable or the diary unsaved: the next wake-up or opening tries again.
  }
}

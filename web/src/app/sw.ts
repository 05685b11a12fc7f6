// The service worker: keeps the app's own files so that it opens offline. Network first, so
// that a new release reaches the phone at the next opening online; the cache only when the
// network fails. API requests (notices, revocations) are never cached here: they go to the
// network as they are.

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = "checkin-app-v1";
const base = new URL(".", sw.location.href);
// The page (the scope: the poster path), and the files beside this worker.
const SHELL = [sw.registration.scope, ...["app.js", "app.css", "manifest.webmanifest", "icon.svg", "trust.txt"].map((f) => new URL(f, base).href)];

sw.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  url.hash = "";
  if (event.request.method !== "GET" || !SHELL.includes(url.href)) return;
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          void caches.open(CACHE).then((c) => c.put(url.href, copy));
        }
        return res;
      })
      .catch(async () => (await caches.match(url.href)) ?? Response.error()),
  );
});

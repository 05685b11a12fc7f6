// Notifications: offered once, after the first check-in, in plain words; then kept in step
// with the diary (shown while a visit is open, replaced when it ends). The service worker
// handles the notification's Check out button (sw.ts). Turning them on also asks for wake-ups
// while the app is closed (spec section 16b): a push subscription given to the server, and
// Periodic Background Sync where the browser offers it (an installed app); the service worker,
// woken, checks for notices and matches them on the phone (wake.ts). Turning them off deletes
// the subscription from the server and the browser.

import { t } from "../messages.js";
import type { Diary } from "../store.js";
import { button, h } from "../ui.js";
import { autoOutNote, openNote, VISIT_TAG } from "../visitnote.js";
import { openVisit } from "../diary.js";
import { base64url, unbase64url } from "../../protocol/bytes.js";
import { request } from "../net.js";
import { PERIODIC_TAG } from "../wake.js";

/** The least interval asked of Periodic Background Sync; browsers choose a longer one (an
 * engaged installed app's, about a day in Chromium), so this only says "no more often". */
const PERIODIC_MIN_MS = 12 * 3600 * 1000;

/** Periodic Background Sync, which TypeScript's DOM types do not list yet. */
type Periodic = { periodicSync?: { register(tag: string, o: { minInterval: number }): Promise<void>; unregister(tag: string): Promise<void> } };

const icon = (): string => new URL("icon-192.png", import.meta.url).href;

export const notificationsPossible = (): boolean => "Notification" in globalThis && "serviceWorker" in navigator;

/** The offer, shown from the first check-in until the citizen answers; null otherwise. */
export function notifyOffer(d: Diary, answer: (on: boolean) => void): HTMLElement | null {
  if (d.notify || d.visits.length === 0 || !notificationsPossible()) return null;
  return h(
    "section",
    { class: "offer", "aria-labelledby": "notify-title" },
    h("h2", { id: "notify-title" }, t("notifyOfferTitle")),
    h("p", {}, t("notifyOffer")),
    h("div", { class: "actions" }, button(t("notifyOn"), () => answer(true), "primary"), button(t("notifyNo"), () => answer(false))),
  );
}

/** Asks the browser; true when notifications are allowed. */
export async function askPermission(): Promise<boolean> {
  if (!notificationsPossible()) return false;
  return (await Notification.requestPermission()) === "granted";
}

/** The worker's registration once it is active (a first run's is still installing). */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!notificationsPossible() || Notification.permission !== "granted") return undefined;
  const reg = await navigator.serviceWorker.getRegistration(location.pathname);
  if (!reg || reg.active) return reg;
  const wait = new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000));
  return Promise.race([navigator.serviceWorker.ready, wait]);
}

/** The setting: notifications on or off, for the settings screen; under a passphrase, what
 * a closed app can and cannot tell. */
export function notifySetting(d: Diary, locked: boolean, set: (on: boolean) => void): HTMLElement | null {
  if (!notificationsPossible()) return null;
  return h(
    "section",
    { "aria-labelledby": "notify-setting-title" },
    h("h2", { id: "notify-setting-title" }, t("notifySetting")),
    d.notify === "on"
      ? h("p", {}, t("notifySettingOn"))
      : h("p", {}, t("notifyOffer")),
    d.notify === "on" && locked ? h("p", { class: "hint" }, t("notifySettingLocked")) : "",
    d.notify === "on" ? button(t("notifyOff"), () => set(false)) : button(t("notifyOn"), () => set(true)),
  );
}

/** Shows the open visit's notification, or removes it when none is open. */
export async function showVisit(d: Diary): Promise<void> {
  const reg = d.notify === "on" ? await registration() : undefined;
  if (!reg) return;
  const open = openVisit(d);
  if (open) {
    await reg.showNotification(...openNote(open, icon()));
  } else {
    for (const n of await reg.getNotifications({ tag: VISIT_TAG })) n.close();
  }
}

/** Replaces the visit's notification with "Checked out automatically at 13:40". */
export async function showAutoOut(d: Diary, visitId: string): Promise<void> {
  const reg = d.notify === "on" ? await registration() : undefined;
  const v = d.visits.find((x) => x.id === visitId);
  if (reg && v) await reg.showNotification(...autoOutNote(v, icon()));
}

/** Asks for wake-ups while the app is closed, or renews them (every opening does, at its first
 * sync: the server keeps a subscription 30 days from its last post). A server that sends none
 * (404 push_disabled), a browser with no push service or none reachable: notifications for
 * visits still work, and the app checks for notices when opened. */
export async function startWakeUps(): Promise<void> {
  const reg = await registration();
  if (!reg) return;
  try {
    await (reg as ServiceWorkerRegistration & Periodic).periodicSync?.register(PERIODIC_TAG, { minInterval: PERIODIC_MIN_MS });
  } catch {
    // Offered only to an installed app: the push wake-ups stand alone.
  }
  try {
    const r = await request("/v1/push/key");
    if (!r.ok) return;
    const key = unbase64url(((await r.json()) as { key?: string }).key ?? "");
    if (!key) return;
    let sub = await reg.pushManager.getSubscription();
    // A subscription to an older VAPID key is useless (the server signs with its key alone).
    const held = sub?.options.applicationServerKey;
    if (sub && (!held || base64url(new Uint8Array(held)) !== base64url(key))) {
      await sub.unsubscribe();
      sub = null;
    }
    sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: new Uint8Array(key) });
    await request("/v1/push/subscriptions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(sub.toJSON()),
    });
  } catch {
    // No push service reachable, or no answer: tried again at the next opening.
  }
}

/** Stops the wake-ups: the subscription deleted from the server (by its endpoint and auth
 * secret) and from the browser, and the periodic sync unregistered. */
export async function stopWakeUps(): Promise<void> {
  if (!notificationsPossible()) return;
  const reg = await navigator.serviceWorker.getRegistration(location.pathname);
  if (!reg) return;
  try {
    await (reg as ServiceWorkerRegistration & Periodic).periodicSync?.unregister(PERIODIC_TAG);
  } catch {
    // Never registered.
  }
  const sub = await reg.pushManager?.getSubscription().catch(() => null);
  if (!sub) return;
  const { endpoint, keys } = sub.toJSON();
  try {
    await request("/v1/push/subscriptions", {
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ endpoint, auth: keys?.auth }),
    });
  } catch {
    // Offline: the server deletes it when it expires, or when the push service says it is gone.
  }
  await sub.unsubscribe().catch(() => false);
}

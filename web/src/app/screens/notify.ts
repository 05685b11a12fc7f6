// Notifications while checked in: offered once, after the first check-in, in plain words;
// then kept in step with the diary (shown while a visit is open, replaced when it ends). The
// service worker handles the notification's Check out button (sw.ts).

import { t } from "../messages.js";
import type { Diary } from "../store.js";
import { button, h } from "../ui.js";
import { autoOutNote, openNote, VISIT_TAG } from "../visitnote.js";
import { openVisit } from "../diary.js";

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

/** The setting: notifications on or off, for the settings screen. */
export function notifySetting(d: Diary, set: (on: boolean) => void): HTMLElement | null {
  if (!notificationsPossible()) return null;
  return h(
    "section",
    { "aria-labelledby": "notify-setting-title" },
    h("h2", { id: "notify-setting-title" }, t("notifySetting")),
    d.notify === "on"
      ? h("p", {}, t("notifySettingOn"))
      : h("p", {}, t("notifyOffer")),
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

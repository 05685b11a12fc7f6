// What the service worker does when woken while the app may be closed: by a push from the
// server (spec section 16b, content-free: it says only "a closed hour holds new bundles") or by
// Periodic Background Sync. It opens the diary as the page does, runs the same sync and
// matching (sync.ts, the rules of protocol/client.ts), saves, and shows one notification per
// new alert, naming the venue and saying what to do. Nothing about a match leaves the phone:
// the only requests are the sync's own, the same for every phone. A diary under a passphrase
// cannot be opened here: then the notification only says that there are new notices.

import { parseTrust } from "../protocol/trust.js";
import { t } from "./messages.js";
import { Store } from "./store.js";
import type { AlertRec } from "./store.js";
import { sync } from "./sync.js";
import type { Options } from "./visitnote.js";

/** The Periodic Background Sync registration's tag. */
export const PERIODIC_TAG = "checkin-sync";
/** The notification saying that a locked diary has notices to check: one at a time. */
export const LOCKED_TAG = "checkin-new-notices";

/** The notification of a new alert: "High risk: The Crown", what to do beneath; its tag is the
 * alert's, so a phone shows one per alert. Tapping it opens the app at the alert. */
export function alertNote(a: AlertRec, icon: string): [string, Options] {
  const high = a.severity === 2;
  return [
    `${t(high ? "alertHigh" : "alertLow")}: ${a.venue}`,
    { tag: `checkin-alert-${a.id}`, body: t(high ? "guideHigh" : "guideLow"), icon, timestamp: a.start * 1000, data: { alert: a.id } },
  ];
}

/** The notification when the diary is locked: the app must be opened to check. */
export function lockedNote(icon: string): [string, Options] {
  return [t("wakeLocked"), { tag: LOCKED_TAG, body: t("wakeLockedBody"), icon, data: {} }];
}

export type WakeResult = "alerts" | "nothing new" | "locked" | "off";

/** One wake-up at `now`: the diary opened, synced, matched and saved; `show` called for each
 * new alert (or once, for a locked diary woken by a push). Throws when the server cannot be
 * reached or the diary cannot be saved. */
export async function wake(
  why: "push" | "periodic",
  now: number,
  get: (path: string) => Promise<Response>,
  show: (note: [string, Options]) => Promise<void>,
  icon: string,
): Promise<WakeResult> {
  const store = await Store.open();
  if (!(store instanceof Store)) {
    // A push means a closed hour holds new bundles; a periodic wake-up knows nothing new.
    if (why === "push") await show(lockedNote(icon));
    return "locked";
  }
  const d = await store.load();
  if (d.notify !== "on" || !d.started || !d.trust) return "off";
  const report = await sync(d, parseTrust(d.trust), now, get);
  await store.save(d);
  for (const a of report.newAlerts) await show(alertNote(a, icon));
  return report.newAlerts.length ? "alerts" : "nothing new";
}

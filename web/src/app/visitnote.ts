// The notification of the ongoing visit, made by the page and by the service worker alike:
// "At The Crown since 12:10" with a Check out action, replaced by what happened when the
// visit ends. One tag, so that a phone shows at most one. Made on the phone; nothing about it
// goes to any server.

import { t } from "./messages.js";
import type { VisitRec } from "./store.js";

export const VISIT_TAG = "checkin-visit";
export const CHECK_OUT_ACTION = "checkout";

const hm = (secs: number): string => {
  const d = new Date(secs * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
};

/** Notification options with actions, which TypeScript's DOM types do not list yet. */
export type Options = NotificationOptions & { actions?: { action: string; title: string }[]; timestamp?: number };

/** The notification of an open visit. */
export function openNote(v: VisitRec, icon: string): [string, Options] {
  return [
    t("notifyAt", { venue: v.venue, time: hm(v.arrival) }),
    {
      tag: VISIT_TAG,
      body: t("notifyAutoOut", { time: hm(v.autoDeparture) }),
      icon,
      silent: true,
      requireInteraction: true,
      timestamp: v.arrival * 1000,
      data: { visit: v.id },
      actions: [{ action: CHECK_OUT_ACTION, title: t("checkOut") }],
    },
  ];
}

/** The notification that replaces it when the visit ended by itself. */
export function autoOutNote(v: VisitRec, icon: string): [string, Options] {
  return [t("notifyAutoDone", { time: hm(v.departure ?? v.autoDeparture) }), { tag: VISIT_TAG, body: v.venue, icon, silent: true, data: {} }];
}

/** The notification that replaces it once checked out from the notification. */
export function checkedOutNote(v: VisitRec, icon: string): [string, Options] {
  return [t("checkedOut", { venue: v.venue }), { tag: VISIT_TAG, icon, silent: true, data: {} }];
}

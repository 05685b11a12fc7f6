// The alerts: a banner for alerts not yet read, and each alert with what to do, the standard
// guidance for its severity from the catalogue first and the tracer's own message beneath,
// until when to watch for symptoms, who issued and approved it, and "Mark as read". A
// withdrawn alert (its tracer revoked) says so and loses its severity's colour and advice.

import type { Messages } from "../messages.js";
import { t, tn } from "../messages.js";
import type { AlertRec, Diary } from "../store.js";
import { button, h, when, whenAfter } from "../ui.js";
import { unhex } from "../../protocol/bytes.js";
import { tracerFingerprint } from "../../protocol/cert.js";

/** How long after an exposure to watch for symptoms: the incubation period health
 * authorities commonly give for respiratory infections. */
export const WATCH_DAYS = 14;

export const unread = (d: Diary): AlertRec[] => d.alerts.filter((a) => !a.read && !a.withdrawn);

/** The banner at the top of the home screen while some alert is unread; null otherwise. */
export function alertBanner(d: Diary): HTMLElement | null {
  const fresh = unread(d);
  if (fresh.length === 0) return null;
  const link = button(t("alertShow"), () => {
    const target = document.querySelector<HTMLElement>("[data-unread] h3");
    target?.focus();
    target?.scrollIntoView({ block: "start" });
  });
  return h("div", { class: "banner", "data-testid": "alert-banner" }, h("p", {}, tn("alertBanner", fresh.length)), link);
}

export interface AlertsActions {
  syncing: boolean;
  sync(): void;
  markRead(a: AlertRec): void;
}

export function alertsSection(d: Diary, act: AlertsActions): HTMLElement {
  const section = h("section", { "aria-labelledby": "alerts-title" }, h("h2", { id: "alerts-title" }, t("alertsTitle")));
  if (d.alerts.length === 0) {
    section.append(h("p", {}, d.lastSync ? t("noAlerts", { time: when(d.lastSync) }) : t("neverSynced")));
  }
  // Unread first, then the newest exposure first.
  const sorted = [...d.alerts].sort((a, b) => Number(!!a.read) - Number(!!b.read) || b.start - a.start);
  for (const a of sorted) section.append(alertCard(a, act));
  section.append(button(act.syncing ? t("syncing") : t("syncNow"), act.sync));
  return section;
}

function alertCard(a: AlertRec, act: AlertsActions): HTMLElement {
  const high = a.severity === 2;
  const severity: keyof Messages = high ? "alertHigh" : "alertLow";
  const isNew = !a.read && !a.withdrawn;
  const title = h(
    "h3",
    { tabindex: "-1" },
    isNew && h("span", { class: "tag" }, t("alertNew")),
    isNew && " ",
    a.withdrawn ? `${t("alertWithdrawnTitle")}: ${a.venue}` : `${t(severity)}: ${a.venue}`,
  );
  const card = h(
    "article",
    {
      class: `alert ${a.withdrawn ? "withdrawn" : high ? "high" : "low"}`,
      "data-testid": "alert",
      "data-alert": a.id,
      ...(isNew ? { "data-unread": "" } : {}),
    },
    title,
    h("p", {}, tn("alertAtCount", Math.round(a.overlapSecs / 60), { venue: a.venue, from: when(a.start), to: whenAfter(a.start, a.end) })),
  );
  if (a.withdrawn) {
    card.append(h("p", {}, t("alertWithdrawnBody")));
  } else {
    card.append(
      h("p", { class: "guide" }, t(high ? "guideHigh" : "guideLow")),
      h("p", { class: "watch" }, t("watchUntil", { date: when(a.end + WATCH_DAYS * 86_400) })),
    );
  }
  card.append(
    h("p", { class: "tracer-says" }, h("span", { class: "hint" }, t("tracerSays")), " ", a.message),
    h("p", { class: "hint" }, t("alertIssuer", { tracer: a.issuer, fingerprint: tracerFingerprint(unhex(a.issuerKey)), approver: a.approver === "venue" ? t("approverVenue") : t("approverAuthority") })),
  );
  if (isNew) card.append(button(t("markRead"), () => act.markRead(a)));
  return card;
}

// Giving the diary to a contact tracer (spec 16, 16b): the citizen ticks the visits to give,
// and is told where they go: a file they hand over themselves, or the app's server, which
// holds the sealed file for the tracer for up to a day.

import { t } from "../messages.js";
import type { VisitRec } from "../store.js";
import { button, h, when, whenAfter } from "../ui.js";

export type CaseMode = "file" | "code";

export function caseScreen(
  mode: CaseMode,
  visits: readonly VisitRec[],
  authority: string,
  give: (ids: string[]) => void,
  back: () => void,
): HTMLElement {
  const boxes = visits.map((v) => {
    const box = h("input", { type: "checkbox", id: `case-${v.id}`, checked: "" }) as HTMLInputElement;
    const to = v.departure ?? v.autoDeparture;
    return {
      v,
      box,
      row: h(
        "li",
        {},
        h("label", { for: `case-${v.id}` }, box, " ", h("span", { class: "venue-small" }, v.venue), " ", t("visitTimes", { from: when(v.arrival), to: whenAfter(v.arrival, to) })),
      ),
    };
  });
  const error = h("p", { class: "status error", role: "alert" });
  const go = button(
    t(mode === "file" ? "caseSaveFile" : "caseSendCode"),
    () => {
      const ids = boxes.filter((b) => b.box.checked).map((b) => b.v.id);
      if (ids.length === 0) {
        error.textContent = t("caseNone");
        return;
      }
      give(ids);
    },
    "primary",
  );
  return h(
    "section",
    { "aria-labelledby": "case-choose-title" },
    h("h2", { id: "case-choose-title", tabindex: "-1" }, t("caseChooseTitle")),
    h("p", {}, t(mode === "file" ? "caseFileBody" : "caseCodeBody", { authority })),
    h("fieldset", { class: "case-visits" }, h("legend", {}, t("caseVisitsLegend")), h("ul", { class: "plain" }, ...boxes.map((b) => b.row))),
    error,
    h("div", { class: "actions" }, go, button(t("back"), back)),
  );
}

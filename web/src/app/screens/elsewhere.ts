// A scanned poster of another check-in service (another authority's, or another deployment's):
// this app would never receive its notices, so it records nothing and offers that service's
// own app, at the poster's own address.

import { t } from "../messages.js";
import { button, h } from "../ui.js";

export function elsewhereScreen(url: string, authority: string, back: () => void): HTMLElement {
  const host = new URL(url.slice(0, url.indexOf("#"))).host;
  return h(
    "section",
    { "aria-labelledby": "elsewhere-title" },
    h("h2", { id: "elsewhere-title", tabindex: "-1" }, t("elsewhereTitle")),
    h("p", {}, t("elsewhereBody", { host, authority })),
    h("p", {}, h("a", { href: url, rel: "noreferrer" }, t("elsewhereOpen"))),
    button(t("back"), back),
  );
}

// The few helpers every screen builds with: elements made from text (never from markup, so
// that what posters and notices say is only ever shown as text), buttons, labelled fields.

import { formatWhen, type Messages, t } from "./messages.js";

export type Child = Node | string | null | false | undefined;

export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== false && c !== undefined) el.append(c);
  return el;
}

export function button(label: string, onClick: () => void, cls = ""): HTMLElement {
  const b = h("button", { type: "button", class: cls }, label);
  b.addEventListener("click", onClick);
  return b;
}

/** A labelled input; returns its row and the input. */
export function field(
  id: string,
  label: keyof Messages,
  value: string,
  type = "text",
  extra: Record<string, string> = {},
): [HTMLElement, HTMLInputElement] {
  const input = h("input", { id, name: id, type, value, ...extra }) as HTMLInputElement;
  return [h("div", { class: "field" }, h("label", { for: id }, t(label)), input), input];
}

export const nowSecs = (): number => Math.floor(Date.now() / 1000);

export const when = (secs: number): string => formatWhen(new Date(secs * 1000));

/** The end of a span that began at `from`: its time alone on the same day ("Mon 7 Dec, 11:32
 * to 12:40"), the whole date otherwise. */
export function whenAfter(from: number, to: number): string {
  const [a, b] = [new Date(from * 1000), new Date(to * 1000)];
  if (a.toDateString() !== b.toDateString()) return when(to);
  return `${String(b.getHours()).padStart(2, "0")}:${String(b.getMinutes()).padStart(2, "0")}`;
}

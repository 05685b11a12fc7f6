// The phone client's screens. The page is static; this script reads the poster from the URL's
// fragment (never sent to any server), keeps the diary sealed in IndexedDB, and syncs public
// hour batches. Text from posters and notices is only ever set as text, never as markup.

import { base64url, unbase64url } from "../protocol/bytes.js";
import { sealCase } from "../protocol/case.js";
import { fingerprint, type Poster, PosterError, posterFromText } from "../protocol/poster.js";
import { chooseTrust, rootFingerprint, type TrustAnchor } from "../protocol/trust.js";
import { autoDeparture, checkIn, checkOut, deleteVisit, editVisit, openVisit, tidy } from "./diary.js";
import { chooseLanguage, formatWhen, type Messages, t } from "./messages.js";
import { type Diary, Locked, Store, type VisitRec } from "./store.js";
import { caseBody, caseKey, type Handover, settled } from "./handover.js";
import { sync } from "./sync.js";
import { runSlots, sealEnded, SPACING_MS } from "./uploads.js";
import { contactProblem } from "../protocol/vault.js";

const SYNC_EVERY_MS = 15 * 60 * 1000;
const SLOT_CHECK_MS = 60 * 1000;
/** When the app last talked to the server for a sync: uploads keep away from it. */
let lastSyncRequest = 0;
const root = document.getElementById("app")!;
const nowSecs = (): number => Math.floor(Date.now() / 1000);

type Child = Node | string | null | false;

function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== false) el.append(c);
  return el;
}

function button(label: string, onClick: () => void, cls = ""): HTMLElement {
  const b = h("button", { type: "button", class: cls }, label);
  b.addEventListener("click", onClick);
  return b;
}

const when = (secs: number): string => formatWhen(new Date(secs * 1000));

interface App {
  store: Store;
  diary: Diary;
  trust: TrustAnchor | null;
  status: string;
  statusKind: "info" | "error";
  syncing: boolean;
  /** The code of a case file the server holds for a tracer, while it is valid. */
  caseCode?: { code: string; expiresAt: number };
  /** A case file hand-over the server has not settled (a 503, no answer): sent again as is. */
  caseHandover?: Handover;
}

let app: App;

async function save(): Promise<boolean> {
  try {
    await app.store.save(app.diary);
    return true;
  } catch (e) {
    say(t("storageFailed", { why: String(e) }), "error");
    return false;
  }
}

function say(text: string, kind: "info" | "error" = "info"): void {
  app.status = text;
  app.statusKind = kind;
  render();
}

/** The trust file that ships with the app, pinned at the first run; later only a file signed
 * by the pinned root with a serial not older replaces it (`chooseTrust`, spec section 16a). */
async function loadTrust(d: Diary): Promise<TrustAnchor | null> {
  let offered: string | null = null;
  try {
    const r = await fetch(new URL("trust.txt", import.meta.url));
    if (r.ok) offered = await r.text();
  } catch {
    // Offline, or no trust file: use the pinned one.
  }
  const chosen = chooseTrust(d.trust ?? null, offered);
  if (chosen.text !== null) d.trust = chosen.text;
  if (chosen.refused) {
    app.status = t("trustChanged", { why: chosen.refused.message });
    app.statusKind = "error";
  }
  return chosen.anchor;
}

function render(): void {
  document.title = t("appName");
  const screen = !app.diary.started ? intro() : pending ? confirmScreen(pending) : home();
  const status = app.status
    ? h("p", { class: `status ${app.statusKind}`, role: app.statusKind === "error" ? "alert" : "status" }, app.status)
    : null;
  root.replaceChildren(h("h1", {}, t("appName")), status ?? "", screen);
}

function intro(): HTMLElement {
  return h(
    "section",
    { "aria-labelledby": "intro-title" },
    h("h2", { id: "intro-title" }, t("introTitle")),
    h("p", {}, t("introBody")),
    h("p", {}, t("introAlerts")),
    h("p", {}, t("introForget")),
    button(
      t("introStart"),
      async () => {
        app.diary.started = true;
        if (await save()) render();
      },
      "primary",
    ),
  );
}

let pending: Poster | null = null;
/** The visit whose times are being edited. */
let editing: string | null = null;
/** The settings stay open across re-renders while the citizen works in them. */
let settingsOpen = false;

function confirmScreen(p: Poster): HTMLElement {
  const dl = h("dl", {});
  const row = (k: keyof Messages, v: string) => dl.append(h("dt", {}, t(k)), h("dd", {}, v));
  if (p.address) row("venueAddress", p.address);
  if (p.category) row("venueCategory", p.category);
  row("venueFingerprint", fingerprint(p));
  const stayUntil = autoDeparture(p, nowSecs());
  const d = app.diary;
  let share: HTMLInputElement | null = null;
  let sharing: HTMLElement | null = null;
  if (d.contact && d.consent === "ask") {
    share = h("input", { type: "checkbox", id: "share" }) as HTMLInputElement;
    sharing = h(
      "div",
      { class: "share" },
      h("label", { for: "share" }, share, " ", t("shareThisVisit")),
      h("p", { class: "hint" }, t("shareHint")),
    );
  } else if (!d.contact && d.consent === "ask") {
    sharing = h("p", { class: "hint" }, t("noContactYet"));
  }
  return h(
    "section",
    { "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title" }, t("checkInTitle")),
    h("p", { class: "venue", "data-testid": "venue-name" }, p.name),
    dl,
    h("p", { class: "hint" }, t("fingerprintHint")),
    h("p", { class: "hint" }, t("stayHint", { time: when(stayUntil) })),
    sharing,
    h(
      "div",
      { class: "actions" },
      button(t("confirmCheckIn"), () => void confirmCheckIn(p, share?.checked ?? false), "primary"),
      button(t("cancel"), () => {
        pending = null;
        history.replaceState(null, "", location.pathname);
        render();
      }),
    ),
  );
}

async function confirmCheckIn(p: Poster, share: boolean): Promise<void> {
  const t0 = performance.now();
  const out = checkIn(app.diary, p, nowSecs(), crypto.randomUUID(), share);
  pending = null;
  history.replaceState(null, "", location.pathname);
  if (out.kind === "refused") {
    say(out.code === "poster_expired" ? t("posterExpired") : t("posterNotYet"), "error");
    return;
  }
  if (out.kind === "alreadyHere") {
    say(t("alreadyHere", { venue: out.visit.venue }));
    return;
  }
  if (await save()) {
    document.body.dataset.checkinMs = (performance.now() - t0).toFixed(2);
    say(t("checkedIn", { venue: out.visit.venue }));
    if (out.left) void sealAndSave();
  }
}

/** Seals the records of shared visits that have ended, and saves. */
async function sealAndSave(): Promise<void> {
  if (!app.trust) return;
  if (await sealEnded(app.diary, app.trust)) {
    await save();
    render();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function postRecord(record: Uint8Array): Promise<void> {
  const r = await fetch("/v1/vault", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ record: base64url(record) }),
    cache: "no-store",
  });
  if (!r.ok) throw new Error(`the server answered ${r.status}`);
}

let uploads: Promise<void> = Promise.resolve();
let slotsQueued = false;

/** The upload slots that are due (spec 14.5), or every queued record with `all`; one run at
 * a time. */
function runUploads(all = false): Promise<void> {
  if (!app.diary.started || (!all && slotsQueued)) return uploads;
  if (!all) slotsQueued = true;
  if (all) say(t("sending"));
  uploads = uploads.then(() => uploadRun(all)).finally(() => {
    if (!all) slotsQueued = false;
  });
  return uploads;
}

async function uploadRun(all: boolean): Promise<void> {
  try {
    await sealAndSave();
    const quiet = lastSyncRequest + SPACING_MS - Date.now();
    if (quiet > 0 && !all) await sleep(quiet);
    const sent = await runSlots(app.diary, nowSecs, postRecord, sleep, all);
    await save();
    if (all) say(t("sentNow", { count: sent.records }));
    else render();
  } catch (e) {
    // The records stay queued; the slots run again at the next try.
    await save();
    if (all) say(t("syncFailed", { why: String((e as Error).message ?? e) }), "error");
  }
}

function home(): HTMLElement {
  const d = app.diary;
  const open = openVisit(d);
  const current = open
    ? h(
        "section",
        { class: "current", "aria-labelledby": "current-title" },
        h("h2", { id: "current-title" }, t("hereNow")),
        h("p", { class: "venue", "data-testid": "current-venue" }, open.venue),
        h("p", {}, t("since", { time: when(open.arrival) })),
        h("p", {}, t("autoOut", { time: when(open.autoDeparture) })),
        open.share && h("p", { class: "hint" }, t("shared")),
        button(
          t("checkOut"),
          async () => {
            const v = checkOut(app.diary, nowSecs());
            if (v && (await save())) {
              say(t("checkedOut", { venue: v.venue }));
              await sealAndSave();
            }
          },
          "primary",
        ),
      )
    : h("p", { class: "current" }, t("notCheckedIn"));

  const alerts = h("section", { "aria-labelledby": "alerts-title" }, h("h2", { id: "alerts-title" }, t("alertsTitle")));
  if (d.alerts.length === 0) {
    alerts.append(h("p", {}, d.lastSync ? t("noAlerts", { time: when(d.lastSync) }) : t("neverSynced")));
  }
  for (const a of d.alerts) {
    alerts.append(
      h(
        "article",
        { class: `alert ${a.severity === 2 ? "high" : "low"}`, "data-testid": "alert" },
        h("h3", {}, `${a.severity === 2 ? t("alertHigh") : t("alertLow")}: ${a.venue}`),
        h("p", {}, a.message),
        h("p", {}, t("alertAt", { venue: a.venue, from: when(a.start), to: when(a.end), minutes: Math.round(a.overlapSecs / 60) })),
        h(
          "p",
          { class: "hint" },
          t("alertIssuer", { tracer: a.issuer, approver: a.approver === "venue" ? t("approverVenue") : t("approverAuthority") }),
        ),
        a.withdrawn && h("p", { class: "hint" }, t("alertWithdrawn")),
      ),
    );
  }
  alerts.append(button(app.syncing ? t("syncing") : t("syncNow"), () => void runSync(true), ""));

  const diary = h("section", { "aria-labelledby": "diary-title" }, h("h2", { id: "diary-title" }, t("diaryTitle")));
  const done = d.visits.filter((v) => v.departure !== null).sort((a, b) => b.arrival - a.arrival);
  if (done.length === 0) diary.append(h("p", {}, t("diaryEmpty")));
  const list = h("ul", { class: "visits" });
  for (const v of done) {
    const del = button(
      "✕",
      async () => {
        deleteVisit(app.diary, v.id);
        if (await save()) say(t("deleted"));
      },
      "icon",
    );
    del.setAttribute("aria-label", t("deleteVisit", { venue: v.venue }));
    const edit = button("✎", () => {
      editing = editing === v.id ? null : v.id;
      render();
    }, "icon");
    edit.setAttribute("aria-label", t("editVisit", { venue: v.venue }));
    edit.setAttribute("aria-expanded", String(editing === v.id));
    list.append(
      h(
        "li",
        { "data-testid": "visit" },
        h("span", { class: "venue" }, v.venue),
        h("span", {}, t("visitTimes", { from: when(v.arrival), to: when(v.departure!) })),
        v.share && h("span", { class: "hint" }, v.sealProblem ? t("shareFailed", { why: v.sealProblem }) : t("shared")),
        h("span", { class: "tools" }, edit, del),
        editing === v.id && editForm(v),
      ),
    );
  }
  if (done.length) diary.append(list);

  const share = h(
    "section",
    { "aria-labelledby": "case-title" },
    h("h2", { id: "case-title" }, t("caseTitle")),
    h("p", {}, t("caseBody", { authority: app.trust?.authority ?? "—" })),
    button(t("caseShare"), () => void shareCase(false)),
    button(t("caseCode"), () => void shareCase(true)),
    ...(app.caseCode && app.caseCode.expiresAt > nowSecs()
      ? [
          h("p", {}, t("caseCodeShown", { time: when(app.caseCode.expiresAt) })),
          h("p", { class: "case-code mono", "data-testid": "case-code" }, app.caseCode.code),
        ]
      : []),
  );

  const settings = h(
    "details",
    { class: "settings", ...(settingsOpen ? { open: "" } : {}) },
    h("summary", {}, t("settingsTitle")),
    contactForm(),
    passphraseForm(),
    h(
      "dl",
      {},
      h("dt", {}, t("authority")),
      h("dd", {}, app.trust?.authority ?? "—"),
      h("dt", {}, t("authorityFingerprint")),
      h("dd", { class: "mono" }, app.trust ? rootFingerprint(app.trust) : "—"),
      h("dt", {}, t("trustSerial")),
      h("dd", {}, app.trust ? String(app.trust.serial) : "—"),
    ),
    button(
      t("eraseAll"),
      async () => {
        if (!confirm(t("eraseConfirm"))) return;
        await app.store.erase();
        location.replace(location.pathname);
      },
      "danger",
    ),
  );
  settings.addEventListener("toggle", () => {
    settingsOpen = (settings as HTMLDetailsElement).open;
  });
  return h("div", {}, current, alerts, diary, share, settings);
}

/** The case file (spec 16) of every visit in the diary, saved as a download, or with `byCode`
 * handed to the server to hold for the tracer, who fetches it once with the code shown
 * (spec 16b). */
async function shareCase(byCode: boolean): Promise<void> {
  const trust = app.trust;
  if (!trust) return;
  tidy(app.diary, nowSecs());
  const visits = app.diary.visits.map((v) => ({
    poster: unbase64url(v.poster)!,
    arrival: v.arrival,
    departure: v.departure ?? Math.max(v.arrival, Math.min(nowSecs(), v.autoDeparture)),
  }));
  if (!confirm(t("caseConfirm", { count: visits.length, authority: trust.authority }))) return;
  if (byCode) {
    // A hand-over the server left unsettled is sent again byte for byte (spec 16b), so that
    // it holds the file once and answers the same code.
    const handover = await caseBody(app.caseHandover, caseKey(app.diary.visits), async () =>
      JSON.stringify({ case: base64url(await sealCase(visits, nowSecs(), trust.case)) }),
    );
    app.caseHandover = handover;
    try {
      const r = await fetch("/v1/cases", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: handover.body,
        cache: "no-store",
      });
      if (settled(r.status)) app.caseHandover = undefined;
      const answer = (await r.json().catch(() => ({}))) as { code?: string; expires_at?: number; detail?: string };
      if (r.status !== 201 || !answer.code || !answer.expires_at) {
        throw new Error(answer.detail ?? `the server answered ${r.status}`);
      }
      app.caseCode = { code: answer.code, expiresAt: answer.expires_at };
      render();
    } catch (e) {
      say(t("caseCodeFailed", { why: e instanceof Error ? e.message : String(e) }), "error");
    }
    return;
  }
  const file = await sealCase(visits, nowSecs(), trust.case);
  const name = `checkin-case-${new Date().toISOString().slice(0, 10)}.bin`;
  const url = URL.createObjectURL(new Blob([file as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  say(t("caseSaved", { file: name }));
}

/** A time as the value of a `datetime-local` input, in the phone's zone. */
function localInput(secs: number): string {
  const d = new Date(secs * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function editForm(v: VisitRec): HTMLElement {
  const [arrRow, arr] = field(`arr-${v.id}`, "editArrived", localInput(v.arrival), "datetime-local");
  const [leftRow, left] = field(`left-${v.id}`, "editLeft", localInput(v.departure ?? v.autoDeparture), "datetime-local");
  const form = h("form", { class: "edit" }, arrRow, leftRow, h("button", { type: "submit", class: "primary" }, t("editSave")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const secs = (input: HTMLInputElement) => Math.floor(new Date(input.value).getTime() / 1000);
    const problem = editVisit(app.diary, v.id, secs(arr), secs(left), nowSecs());
    if (problem) return say(t(problem), "error");
    editing = null;
    if (await save()) {
      say(t("editSaved"));
      await sealAndSave();
    }
  });
  return form;
}

function field(id: string, label: keyof Messages, value: string, type = "text", extra: Record<string, string> = {}): [HTMLElement, HTMLInputElement] {
  const input = h("input", { id, name: id, type, value, ...extra }) as HTMLInputElement;
  return [h("div", { class: "field" }, h("label", { for: id }, t(label)), input), input];
}

function contactForm(): HTMLElement {
  const d = app.diary;
  const c = d.contact;
  const [nameRow, name] = field("contact-name", "contactName", c?.name ?? "", "text", { autocomplete: "name", maxlength: "80" });
  const [phoneRow, phone] = field("contact-phone", "contactPhone", c?.phone ?? "", "tel", { autocomplete: "tel", maxlength: "32" });
  const [emailRow, email] = field("contact-email", "contactEmail", c?.email ?? "", "email", { autocomplete: "email", maxlength: "100" });
  const [partyRow, party] = field("contact-party", "contactParty", String(c?.partySize ?? 1), "number", { min: "1", max: "50", inputmode: "numeric" });
  const consent = h(
    "select",
    { id: "consent" },
    h("option", { value: "ask" }, t("consentAsk")),
    h("option", { value: "never" }, t("consentNever")),
  ) as HTMLSelectElement;
  consent.value = d.consent;
  consent.addEventListener("change", async () => {
    app.diary.consent = consent.value === "never" ? "never" : "ask";
    await save();
  });
  const form = h(
    "form",
    { class: "contact", "aria-labelledby": "contact-title" },
    h("h2", { id: "contact-title" }, t("contactTitle")),
    nameRow,
    phoneRow,
    emailRow,
    partyRow,
    h("div", { class: "field" }, h("label", { for: "consent" }, t("consentLabel")), consent),
    h("button", { type: "submit", class: "primary" }, t("contactSave")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const details = { name: name.value.trim(), phone: phone.value.trim(), email: email.value.trim(), partySize: Number(party.value) };
    const problem = contactProblem({ ...details, arrival: 0, departure: 0 });
    if (problem) {
      say(t("contactInvalid", { why: problem.message }), "error");
      return;
    }
    app.diary.contact = details;
    if (await save()) say(t("contactSaved"));
  });
  if (c) {
    form.append(
      button(t("contactRemove"), async () => {
        app.diary.contact = null;
        if (await save()) render();
      }),
    );
  }
  if (d.outbox.length) {
    form.append(
      h("p", {}, t("queued", { count: d.outbox.length })),
      h("p", { class: "hint" }, t("sendNowHint")),
      button(t("sendNow"), () => void runUploads(true)),
    );
  }
  return form;
}

/** A sync; one the citizen asked for reports its result, one on a timer only a problem, so
 * that it never covers a message the citizen has not read. */
async function runSync(asked = false): Promise<void> {
  if (app.syncing || !app.trust) return;
  app.syncing = true;
  render();
  try {
    const report = await sync(app.diary, app.trust, nowSecs(), (path) => {
      lastSyncRequest = Date.now();
      return fetch(path, { cache: "no-cache" });
    });
    lastSyncRequest = Date.now();
    if (await save()) {
      document.body.dataset.lastSync = JSON.stringify({
        hours: report.hours,
        bundles: report.bundles,
        entries: report.entries,
        bytes: report.bytes,
        matchMs: report.matchMs,
      });
      if (report.skipped) say(t("syncSkipped", { count: report.skipped }), "error");
      else if (asked) say(t("syncDone", { hours: report.hours }));
    }
  } catch (e) {
    if (asked || app.statusKind !== "error") {
      say(navigator.onLine ? t("syncFailed", { why: String((e as Error).message ?? e) }) : t("offline"), "error");
    }
  } finally {
    app.syncing = false;
    render();
  }
}

function readFragment(): void {
  const hash = location.hash.slice(1);
  if (!hash) return;
  try {
    pending = posterFromText(hash);
  } catch (e) {
    pending = null;
    history.replaceState(null, "", location.pathname);
    const why = e instanceof PosterError ? ` (${e.code})` : "";
    app.status = `${t("posterRefused")}. ${t("posterRefusedHint")}${why}`;
    app.statusKind = "error";
  }
}

/** Asks for the passphrase until it opens the diary. */
function unlockScreen(locked: Locked): Promise<Store> {
  return new Promise((resolve) => {
    const input = h("input", { id: "passphrase", type: "password", autocomplete: "current-password", required: "" }) as HTMLInputElement;
    const error = h("p", { role: "alert", class: "status error", hidden: "" });
    const submit = h("button", { type: "submit", class: "primary" }, t("unlock")) as HTMLButtonElement;
    const form = h(
      "form",
      { "aria-labelledby": "locked-title" },
      h("h2", { id: "locked-title" }, t("lockedTitle")),
      h("p", {}, t("lockedBody")),
      h("div", { class: "field" }, h("label", { for: "passphrase" }, t("passphrase")), input),
      error,
      submit,
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      submit.textContent = t("unlocking");
      const store = await locked.unlock(input.value);
      submit.disabled = false;
      submit.textContent = t("unlock");
      if (store) {
        resolve(store);
        return;
      }
      error.textContent = t("wrongPassphrase");
      error.hidden = false;
      input.select();
    });
    const forgot = button(
      t("forgotPassphrase"),
      async () => {
        if (!confirm(t("forgotConfirm"))) return;
        await locked.erase();
        location.replace(location.pathname);
      },
      "danger",
    );
    root.replaceChildren(h("h1", {}, t("appName")), form, forgot);
    input.focus();
  });
}

function passphraseForm(): HTMLElement {
  const box = h(
    "section",
    { "aria-labelledby": "passphrase-title" },
    h("h2", { id: "passphrase-title" }, t("passphraseTitle")),
    h("p", {}, app.store.passphrase ? t("passphraseOn") : t("passphraseOff")),
  );
  if (app.store.passphrase) {
    box.append(
      button(t("removePassphrase"), async () => {
        await app.store.setPassphrase(app.diary, null);
        say(t("passphraseRemoved"));
      }),
    );
    return box;
  }
  const [firstRow, first] = field("new-passphrase", "newPassphrase", "", "password", { autocomplete: "new-password", minlength: "8" });
  const [againRow, again] = field("repeat-passphrase", "repeatPassphrase", "", "password", { autocomplete: "new-password" });
  const form = h(
    "form",
    {},
    firstRow,
    againRow,
    h("p", { class: "hint" }, t("passphraseHint")),
    h("button", { type: "submit" }, t("setPassphrase")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if ([...first.value].length < 8) return say(t("passphraseShort"), "error");
    if (first.value !== again.value) return say(t("passphraseMismatch"), "error");
    try {
      await app.store.setPassphrase(app.diary, first.value);
      say(t("passphraseSet"));
    } catch (e) {
      say(t("storageFailed", { why: String(e) }), "error");
    }
  });
  box.append(form);
  return box;
}

async function main(): Promise<void> {
  const lang = chooseLanguage(navigator.languages);
  document.documentElement.lang = lang;
  root.replaceChildren(h("p", {}, t("loading")));
  if (!window.isSecureContext || !crypto.subtle) {
    root.replaceChildren(h("h1", {}, t("appName")), h("p", { role: "alert", class: "status error" }, t("insecure")));
    return;
  }
  const opened = await Store.open();
  const store = opened instanceof Locked ? await unlockScreen(opened) : opened;
  const diary = await store.load();
  app = { store, diary, trust: null, status: "", statusKind: "info", syncing: false };
  app.trust = await loadTrust(diary);
  if (!app.trust) {
    say(t("noTrust"), "error");
    return;
  }
  const changed = tidy(diary, nowSecs());
  if (changed) await save();
  readFragment();
  render();
  window.addEventListener("hashchange", () => {
    readFragment();
    render();
  });
  if ("serviceWorker" in navigator) {
    // The worker lives beside the script; its scope is the page's own path.
    navigator.serviceWorker.register(new URL("sw.js", import.meta.url), { scope: location.pathname }).catch(() => {});
  }
  if (diary.started) void runSync().then(() => runUploads());
  setInterval(() => {
    if (tidy(app.diary, nowSecs())) void save().then(render);
    if (app.diary.started && document.visibilityState === "visible") void runSync();
  }, SYNC_EVERY_MS);
  setInterval(() => void runUploads(), SLOT_CHECK_MS);
}

main().catch((e) => {
  root.replaceChildren(h("p", { role: "alert", class: "status error" }, t("storageFailed", { why: String(e) })));
});

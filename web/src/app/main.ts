// The phone client's screens. The page is static; this script reads the poster from the URL's
// fragment (never sent to any server), keeps the diary sealed in IndexedDB, and syncs public
// hour batches. Text from posters and notices is only ever set as text, never as markup.

import { base64url, unbase64url } from "../protocol/bytes.js";
import { caseId, caseTag, newCaseCode, sealCase, showCaseCode } from "../protocol/case.js";
import { fingerprint, type Poster, posterFromText, validityProblem } from "../protocol/poster.js";
import { MIN_PASSPHRASE, passphraseProblem } from "./passphrase.js";
import { chooseBakedTrust, chooseTrust, keyFingerprint, rootFingerprint, type TrustAnchor } from "../protocol/trust.js";
import { differing, SIGNATURE_FILE, SUMS_FILE, verifyRelease, type ReleaseFile } from "../protocol/release.js";
import { autoDeparture, checkIn, checkOut, deleteVisit, editArrival, editVisit, openVisit, tidy } from "./diary.js";
import { chooseLanguage, type Messages, t, tn } from "./messages.js";
import { type Diary, Locked, Store, type VisitRec } from "./store.js";
import { caseBody, caseKey, type Handover, settled } from "./handover.js";
import { sync } from "./sync.js";
import { runSlots, sealEnded, SPACING_MS } from "./uploads.js";
import { contactProblem } from "../protocol/vault.js";
import { NetError, postJson, request } from "./net.js";
import { alertBanner, alertsSection } from "./screens/alerts.js";
import { askPermission, notifyOffer, notifySetting, showAutoOut, showVisit, startWakeUps, stopWakeUps } from "./screens/notify.js";
import { type CaseMode, caseScreen } from "./screens/case.js";
import { elsewhereScreen } from "./screens/elsewhere.js";
import { scanScreen, type ScanSession } from "./screens/scan.js";
import { button, field, h, nowSecs, when, whenAfter } from "./ui.js";

/** The root key of the authority this app was built for (base64url), written in by build.mjs
 * (section 16d): a pinned trust file under any other root is not obeyed. */
declare const AUTHORITY_ROOT: string;
const BAKED_ROOT = unbase64url(AUTHORITY_ROOT) ?? new Uint8Array(32);

const SYNC_EVERY_MS = 15 * 60 * 1000;
const SLOT_CHECK_MS = 60 * 1000;
/** After an opening, the first sync and upload wait a random 1 to 10 minutes, so that the
 * server never sees a sync or an upload follow the opening of a poster. */
const FIRST_SYNC_MIN_MS = 60 * 1000;
const FIRST_SYNC_SPAN_MS = 9 * 60 * 1000;
/** When the app last talked to the server for a sync: uploads keep away from it. */
let lastSyncRequest = 0;
const root = document.getElementById("app")!;

interface App {
  store: Store;
  diary: Diary;
  trust: TrustAnchor | null;
  status: string;
  statusKind: "info" | "error";
  /** The screen the status line belongs to: it is not shown on any other. */
  statusFor: ScreenName;
  /** The screen last shown, so that a new one gets the focus on its heading. */
  shown?: ScreenName;
  /** Two live regions that stay in the page across renders, so that screen readers announce
   * what they are given (a region inserted with its text is often not announced). */
  live: { polite: HTMLElement; urgent: HTMLElement };
  /** What "Undo" after a deletion puts back. */
  undo?: { label: string; run: () => void };
  syncing: boolean;
  /** The poster on the confirm screen. */
  pending: Poster | null;
  /** The visit whose times are being edited. */
  editing: string | null;
  /** The settings stay open across re-renders while the citizen works in them. */
  settingsOpen: boolean;
  /** A scanned poster of another service, while its explanation is shown. */
  elsewhere?: string;
  /** The camera, while the Scan screen is open. */
  scan: ScanSession | null;
  /** The timer that closes the open visit at its automatic check-out time. */
  autoOutTimer?: ReturnType<typeof setTimeout>;
  /** The visits for a contact tracer being chosen, to save as a file or hand over by code. */
  caseMode?: CaseMode;
  /** The code of a case file the server holds for a tracer, while it is valid. */
  caseCode?: { code: string; expiresAt: number };
  /** A case file hand-over the server has not settled (a 503, no answer): sent again as is. */
  caseHandover?: Handover;
  /** The alert a tapped notification named, brought into view at the next render. */
  showAlert?: string;
}

let app: App;

async function save(): Promise<boolean> {
  try {
    await app.store.save(app.diary);
    return true;
  } catch (e) {
    say(t("storageFailed", { why: t("whyStorage") }), "error");
    return false;
  }
}

function say(text: string, kind: "info" | "error" = "info"): void {
  app.status = text;
  app.statusKind = kind;
  app.statusFor = screenName();
  app.undo = undefined;
  render();
}

type ScreenName = "intro" | "scan" | "elsewhere" | "case" | "confirm" | "home";

function screenName(): ScreenName {
  if (!app.diary.started) return "intro";
  if (app.scan) return "scan";
  if (app.elsewhere) return "elsewhere";
  if (app.caseMode) return "case";
  return app.pending ? "confirm" : "home";
}

/** The trust file that ships with the app (the service worker's copy once installed), or null
 * when it cannot be had now. */
async function shippedTrust(): Promise<string | null> {
  try {
    const r = await request(new URL("trust.txt", import.meta.url).href);
    return r.ok ? await r.text() : null;
  } catch {
    return null; // offline, no answer, or not a trust file: the pinned one stays
  }
}

/** The trust file pinned at the first run; later only a file signed by the pinned root with a
 * serial not older replaces it (`chooseTrust`, spec section 16a). The pinned file must be of
 * the root this app was built for (section 16d): a pin under another root was written by
 * something else than this app, and is reported and replaced by the baked root's file, not
 * obeyed. An opening never waits for the network once a good file is pinned: the shipped
 * one is compared in the background. */
async function loadTrust(d: Diary): Promise<TrustAnchor | null> {
  const held = d.trust ? chooseBakedTrust(BAKED_ROOT, d.trust, null) : null;
  if (!held?.anchor) {
    const chosen = chooseBakedTrust(BAKED_ROOT, d.trust ?? null, await shippedTrust());
    if (chosen.text !== null) d.trust = chosen.text;
    const baked = keyFingerprint(BAKED_ROOT);
    if (chosen.tampered && chosen.repaired && chosen.anchor) {
      say(t("pinRepaired", { authority: chosen.anchor.authority, baked, serial: String(chosen.anchor.serial) }), "error");
      // The tampered pin's installed release is not trusted either: the next check installs
      // the release this root's release key signed.
      delete d.release;
      await save();
    } else if (chosen.tampered) {
      say(t("pinTampered", { baked }), "error");
    } else if (chosen.legacy && !chosen.anchor) {
      // Nothing is trusted yet: say what the phone waits for, and why the offer was refused.
      say(chosen.refused ? t("trustLegacyRefused", { why: chosen.refused.message }) : t("trustLegacyWaiting"), "error");
    } else if (chosen.refused) say(t("trustChanged", { why: chosen.refused.message }), "error");
    if (chosen.legacy && chosen.anchor) {
      // A pin from before trust files were signed pinned its root only: the signed file of
      // that root now replaces it, and the citizen is told (section 16a, "Legacy pins").
      say(t("trustUpgraded", { authority: chosen.anchor.authority, serial: String(chosen.anchor.serial) }));
      await save();
    }
    return chosen.anchor;
  }
  void shippedTrust().then(async (offered) => {
    if (offered === null || offered === app.diary.trust) return;
    const chosen = chooseBakedTrust(BAKED_ROOT, app.diary.trust ?? null, offered);
    if (chosen.refused) {
      say(t("trustChanged", { why: chosen.refused.message }), "error");
      return;
    }
    if (chosen.text === null || chosen.anchor === null || chosen.text === app.diary.trust) return;
    app.diary.trust = chosen.text;
    app.trust = chosen.anchor;
    await save();
  });
  return held.anchor;
}

/** A file of the app as the server serves it now, past the service worker (whose copies are
 * what this page runs): the query makes it a URL the worker does not keep. Null when the
 * server does not serve it. */
async function served(name: string): Promise<Uint8Array | null> {
  // The page is the app's path itself (section 16b); every other file is beside app.js.
  const url = name === "index.html" ? new URL(".", import.meta.url).href.replace(/\/$/, "") : new URL(name, import.meta.url).href;
  const r = await request(`${url}?release-check`);
  if (r.status === 200) return new Uint8Array(await r.arrayBuffer());
  if (r.status === 404) return null;
  // Any other answer (a front's 502, a busy server) says nothing about the app: no check now.
  throw new NetError("server", r.status);
}

/** At every start (section 16d): the release the server serves must be signed by the pinned
 * authority's release key, and every file it serves must be that release's. The first release
 * that verifies is installed (kept in the diary); a later one that verifies replaces it (the
 * authority signed an update). Anything else is said in words. Offline, nothing is said. */
async function checkRelease(trust: TrustAnchor): Promise<void> {
  if (!trust.release) return;
  let files: ReleaseFile[] | null = null;
  try {
    const [sums, sig] = await Promise.all([served(SUMS_FILE), served(SIGNATURE_FILE)]);
    let why = "";
    if (sums && sig) {
      try {
        files = verifyRelease(trust, sums, sig);
        const text = new TextDecoder().decode(sums);
        if (app.diary.release !== text) {
          app.diary.release = text;
          await save();
        }
      } catch (e) {
        why = (e as Error).message;
      }
    } else why = `${SUMS_FILE} or ${SIGNATURE_FILE} is missing`;
    if (files === null) {
      say(t("appUnsigned", { authority: trust.authority, why }), "error");
      // Compare with the release this phone installed, if it has one.
      const installed = app.diary.release;
      if (!installed) return;
      files = installed
        .trimEnd()
        .split("\n")
        .map((l) => ({ sha256: l.slice(0, 64), name: l.slice(66) }));
    }
    const got = new Map<string, Uint8Array | null>();
    for (const f of files) got.set(f.name, await served(f.name));
    const changed = differing(files, got);
    if (changed.length) say(t("appChanged", { files: changed.join(", "), authority: trust.authority }), "error");
  } catch {
    // Offline, no answer, or an answer that is not the server's: checked at the next start.
  }
}

/** Why the network failed, in the citizen's words. */
function netWhy(e: unknown): string {
  if (e instanceof NetError) return t(e.kind === "server" ? "whyServer" : e.kind === "timeout" ? "whyTimeout" : "whyOffline");
  return t("whyServer");
}

function render(): void {
  document.title = t("appName");
  const name = screenName();
  // The element that had the focus is rebuilt: find its counterpart (same id, or same kind
  // and words) in the new screen, so that focus does not fall to the top after each action.
  const had = document.activeElement instanceof HTMLElement && root.contains(document.activeElement) ? document.activeElement : null;
  const key = had && (had.id || `${had.tagName}|${had.getAttribute("aria-label") ?? had.textContent ?? ""}`);
  const screen = !app.diary.started
    ? intro()
    : app.scan
      ? app.scan.element
      : app.elsewhere
        ? elsewhereScreen(app.elsewhere, app.trust?.authority ?? "—", () => {
            app.elsewhere = undefined;
            render();
          })
        : app.caseMode
          ? caseScreen(
              app.caseMode,
              [...app.diary.visits].sort((a, b) => b.arrival - a.arrival),
              app.trust?.authority ?? "—",
              (ids) => void shareCase(app.caseMode === "code", ids),
              () => {
                app.caseMode = undefined;
                render();
              },
            )
          : app.pending
            ? confirmScreen(app.pending)
            : home();
  const text = app.statusFor === name ? app.status : "";
  const { polite, urgent } = app.live;
  const [on, off] = app.statusKind === "error" ? [urgent, polite] : [polite, urgent];
  // Rebuilt only when what it says changes, so that a screen reader announces it once.
  if (on.textContent !== (text && app.undo ? `${text} ${app.undo.label}` : text)) {
    on.replaceChildren(text ? h("span", {}, text) : "");
    if (text && app.undo) {
      const undo = app.undo;
      on.append(" ", button(undo.label, () => {
        app.undo = undefined;
        undo.run();
      }, "inline"));
    }
  }
  off.replaceChildren();
  // What the citizen has typed and not saved survives a redraw of the same screen (a sync
  // finishing, the automatic check-out): an input with the same id takes it back. Not
  // passphrases, which a redraw after use must clear.
  const typed = new Map<string, string | boolean>();
  if (name === app.shown) {
    for (const e of Array.from(root.querySelectorAll<HTMLInputElement>("input[id]"))) {
      if (e.type === "password") continue;
      if (e.type === "checkbox" || e.type === "radio") {
        if (e.checked !== e.defaultChecked) typed.set(e.id, e.checked);
      } else if (e.value !== e.defaultValue) typed.set(e.id, e.value);
    }
  }
  root.replaceChildren(h("h1", {}, t("appName")), polite, urgent, screen);
  for (const [id, value] of typed) {
    const e = document.getElementById(id);
    if (!(e instanceof HTMLInputElement)) continue;
    if (typeof value === "boolean") e.checked = value;
    else e.value = value;
  }
  if (name !== app.shown) {
    app.shown = name;
    screen.querySelector<HTMLElement>("h2")?.setAttribute("tabindex", "-1");
    if (name !== "intro" && name !== "home") screen.querySelector<HTMLElement>("h2")?.focus();
  } else if (key) {
    const same = Array.from(root.querySelectorAll<HTMLElement>("button, input, select, summary, a, h2, h3")).find(
      (e) => (e.id || `${e.tagName}|${e.getAttribute("aria-label") ?? e.textContent ?? ""}`) === key,
    );
    same?.focus();
  }
  scheduleAutoOut();
}

/** The open visit closes at its automatic check-out time, and the screen and the
 * notification say so at that moment, not at the next reload. */
function scheduleAutoOut(): void {
  clearTimeout(app.autoOutTimer);
  const open = openVisit(app.diary);
  if (!open) return;
  const ms = Math.max(0, (open.autoDeparture - nowSecs()) * 1000 + 250);
  app.autoOutTimer = setTimeout(() => void autoOut(), Math.min(ms, 2 ** 31 - 1));
}

/** Notifications on (asking the browser) or off; the open visit's notification follows. */
async function setNotify(on: boolean): Promise<void> {
  if (!on) await showVisit({ ...app.diary, visits: [] });
  app.diary.notify = on && (await askPermission()) ? "on" : "off";
  if (on && app.diary.notify === "off") {
    app.status = t("notifyBlocked");
    app.statusKind = "info";
    app.statusFor = "home";
  }
  if (await save()) {
    render();
    void showVisit(app.diary);
    void (app.diary.notify === "on" ? startWakeUps() : stopWakeUps());
  }
}

async function autoOut(): Promise<void> {
  const open = openVisit(app.diary);
  if (!open || open.autoDeparture > nowSecs()) return render();
  tidy(app.diary, nowSecs());
  if (await save()) {
    say(t("checkedOutAuto", { venue: open.venue, time: when(open.autoDeparture) }));
    void showAutoOut(app.diary, open.id);
    await sealAndSave();
  }
}

function intro(): HTMLElement {
  return h(
    "section",
    { "aria-labelledby": "intro-title" },
    h("h2", { id: "intro-title" }, t("introTitle")),
    h("p", {}, t("introBody")),
    h("p", {}, t("introAlerts")),
    h("p", {}, t("introForget")),
    h("p", {}, t("introBrowser")),
    button(
      t("introStart"),
      async () => {
        app.diary.started = true;
        if (await save()) {
          render();
          // A first run has nothing to hide by waiting (its opening already fetched the app),
          // and should not wait 15 minutes for its first notices.
          void runSync();
        }
      },
      "primary",
    ),
  );
}


function confirmScreen(p: Poster): HTMLElement {
  const dl = h("dl", {});
  const row = (k: keyof Messages, v: string) => dl.append(h("dt", {}, t(k)), h("dd", {}, v));
  if (p.address) row("venueAddress", p.address);
  if (p.category) row("venueCategory", p.category);
  row("venueFingerprint", fingerprint(p));
  const stayUntil = autoDeparture(p, nowSecs());
  const d = app.diary;
  const problem = validityProblem(p, nowSecs());
  const back = button(problem ? t("back") : t("cancel"), () => {
    app.pending = null;
    render();
  });
  if (problem && p.validity) {
    // Refused here, before "Check in", with the date that matters.
    return h(
      "section",
      { "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, t("posterRefused")),
      h("p", { class: "venue", "data-testid": "venue-name" }, p.name),
      dl,
      h(
        "p",
        { class: "status error", "data-testid": "poster-validity" },
        problem === "poster_expired" ? t("posterExpiredOn", { date: when(p.validity.until) }) : t("posterValidFrom", { date: when(p.validity.from) }),
      ),
      back,
    );
  }
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
      back,
    ),
  );
}

async function confirmCheckIn(p: Poster, share: boolean): Promise<void> {
  const t0 = performance.now();
  const out = checkIn(app.diary, p, nowSecs(), crypto.randomUUID(), share);
  app.pending = null;
  if (out.kind === "refused") {
    say(out.code === "poster_expired" ? t("posterExpired") : t("posterNotYet"), "error");
    return;
  }
  if (out.kind === "alreadyHere") {
    say(t("alreadyHere", { venue: out.visit.venue }));
    return;
  }
  if (await save()) {
    // Measured for the browser story through the page's own performance timeline; nothing in
    // the page's markup.
    performance.measure("checkin", { start: t0 });
    say(t("checkedIn", { venue: out.visit.venue }));
    void showVisit(app.diary);
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
  await postJson("/v1/vault", { record: base64url(record) });
}

/** Venues per bucket (spec 14.5), for cover records' buckets: null if the server cannot say. */
async function venuesPerBucket(): Promise<readonly number[] | null> {
  const r = await request("/v1/vault/buckets");
  if (!r.ok) return null;
  const body: unknown = await r.json().catch(() => null);
  const counts = (body as { venues_per_bucket?: unknown } | null)?.venues_per_bucket;
  return Array.isArray(counts) && counts.every((n) => typeof n === "number") ? (counts as number[]) : null;
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
    const sent = await runSlots(app.diary, nowSecs, postRecord, sleep, all, venuesPerBucket);
    await save();
    if (all) say(tn("sentNow", sent.records));
    else render();
  } catch (e) {
    // The records stay queued; the slots run again at the next try.
    await save();
    if (all) say(t("syncFailed", { why: netWhy(e) }), "error");
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
        h("p", {}, t("autoOut", { time: whenAfter(open.arrival, open.autoDeparture) })),
        arrivalButton(open),
        app.editing === open.id && arrivalForm(open),
        open.share && h("p", { class: "hint" }, t("shareChosen")),
        button(
          t("checkOut"),
          async () => {
            if (open.autoDeparture <= nowSecs()) return void autoOut();
            const v = checkOut(app.diary, nowSecs());
            if (v && (await save())) {
              say(t("checkedOut", { venue: v.venue }));
              void showVisit(app.diary);
              await sealAndSave();
            }
          },
          "primary",
        ),
      )
    : h("p", { class: "current" }, t("notCheckedIn"));
  const scan = button(t("scan"), startScan, open ? "" : "primary");

  const alerts = alertsSection(d, {
    syncing: app.syncing,
    sync: () => void runSync(true),
    markRead: async (a) => {
      a.read = true;
      if (await save()) render();
    },
  });

  const diary = h("section", { "aria-labelledby": "diary-title" }, h("h2", { id: "diary-title" }, t("diaryTitle")));
  const done = d.visits.filter((v) => v.departure !== null).sort((a, b) => b.arrival - a.arrival);
  if (done.length === 0 && !open) diary.append(h("p", {}, t("diaryEmpty")));
  const list = h("ul", { class: "visits" });
  for (const v of done) {
    const del = button(
      "✕",
      async () => {
        // Undone from the status line: the visit, its alerts and its queued records return.
        const kept = { visits: [...app.diary.visits], alerts: [...app.diary.alerts], outbox: [...app.diary.outbox] };
        deleteVisit(app.diary, v.id);
        app.diary.outbox = app.diary.outbox.filter((q) => q.visit !== v.id);
        if (!(await save())) return;
        say(t("deleted"));
        app.undo = {
          label: t("undo"),
          run: async () => {
            Object.assign(app.diary, kept);
            if (await save()) say(t("restored"));
          },
        };
        render();
      },
      "icon",
    );
    del.setAttribute("aria-label", t("deleteVisit", { venue: v.venue }));
    const edit = button("✎", () => {
      app.editing = app.editing === v.id ? null : v.id;
      render();
    }, "icon");
    edit.setAttribute("aria-label", t("editVisit", { venue: v.venue }));
    edit.setAttribute("aria-expanded", String(app.editing === v.id));
    list.append(
      h(
        "li",
        { "data-testid": "visit" },
        h("span", { class: "venue" }, v.venue),
        h("span", {}, t("visitTimes", { from: when(v.arrival), to: whenAfter(v.arrival, v.departure!) })),
        v.share &&
          h(
            "span",
            { class: "hint" },
            v.sealProblem
              ? t("shareFailed", { why: t("whySeal") })
              : !v.sealed
                ? t("shareChosen")
                : d.outbox.some((q) => q.visit === v.id)
                  ? t("shareWaiting")
                  : t("shareSent"),
          ),
        h("span", { class: "tools" }, edit, del),
        app.editing === v.id && editForm(v),
      ),
    );
  }
  if (done.length) diary.append(list);

  const share = h(
    "section",
    { "aria-labelledby": "case-title" },
    h("h2", { id: "case-title" }, t("caseTitle")),
    h("p", {}, t("caseBody", { authority: app.trust?.authority ?? "—" })),
    button(t("caseShare"), () => chooseCase("file")),
    button(t("caseCode"), () => chooseCase("code")),
    ...(app.caseCode && app.caseCode.expiresAt > nowSecs()
      ? [
          h("p", {}, t("caseCodeShown", { time: when(app.caseCode.expiresAt) })),
          h("p", { class: "case-code mono", "data-testid": "case-code" }, app.caseCode.code),
          button(t("caseDone"), () => {
            app.caseCode = undefined;
            render();
          }),
        ]
      : []),
  );

  const settings = h(
    "details",
    { class: "settings", ...(app.settingsOpen ? { open: "" } : {}) },
    h("summary", {}, t("settingsTitle")),
    contactForm(),
    passphraseForm(),
    notifySetting(d, app.store.passphrase, (on) => void setNotify(on)) ?? "",
    h("h2", {}, t("browserKeepsTitle")),
    h("p", {}, t("introBrowser")),
    h(
      "dl",
      {},
      h("dt", {}, t("authority")),
      h("dd", {}, app.trust?.authority ?? "—"),
      h("dt", {}, t("authorityFingerprint")),
      h("dd", { class: "mono" }, app.trust ? rootFingerprint(app.trust) : "—"),
      h("dt", {}, t("trustSerial")),
      h("dd", {}, app.trust ? String(app.trust.serial) : "—"),
      h("dt", {}, t("emergencyOfficers")),
      h(
        "dd",
        {},
        app.trust
          ? t("emergencyOfficersValue", { threshold: app.trust.emergency.threshold, count: app.trust.emergency.keys.length })
          : "—",
        ...(app.trust?.emergency.keys.map((k, i) => h("div", { class: "mono" }, `${i}: ${keyFingerprint(k)}`)) ?? []),
      ),
      h("dt", {}, t("releaseKey")),
      h("dd", { class: "mono" }, app.trust?.release ? keyFingerprint(app.trust.release) : "—"),
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
    app.settingsOpen = (settings as HTMLDetailsElement).open;
  });
  const offer = notifyOffer(d, setNotify);
  return h("div", {}, alertBanner(d) ?? "", current, scan, offer ?? "", alerts, diary, share, settings);
}

function chooseCase(mode: CaseMode): void {
  tidy(app.diary, nowSecs());
  app.caseMode = mode;
  app.caseCode = undefined;
  render();
}

/** The case file (spec 16) of every visit in the diary, saved as a download, or with `byCode`
 * handed to the server to hold for the tracer, who fetches it once with the code shown
 * (spec 16b). */
async function shareCase(byCode: boolean, ids: readonly string[]): Promise<void> {
  const trust = app.trust;
  if (!trust) return;
  app.caseMode = undefined;
  tidy(app.diary, nowSecs());
  const visits = app.diary.visits.filter((v) => ids.includes(v.id)).map((v) => ({
    poster: unbase64url(v.poster)!,
    arrival: v.arrival,
    departure: v.departure ?? Math.max(v.arrival, Math.min(nowSecs(), v.autoDeparture)),
  }));
  if (byCode) {
    // A hand-over the server left unsettled is sent again byte for byte (spec 16b), so that
    // it holds the file once and answers the same code.
    // The code is drawn here and never sent: the server gets its id and the file's tag (spec
    // 16.1), so that the tracer who is read the code can tell the file was not swapped.
    const handover = await caseBody(app.caseHandover, caseKey(app.diary.visits.filter((v) => ids.includes(v.id))), async () => {
      const code = newCaseCode();
      const file = await sealCase(visits, nowSecs(), trust.case);
      return { code, body: JSON.stringify({ case: base64url(file), id: base64url(caseId(code)), tag: base64url(caseTag(code, file)) }) };
    });
    app.caseHandover = handover;
    try {
      const r = await request("/v1/cases", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: handover.body,
      });
      if (settled(r.status)) app.caseHandover = undefined;
      const answer = (await r.json().catch(() => null)) as { expires_at?: unknown } | null;
      if (r.status !== 201 || typeof answer?.expires_at !== "number") {
        throw new NetError("server", r.status);
      }
      app.caseCode = { code: showCaseCode(handover.code), expiresAt: answer.expires_at };
      render();
    } catch (e) {
      say(t("caseCodeFailed", { why: netWhy(e) }), "error");
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

/** Says what is wrong with a form inside it, without rebuilding it, so that what was typed
 * stays; the field to correct gets the focus. */
function formError(form: HTMLElement, text: string, focus: HTMLInputElement): void {
  let p = form.querySelector<HTMLElement>(":scope > .form-error");
  if (!p) {
    p = h("p", { class: "status error form-error", role: "alert" });
    form.append(p);
  }
  p.textContent = text;
  focus.setAttribute("aria-invalid", "true");
  focus.focus();
}

/** A time as the values of a `date` and a `time` input, in the phone's zone. Two inputs, not
 * one `datetime-local`, whose fields do not shrink: at 200% zoom it ran off the screen. */
function localInput(secs: number): [string, string] {
  const d = new Date(secs * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return [`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, `${pad(d.getHours())}:${pad(d.getMinutes())}`];
}

function editForm(v: VisitRec): HTMLElement {
  const [arrDay, arrTime] = localInput(v.arrival);
  const [leftDay, leftTime] = localInput(v.departure ?? v.autoDeparture);
  const [arrDayRow, arrD] = field(`arr-day-${v.id}`, "editArrivedOn", arrDay, "date");
  const [arrTimeRow, arrT] = field(`arr-time-${v.id}`, "editArrivedAt", arrTime, "time");
  const [leftDayRow, leftD] = field(`left-day-${v.id}`, "editLeftOn", leftDay, "date");
  const [leftTimeRow, leftT] = field(`left-time-${v.id}`, "editLeftAt", leftTime, "time");
  const form = h(
    "form",
    { class: "edit" },
    h("div", { class: "when" }, arrDayRow, arrTimeRow),
    h("div", { class: "when" }, leftDayRow, leftTimeRow),
    h("button", { type: "submit", class: "primary" }, t("editSave")),
  );
  const arr = arrD;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const secs = (day: HTMLInputElement, time: HTMLInputElement) => Math.floor(new Date(`${day.value}T${time.value}`).getTime() / 1000);
    const problem = editVisit(app.diary, v.id, secs(arrD, arrT), secs(leftD, leftT), nowSecs());
    if (problem) return formError(form, t(problem), arr);
    app.editing = null;
    if (await save()) {
      say(t("editSaved"));
      await sealAndSave();
    }
  });
  return form;
}


/** The open visit's "Correct the arrival time" button, which shows or hides its form. */
function arrivalButton(v: VisitRec): HTMLElement {
  const b = button(t("editArrival"), () => {
    app.editing = app.editing === v.id ? null : v.id;
    render();
  });
  b.setAttribute("aria-expanded", String(app.editing === v.id));
  return b;
}

/** The open visit's arrival, corrected (a check-in made late); its automatic check-out moves
 * with it. */
function arrivalForm(v: VisitRec): HTMLElement {
  const [arrDay, arrTime] = localInput(v.arrival);
  const [dayRow, day] = field(`arr-day-${v.id}`, "editArrivedOn", arrDay, "date");
  const [timeRow, time] = field(`arr-time-${v.id}`, "editArrivedAt", arrTime, "time");
  const form = h("form", { class: "edit" }, h("div", { class: "when" }, dayRow, timeRow), h("button", { type: "submit", class: "primary" }, t("arrivalSave")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const arrival = Math.floor(new Date(`${day.value}T${time.value}`).getTime() / 1000);
    const problem = editArrival(app.diary, v.id, arrival, nowSecs());
    if (problem) return formError(form, t(problem), day);
    app.editing = null;
    if (await save()) {
      say(t("arrivalSaved"));
      // The notification's "since" follows; an automatic check-out the new arrival put in the
      // past happens at once (render schedules it), and says so.
      void showVisit(app.diary);
    }
  });
  return form;
}

function contactForm(): HTMLElement {
  const d = app.diary;
  const c = d.contact;
  const [nameRow, name] = field("contact-name", "contactName", c?.name ?? "", "text", { autocomplete: "off", maxlength: "80" });
  const [phoneRow, phone] = field("contact-phone", "contactPhone", c?.phone ?? "", "tel", { autocomplete: "off", maxlength: "32" });
  const [emailRow, email] = field("contact-email", "contactEmail", c?.email ?? "", "email", { autocomplete: "off", maxlength: "100" });
  const [partyRow, partyInput] = field("contact-party", "contactParty", String(c?.partySize ?? 1), "number", { min: "1", max: "50", inputmode: "numeric" });
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
    const details = { name: name.value.trim(), phone: phone.value.trim(), email: email.value.trim(), partySize: Number(partyInput.value) };
    const problem = contactProblem({ ...details, arrival: 0, departure: 0 });
    // A name alone reaches nobody: a tracer needs a phone number or an email address.
    if (problem?.code === "vault_no_phone_or_email") return formError(form, t("contactNeedsWay"), phone);
    if (problem) {
      const party = problem.code === "vault_invalid_party_size";
      return formError(form, t(party ? "contactBadParty" : "contactBadText"), party ? partyInput : name);
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
      h("p", {}, tn("queued", d.outbox.length)),
      h("p", { class: "hint" }, t("sendNowHint")),
      button(t("sendNow"), () => void runUploads(true)),
    );
  }
  return form;
}

/** Whether the citizen asked for the sync that is running. */
let syncAsked = false;

/** A sync; one the citizen asked for reports its result, one on a timer only a problem, so
 * that it never covers a message the citizen has not read. */
async function runSync(asked = false): Promise<void> {
  if (!app.trust) return;
  if (app.syncing) {
    // One is running already (a timer's): its result is now the citizen's to read.
    if (asked) syncAsked = true;
    return;
  }
  syncAsked = asked;
  app.syncing = true;
  render();
  try {
    const report = await sync(app.diary, app.trust, nowSecs(), (path) => {
      lastSyncRequest = Date.now();
      return request(path);
    });
    asked = syncAsked;
    lastSyncRequest = Date.now();
    if (await save()) {
      // What the sync did, in counts, as an event on the page (for whoever measures it, such
      // as the browser story); nothing in the page's markup.
      dispatchEvent(
        new CustomEvent("checkin-sync", {
          detail: { hours: report.hours, bundles: report.bundles, entries: report.entries, bytes: report.bytes, matchMs: report.matchMs },
        }),
      );
      if (report.skipped) say(tn("syncSkipped", report.skipped), "error");
      else if (asked) say(tn("syncDone", report.newAlerts.length));
      else if (report.newAlerts.length) say(""); // the banner tells; an older status line must not sit above it
    }
  } catch (e) {
    if (syncAsked || app.statusKind !== "error") {
      say(navigator.onLine ? t("syncFailed", { why: netWhy(e) }) : t("offline"), "error");
    }
  } finally {
    app.syncing = false;
    render();
  }
}

/** Opens the Scan screen; a poster it reads goes to the confirm screen, with no page load. */
function startScan(): void {
  app.status = "";
  app.scan = scanScreen(
    (code) => {
      app.scan = null;
      if (code.kind === "ours") takePoster(code.poster);
      else app.elsewhere = code.url;
      render();
    },
    () => {
      app.scan = null;
      render();
    },
  );
  render();
}

function readFragment(): void {
  const hash = location.hash.slice(1);
  if (!hash) return;
  history.replaceState(null, "", location.pathname);
  // An alert's notification opens the app at that alert.
  if (hash.startsWith("alert=")) app.showAlert = decodeURIComponent(hash.slice(6));
  else takePoster(hash);
}

/** Brings the alert a notification named into view, its heading focused. */
function focusAlert(): void {
  const id = app.showAlert;
  app.showAlert = undefined;
  const card = id ? document.querySelector<HTMLElement>(`[data-alert="${CSS.escape(id)}"] h3`) : null;
  card?.focus();
  card?.scrollIntoView({ block: "start" });
}

function takePoster(text: string): void {
  app.scan?.stop();
  app.scan = null;
  try {
    app.pending = posterFromText(text);
  } catch (e) {
    app.pending = null;
    app.status = `${t("posterRefused")}. ${t("posterRefusedHint")}`;
    app.statusKind = "error";
    app.statusFor = "home";
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
  const [firstRow, first] = field("new-passphrase", "newPassphrase", "", "password", { autocomplete: "new-password", minlength: String(MIN_PASSPHRASE) });
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
    const problem = passphraseProblem(first.value);
    if (problem) return formError(form, t(problem), first);
    if (first.value !== again.value) return formError(form, t("passphraseMismatch"), again);
    try {
      await app.store.setPassphrase(app.diary, first.value);
      say(t("passphraseSet"));
    } catch (e) {
      say(t("storageFailed", { why: t("whyStorage") }), "error");
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
  app = {
    store,
    diary,
    trust: null,
    status: "",
    statusKind: "info",
    statusFor: "home",
    live: {
      polite: h("div", { role: "status", class: "status" }),
      urgent: h("div", { role: "alert", class: "status error" }),
    },
    syncing: false,
    scan: null,
    pending: null,
    editing: null,
    settingsOpen: false,
  };
  app.trust = await loadTrust(diary);
  if (!app.trust) {
    // A pin from before trust files were signed: loadTrust said what it waits for.
    if (!(diary.trust && chooseTrust(diary.trust, null).legacy)) say(t("noTrust"), "error");
    return;
  }
  const changed = tidy(diary, nowSecs());
  if (changed) await save();
  readFragment();
  render();
  focusAlert();
  void checkRelease(app.trust);
  // The service worker checked out from a notification: read the diary it saved.
  // Woken by a push or a periodic sync while this page is open, the worker leaves the sync to
  // the page (one writer of the diary at a time). A tapped alert's notification names its alert.
  navigator.serviceWorker?.addEventListener("message", (ev: MessageEvent<{ diaryChanged?: boolean; syncNow?: boolean; alert?: string }>) => {
    if (ev.data?.syncNow && app.diary.started) void runSync();
    if (!ev.data?.diaryChanged) return;
    void app.store.load().then((d) => {
      app.diary = d;
      app.showAlert = ev.data.alert;
      render();
      focusAlert();
      void sealAndSave();
    });
  });
  window.addEventListener("hashchange", () => {
    readFragment();
    render();
    focusAlert();
  });
  if ("serviceWorker" in navigator) {
    // The worker lives beside the script; its scope is the page's own path.
    navigator.serviceWorker
      .register(new URL("sw.js", import.meta.url), { scope: location.pathname, updateViaCache: "none" })
      .catch(() => {});
  }
  // Nothing goes to the server because the app opened (perhaps from a poster): the first sync
  // and upload slot come at a random later moment, and then on their timers.
  const random = crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
  setTimeout(() => {
    if (app.diary.started) void runSync().then(() => runUploads());
    // Wake-ups renewed with the first sync, never at the opening itself.
    if (app.diary.notify === "on") void startWakeUps();
    setInterval(() => {
      if (app.diary.started && document.visibilityState === "visible") void runSync();
    }, SYNC_EVERY_MS);
    setInterval(() => void runUploads(), SLOT_CHECK_MS);
  }, FIRST_SYNC_MIN_MS + random * FIRST_SYNC_SPAN_MS);
}

main().catch((e) => {
  root.replaceChildren(h("p", { role: "alert", class: "status error" }, t("storageFailed", { why: t("whyStorage") })));
  console.error(e);
});

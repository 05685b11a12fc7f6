// Every string the app shows, in one catalogue per language, so that another language is one
// more object with the same keys (the type checker refuses a missing one).

export const en = {
  appName: "Check in",
  loading: "Loading…",
  introTitle: "Your private check-in diary",
  introBody:
    "Scan a venue's poster with your phone's camera to check in. Your visits are kept only on this phone, encrypted. Nothing is sent anywhere when you check in.",
  introAlerts:
    "The app downloads public notices and compares them with your diary on this phone. If you were at a place at the same time as someone who later tested positive, it tells you. Nobody learns where you have been.",
  introForget: "Visits disappear on their own after 14 days.",
  introStart: "Start",
  checkInTitle: "Check in here?",
  venueAddress: "Address",
  venueCategory: "Kind of place",
  venueFingerprint: "Poster fingerprint",
  fingerprintHint: "It matches the code printed on the poster.",
  stayHint: "You will be checked out automatically at {time} unless you check out earlier.",
  confirmCheckIn: "Check in",
  cancel: "Not now",
  posterRefused: "This poster cannot be used",
  posterRefusedHint:
    "The code may be damaged, altered, or not a check-in poster. Ask the venue for help. Nothing was recorded.",
  posterExpired: "This poster is no longer valid. Ask the venue for a new one. Nothing was recorded.",
  posterNotYet: "This poster is not valid yet. Nothing was recorded.",
  alreadyHere: "You are already checked in at {venue}.",
  hereNow: "You are at",
  since: "Since {time}",
  autoOut: "Automatic check-out at {time}",
  checkOut: "Check out",
  checkedOut: "Checked out of {venue}.",
  checkedIn: "Checked in at {venue}.",
  notCheckedIn: "You are not checked in anywhere. Scan a poster to check in.",
  diaryTitle: "Your visits (last 14 days)",
  diaryEmpty: "No visits yet.",
  visitTimes: "{from} to {to}",
  deleteVisit: "Delete visit to {venue}",
  deleted: "Visit deleted.",
  alertsTitle: "Exposure alerts",
  noAlerts: "No alerts. Last checked {time}.",
  neverSynced: "Not checked for notices yet.",
  alertHigh: "High risk",
  alertLow: "Low risk",
  alertAt: "At {venue}, {from} to {to}; you overlapped for {minutes} minutes.",
  alertIssuer: "Issued by {tracer}, approved by {approver}.",
  approverVenue: "the venue",
  approverAuthority: "the health authority",
  alertWithdrawn: "Withdrawn: the authority has since revoked the tracer who issued this.",
  syncNow: "Check for notices",
  syncing: "Checking for notices…",
  syncDone: "Checked {hours} hours of notices.",
  syncSkipped: "{count} notices could not be verified and were ignored; they will be fetched again.",
  syncFailed: "Could not reach the server: {why}. Your diary is safe; try again later.",
  settingsTitle: "Settings",
  authority: "Health authority",
  authorityFingerprint: "Authority fingerprint",
  eraseAll: "Erase everything",
  eraseConfirm: "Erase your whole diary from this phone? This cannot be undone.",
  erased: "Everything was erased.",
  storageFailed: "Your diary could not be saved on this phone: {why}. Nothing was changed.",
  noTrust:
    "This app has no health authority configured, so it cannot check posters. Ask whoever runs this site.",
  trustChanged:
    "The server now names a different health authority than the one this phone trusts. The app keeps trusting the first one.",
  insecure:
    "This page must be opened over HTTPS (or on this computer as localhost): the browser keeps your diary's key only for secure pages. Ask whoever runs this site.",
  shareThisVisit: "Share my contact details for this visit, so that contact tracers can reach me if there is an outbreak here",
  shareHint:
    "They are sealed on this phone so that only the venue and the health authority together can open them, and only if a tracer asks.",
  noContactYet: "To share contact details at venues that ask for them, add them in Settings.",
  shared: "Contact details shared",
  shareFailed: "Your contact details for this visit could not be sealed ({why}). They will be tried again.",
  contactTitle: "Contact details",
  contactName: "Name",
  contactPhone: "Phone",
  contactEmail: "Email",
  contactParty: "People in your party",
  contactSave: "Save contact details",
  contactSaved: "Contact details saved on this phone.",
  contactRemove: "Remove contact details",
  contactInvalid: "Check your contact details: {why}.",
  consentLabel: "When checking in",
  consentAsk: "Offer to share my contact details",
  consentNever: "Never share my contact details",
  queued: "{count} sealed contact records are waiting to be sent, one at a time, at random moments.",
  sendNow: "Send them now",
  sendNowHint: "Sending them all at once lets the server see when your visits ended.",
  sending: "Sending…",
  sentNow: "Sent {count} contact records.",
  caseTitle: "Tested positive?",
  caseBody:
    "If a contact tracer asks, give them your diary: a file with the places and times of your visits, sealed on this phone so that only {authority} can read it.",
  caseShare: "Save my diary for a contact tracer",
  caseConfirm: "This file holds {count} visits (venues, addresses and times), sealed so that only {authority} can read them. Save it?",
  caseSaved: "Saved {file}. Give this file to your contact tracer.",
  lockedTitle: "Your diary is locked",
  lockedBody: "Enter the passphrase you chose for this diary.",
  passphrase: "Passphrase",
  unlock: "Unlock",
  unlocking: "Unlocking…",
  wrongPassphrase: "That passphrase does not open this diary. Try again.",
  forgotPassphrase: "Forgot it? Erase everything",
  forgotConfirm: "Without the passphrase nobody can open this diary. Erase it and start again?",
  passphraseTitle: "Passphrase",
  passphraseOff: "Your diary is sealed with a key this browser keeps. You can also require a passphrase to open it.",
  passphraseOn: "A passphrase is needed to open your diary.",
  newPassphrase: "New passphrase (at least 8 characters)",
  repeatPassphrase: "Repeat the passphrase",
  setPassphrase: "Require this passphrase",
  removePassphrase: "Stop requiring a passphrase",
  passphraseHint: "If you forget it, nobody can open your diary, not even you; it can only be erased.",
  passphraseShort: "The passphrase must be at least 8 characters.",
  passphraseMismatch: "The two passphrases differ.",
  passphraseSet: "From now on, your passphrase opens this diary.",
  passphraseRemoved: "Your diary no longer needs a passphrase.",
  editVisit: "Edit the times of the visit to {venue}",
  editArrived: "Arrived",
  editLeft: "Left",
  editSave: "Save times",
  editSaved: "Times changed. Alerts for this visit will be checked again at the next check for notices.",
  editTimesOrder: "The visit must end after it starts.",
  editTimesRange: "The times must lie within the last 14 days and not in the future.",
  offline: "Offline: your diary works; notices will be checked when you are back online.",
} as const;

export type Messages = { readonly [K in keyof typeof en]: string };

const catalogues: Record<string, Messages> = { en };

let current: Messages = en;

/** Picks the catalogue for the browser's language, English when there is none. */
export function chooseLanguage(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const lang = tag.toLowerCase().split("-")[0]!;
    if (catalogues[lang]) {
      current = catalogues[lang]!;
      return lang;
    }
  }
  current = en;
  return "en";
}

/** The message `key`, with `{name}` replaced by `params.name`. */
export function t(key: keyof Messages, params: Record<string, string | number> = {}): string {
  return current[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

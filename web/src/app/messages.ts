// Every string the app shows, in one catalogue per language, so that another language is one
// more object with the same keys (the type checker refuses a missing one, and
// test/messages.test.ts a placeholder that differs from English's). English, and Welsh.

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
  trustSerial: "Authority file serial",
  eraseAll: "Erase everything",
  eraseConfirm: "Erase your whole diary from this phone? This cannot be undone.",
  erased: "Everything was erased.",
  storageFailed: "Your diary could not be saved on this phone: {why}. Nothing was changed.",
  noTrust:
    "This app has no health authority configured, so it cannot check posters. Ask whoever runs this site.",
  trustChanged:
    "The server offered a health authority file that this phone refused ({why}). The app keeps trusting the one it holds.",
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
  caseCode: "Give a code instead",
  caseCodeShown: "Read this code to your contact tracer. It works once, until {time}:",
  caseCodeFailed: "Your diary could not be handed over: {why}. Save it as a file instead, or try again later.",
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

/** Welsh (Cymraeg). Written by the team, not yet reviewed by a fluent speaker: see README. */
export const cy: Messages = {
  appName: "Cofrestru",
  loading: "Wrthi'n llwytho…",
  introTitle: "Eich dyddiadur cofrestru preifat",
  introBody:
    "Sganiwch boster lleoliad gyda chamera eich ffôn i gofrestru. Caiff eich ymweliadau eu cadw ar y ffôn hwn yn unig, wedi'u hamgryptio. Nid oes dim yn cael ei anfon i unman pan fyddwch yn cofrestru.",
  introAlerts:
    "Mae'r ap yn lawrlwytho hysbysiadau cyhoeddus ac yn eu cymharu â'ch dyddiadur ar y ffôn hwn. Os oeddech chi mewn lle ar yr un pryd â rhywun a gafodd brawf positif wedyn, bydd yn dweud wrthych. Does neb yn cael gwybod ble rydych chi wedi bod.",
  introForget: "Mae ymweliadau'n diflannu ohonynt eu hunain ar ôl 14 diwrnod.",
  introStart: "Dechrau",
  checkInTitle: "Cofrestru yma?",
  venueAddress: "Cyfeiriad",
  venueCategory: "Math o le",
  venueFingerprint: "Ôl bys y poster",
  fingerprintHint: "Mae'n cyfateb i'r cod sydd wedi'i argraffu ar y poster.",
  stayHint: "Byddwch yn cael eich allgofrestru'n awtomatig am {time} oni bai eich bod yn allgofrestru'n gynt.",
  confirmCheckIn: "Cofrestru",
  cancel: "Nid nawr",
  posterRefused: "Does dim modd defnyddio'r poster hwn",
  posterRefusedHint:
    "Efallai fod y cod wedi'i ddifrodi neu wedi'i newid, neu nad yw'n boster cofrestru. Gofynnwch i'r lleoliad am help. Ni chofnodwyd dim.",
  posterExpired: "Nid yw'r poster hwn yn ddilys mwyach. Gofynnwch i'r lleoliad am un newydd. Ni chofnodwyd dim.",
  posterNotYet: "Nid yw'r poster hwn yn ddilys eto. Ni chofnodwyd dim.",
  alreadyHere: "Rydych chi eisoes wedi cofrestru yn {venue}.",
  hereNow: "Rydych chi yn",
  since: "Ers {time}",
  autoOut: "Allgofrestru awtomatig am {time}",
  checkOut: "Allgofrestru",
  checkedOut: "Wedi allgofrestru o {venue}.",
  checkedIn: "Wedi cofrestru yn {venue}.",
  notCheckedIn: "Nid ydych wedi cofrestru yn unman. Sganiwch boster i gofrestru.",
  diaryTitle: "Eich ymweliadau (y 14 diwrnod diwethaf)",
  diaryEmpty: "Dim ymweliadau eto.",
  visitTimes: "{from} tan {to}",
  deleteVisit: "Dileu'r ymweliad â {venue}",
  deleted: "Ymweliad wedi'i ddileu.",
  alertsTitle: "Rhybuddion dod i gysylltiad",
  noAlerts: "Dim rhybuddion. Gwiriwyd ddiwethaf: {time}.",
  neverSynced: "Heb wirio am hysbysiadau eto.",
  alertHigh: "Risg uchel",
  alertLow: "Risg isel",
  alertAt: "Yn {venue}, {from} tan {to}; roeddech chi yno ar yr un pryd am {minutes} munud.",
  alertIssuer: "Cyhoeddwyd gan {tracer}, cymeradwywyd gan {approver}.",
  approverVenue: "y lleoliad",
  approverAuthority: "yr awdurdod iechyd",
  alertWithdrawn: "Tynnwyd yn ôl: mae'r awdurdod wedi dirymu'r olrheiniwr a'i cyhoeddodd ers hynny.",
  syncNow: "Gwirio am hysbysiadau",
  syncing: "Wrthi'n gwirio am hysbysiadau…",
  syncDone: "Gwiriwyd {hours} awr o hysbysiadau.",
  syncSkipped: "Doedd dim modd gwirio {count} hysbysiad, felly cawsant eu hanwybyddu; byddant yn cael eu nôl eto.",
  syncFailed: "Methu cyrraedd y gweinydd: {why}. Mae eich dyddiadur yn ddiogel; rhowch gynnig arall arni nes ymlaen.",
  settingsTitle: "Gosodiadau",
  authority: "Awdurdod iechyd",
  authorityFingerprint: "Ôl bys yr awdurdod",
  trustSerial: "Rhif cyfresol ffeil yr awdurdod",
  eraseAll: "Dileu popeth",
  eraseConfirm: "Dileu eich dyddiadur cyfan o'r ffôn hwn? Does dim modd dadwneud hyn.",
  erased: "Cafodd popeth ei ddileu.",
  storageFailed: "Doedd dim modd cadw eich dyddiadur ar y ffôn hwn: {why}. Ni newidiwyd dim.",
  noTrust:
    "Nid oes awdurdod iechyd wedi'i osod ar gyfer yr ap hwn, felly ni all wirio posteri. Gofynnwch i bwy bynnag sy'n rhedeg y wefan hon.",
  trustChanged:
    "Cynigiodd y gweinydd ffeil awdurdod iechyd a wrthodwyd gan y ffôn hwn ({why}). Mae'r ap yn dal i ymddiried yn yr un sydd ganddo.",
  insecure:
    "Rhaid agor y dudalen hon dros HTTPS (neu ar y cyfrifiadur hwn fel localhost): dim ond i dudalennau diogel y mae'r porwr yn cadw allwedd eich dyddiadur. Gofynnwch i bwy bynnag sy'n rhedeg y wefan hon.",
  shareThisVisit:
    "Rhannu fy manylion cyswllt ar gyfer yr ymweliad hwn, fel y gall olrheinwyr cysylltiadau gysylltu â mi os bydd achosion yma",
  shareHint:
    "Cânt eu selio ar y ffôn hwn fel mai dim ond y lleoliad a'r awdurdod iechyd gyda'i gilydd all eu hagor, a hynny dim ond os bydd olrheiniwr yn gofyn.",
  noContactYet: "I rannu manylion cyswllt mewn lleoliadau sy'n gofyn amdanynt, ychwanegwch nhw yn y Gosodiadau.",
  shared: "Manylion cyswllt wedi'u rhannu",
  shareFailed: "Doedd dim modd selio eich manylion cyswllt ar gyfer yr ymweliad hwn ({why}). Bydd yr ap yn rhoi cynnig arall arni.",
  contactTitle: "Manylion cyswllt",
  contactName: "Enw",
  contactPhone: "Ffôn",
  contactEmail: "E-bost",
  contactParty: "Nifer y bobl yn eich grŵp",
  contactSave: "Cadw'r manylion cyswllt",
  contactSaved: "Manylion cyswllt wedi'u cadw ar y ffôn hwn.",
  contactRemove: "Tynnu'r manylion cyswllt",
  contactInvalid: "Gwiriwch eich manylion cyswllt: {why}.",
  consentLabel: "Wrth gofrestru",
  consentAsk: "Cynnig rhannu fy manylion cyswllt",
  consentNever: "Peidio byth â rhannu fy manylion cyswllt",
  queued: "Mae {count} cofnod cyswllt wedi'u selio yn aros i gael eu hanfon, un ar y tro, ar adegau ar hap.",
  sendNow: "Eu hanfon nawr",
  sendNowHint: "Mae anfon y cyfan ar unwaith yn gadael i'r gweinydd weld pryd y daeth eich ymweliadau i ben.",
  sending: "Wrthi'n anfon…",
  sentNow: "Anfonwyd {count} cofnod cyswllt.",
  caseTitle: "Wedi cael prawf positif?",
  caseBody:
    "Os bydd olrheiniwr cysylltiadau'n gofyn, rhowch eich dyddiadur iddo: ffeil gyda lleoedd ac amseroedd eich ymweliadau, wedi'i selio ar y ffôn hwn fel mai dim ond {authority} all ei darllen.",
  caseShare: "Cadw fy nyddiadur ar gyfer olrheiniwr cysylltiadau",
  caseConfirm:
    "Mae'r ffeil hon yn cynnwys {count} ymweliad (lleoliadau, cyfeiriadau ac amseroedd), wedi'u selio fel mai dim ond {authority} all eu darllen. Ei chadw?",
  caseSaved: "Cadwyd {file}. Rhowch y ffeil hon i'ch olrheiniwr cysylltiadau.",
  caseCode: "Rhoi cod yn lle hynny",
  caseCodeShown: "Darllenwch y cod hwn i'ch olrheiniwr cysylltiadau. Mae'n gweithio unwaith, tan {time}:",
  caseCodeFailed:
    "Doedd dim modd trosglwyddo eich dyddiadur: {why}. Cadwch ef fel ffeil yn lle hynny, neu rhowch gynnig arall arni nes ymlaen.",
  lockedTitle: "Mae eich dyddiadur wedi'i gloi",
  lockedBody: "Rhowch y cyfrinymadrodd a ddewisoch ar gyfer y dyddiadur hwn.",
  passphrase: "Cyfrinymadrodd",
  unlock: "Datgloi",
  unlocking: "Wrthi'n datgloi…",
  wrongPassphrase: "Nid yw'r cyfrinymadrodd hwnnw'n agor y dyddiadur hwn. Rhowch gynnig arall arni.",
  forgotPassphrase: "Wedi'i anghofio? Dileu popeth",
  forgotConfirm: "Heb y cyfrinymadrodd, all neb agor y dyddiadur hwn. Ei ddileu a dechrau eto?",
  passphraseTitle: "Cyfrinymadrodd",
  passphraseOff:
    "Mae eich dyddiadur wedi'i selio ag allwedd y mae'r porwr hwn yn ei chadw. Gallwch hefyd fynnu cyfrinymadrodd i'w agor.",
  passphraseOn: "Mae angen cyfrinymadrodd i agor eich dyddiadur.",
  newPassphrase: "Cyfrinymadrodd newydd (o leiaf 8 nod)",
  repeatPassphrase: "Ailadroddwch y cyfrinymadrodd",
  setPassphrase: "Mynnu'r cyfrinymadrodd hwn",
  removePassphrase: "Peidio â mynnu cyfrinymadrodd",
  passphraseHint: "Os byddwch yn ei anghofio, all neb agor eich dyddiadur, dim hyd yn oed chi; dim ond ei ddileu sy'n bosibl.",
  passphraseShort: "Rhaid i'r cyfrinymadrodd fod o leiaf 8 nod.",
  passphraseMismatch: "Mae'r ddau gyfrinymadrodd yn wahanol.",
  passphraseSet: "O hyn ymlaen, eich cyfrinymadrodd sy'n agor y dyddiadur hwn.",
  passphraseRemoved: "Nid oes angen cyfrinymadrodd ar eich dyddiadur mwyach.",
  editVisit: "Golygu amseroedd yr ymweliad â {venue}",
  editArrived: "Cyrraedd",
  editLeft: "Gadael",
  editSave: "Cadw'r amseroedd",
  editSaved:
    "Newidiwyd yr amseroedd. Bydd rhybuddion ar gyfer yr ymweliad hwn yn cael eu gwirio eto y tro nesaf y bydd yr ap yn gwirio am hysbysiadau.",
  editTimesOrder: "Rhaid i'r ymweliad ddod i ben ar ôl iddo ddechrau.",
  editTimesRange: "Rhaid i'r amseroedd fod o fewn y 14 diwrnod diwethaf, ac nid yn y dyfodol.",
  offline: "All-lein: mae eich dyddiadur yn gweithio; bydd hysbysiadau'n cael eu gwirio pan fyddwch ar-lein eto.",
};

const catalogues: Record<string, Messages> = { en, cy };

/** The languages the app speaks, by their BCP 47 primary subtag. */
export const languages: readonly string[] = Object.keys(catalogues);

let current: Messages = en;

/** Picks the catalogue for the browser's language, English when there is none. */
export function chooseLanguage(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const lang = tag.toLowerCase().split("-")[0]!;
    if (catalogues[lang]) {
      current = catalogues[lang]!;
      currentLang = lang;
      return lang;
    }
  }
  current = en;
  currentLang = "en";
  return "en";
}

/** Day and month names for languages whose date data browsers lack or hold only in part
 * (Debian's Chromium writes a Welsh date as "M12 3, Thu"): the usual Welsh abbreviations. */
const calendars: Record<string, { days: readonly string[]; months: readonly string[] }> = {
  cy: {
    days: ["Sul", "Llun", "Maw", "Mer", "Iau", "Gwe", "Sad"],
    months: ["Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"],
  },
};

let currentLang = "en";
let browserFormat: Intl.DateTimeFormat | null = null;

/** A moment as the app shows it, in local time: weekday, day, month, hours and minutes. */
export function formatWhen(d: Date): string {
  const cal = calendars[currentLang];
  if (cal) {
    const hm = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    return `${cal.days[d.getDay()]} ${d.getDate()} ${cal.months[d.getMonth()]}, ${hm}`;
  }
  browserFormat ??= new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  return browserFormat.format(d);
}

/** The message `key`, with `{name}` replaced by `params.name`. */
export function t(key: keyof Messages, params: Record<string, string | number> = {}): string {
  return current[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

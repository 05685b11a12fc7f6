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
  alertIssuer: "Issued by {tracer} (tracer key {fingerprint}), approved by {approver}.",
  approverVenue: "the venue",
  approverAuthority: "the health authority",
  alertWithdrawn: "Withdrawn: the authority has since revoked the tracer who issued this.",
  syncNow: "Check for notices",
  syncing: "Checking for notices…",
  syncSkipped: "{count} notices could not be verified and were ignored; they will be fetched again.",
  syncFailed: "Could not reach the server: {why}. Your diary is safe; try again later.",
  settingsTitle: "Settings",
  authority: "Health authority",
  authorityFingerprint: "Authority fingerprint",
  trustSerial: "Authority file serial",
  emergencyOfficers: "Emergency officers",
  emergencyOfficersValue: "{threshold} of {count} must approve together a notice for a venue that cannot be reached",
  releaseKey: "Release key",
  pinTampered:
    "The health authority this phone had pinned is not the one this app was built for (root key {baked}): something on this phone changed it, and the app does not obey it. It will take the authority's own file from this site when it can.",
  pinRepaired:
    "The health authority this phone had pinned was not the one this app was built for: something on this phone changed it. The app ignored it and pinned again the file of \"{authority}\" (root key {baked}, serial {serial}).",
  appChanged:
    "This server is now serving a different version of the app ({files}) than the release signed by \"{authority}\" that this phone installed. The app you are using now is still the signed one, but the server could give changed code to this phone or to others. Tell the health authority.",
  appUnsigned:
    "This server is now serving a different version of the app: its release is not signed by \"{authority}\" ({why}). The app you are using now is still the signed one. Tell the health authority.",
  eraseAll: "Erase everything",
  eraseConfirm: "Erase your whole diary from this phone? This cannot be undone.",
  erased: "Everything was erased.",
  storageFailed: "Your diary could not be saved on this phone: {why}. Nothing was changed.",
  noTrust:
    "This app has no health authority configured, so it cannot check posters. Ask whoever runs this site.",
  trustChanged:
    "The server offered a health authority file that this phone refused ({why}). The app keeps trusting the one it holds.",
  trustUpgraded:
    "This phone held the health authority's file from before these files were signed, and trusted only its root key. It now holds the file \"{authority}\" signed with that key (serial {serial}).",
  trustLegacyWaiting:
    "This phone holds the health authority's file from before these files were signed, and trusts only its root key. It needs the signed file from this site to check notices: connect to the internet and open the app again. Your diary is kept.",
  trustLegacyRefused:
    "This phone holds the health authority's file from before these files were signed, and trusts only its root key. The server offered a file that this phone refused ({why}), so notices cannot be checked until the authority's signed file is served. Your diary is kept.",
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
  newPassphrase: "New passphrase (at least 12 characters)",
  repeatPassphrase: "Repeat the passphrase",
  setPassphrase: "Require this passphrase",
  removePassphrase: "Stop requiring a passphrase",
  passphraseHint: "If you forget it, nobody can open your diary, not even you; it can only be erased.",
  passphraseShort:
    "The passphrase must be at least 12 characters. Four or more unrelated words that you choose yourself are easy to remember and hard to guess.",
  passphraseWeak:
    "That passphrase is among the first that anyone guessing would try: a run such as 123456, abcdef or qwerty, one part repeated, or a common word such as \"password\" with numbers added. Choose four or more unrelated words yourself, or a sentence only you would think of.",
  passphraseMismatch: "The two passphrases differ.",
  passphraseSet: "From now on, your passphrase opens this diary.",
  passphraseRemoved: "Your diary no longer needs a passphrase.",
  editVisit: "Edit the times of the visit to {venue}",
  editArrived: "Arrived",
  editLeft: "Left",
  editSave: "Save times",
  editArrival: "Correct the arrival time",
  arrivalSave: "Save the arrival time",
  arrivalSaved: "Arrival time changed. Alerts for this visit will be checked again at the next check for notices.",
  editSaved: "Times changed. Alerts for this visit will be checked again at the next check for notices.",
  editTimesOrder: "The visit must end after it starts.",
  editTimesRange: "The times must lie within the last 14 days and not in the future.",
  offline: "Offline: your diary works; notices will be checked when you are back online.",
  whyOffline: "this phone is offline or the server cannot be reached",
  whyTimeout: "the server did not answer in time",
  whyServer: "the server could not do it just now",
  introBrowser: "Your browser keeps a history of the pages it opens, and a poster opened with the phone's camera goes into it with its time, outside this diary. Use this app's Scan button to check in without that. To clear what is there, delete this site's browsing history in your browser's settings: erasing this diary does not.",
  browserKeepsTitle: "What your browser keeps",
  scan: "Scan a poster",
  scanTitle: "Scan a poster",
  scanHint: "Point the camera at the poster's QR code. Nothing is recorded until you confirm.",
  scanVideo: "The camera's view",
  scanStarting: "Starting the camera…",
  scanLooking: "Looking for a QR code…",
  scanNotPoster: "That QR code is not a check-in poster. Keep looking, or ask the venue.",
  scanDenied: "The camera was not allowed. Allow it for this site in your browser's settings, or scan the poster with your phone's camera app.",
  scanNoCamera: "This phone or browser offers no camera to this app. Scan the poster with your phone's camera app instead.",
  scanStop: "Stop scanning",
  syncDone: "Checked for notices: {count} new alerts.",
  syncDone_zero: "Checked for notices: no new alerts.",
  syncDone_one: "Checked for notices: 1 new alert.",
  alertBanner: "New exposure alerts: {count}. Read what to do below.",
  alertBanner_one: "New exposure alert: read what to do below.",
  alertShow: "Show the alert",
  alertAtCount: "At {venue}, {from} to {to}; you overlapped for {count} minutes.",
  alertAtCount_one: "At {venue}, {from} to {to}; you overlapped for 1 minute.",
  alertNew: "New",
  guideHigh: "High risk means you were there for a long time, or when someone was most likely to pass it on. Book a test now. Until you get the result, stay at home and avoid meeting other people.",
  guideLow: "Low risk means you may have been exposed, but briefly or at a distance. You need not stay at home. Watch for symptoms, and if you get any, book a test and stay at home.",
  watchUntil: "Watch for symptoms until {date}.",
  tracerSays: "The contact tracer's message:",
  markRead: "Mark as read",
  alertWithdrawnTitle: "Withdrawn",
  alertWithdrawnBody: "You need not act on this alert: the health authority withdrew it, because it revoked the tracer who issued it.",
  notifyOfferTitle: "Notifications",
  notifyOffer: "While you are checked in, this phone can show a notification with a Check out button, so that you can check out from the lock screen. It can also tell you of an exposure alert while the app is closed: the server then keeps an address at which your browser's maker can wake this phone when new notices come out, and the phone checks them and matches them against your diary itself. The server learns only that this phone is woken; nothing about your visits or any match leaves the phone.",
  notifyOn: "Turn on notifications",
  notifyNo: "No thanks",
  notifyBlocked: "The browser did not allow notifications. You can allow them for this site in its settings.",
  notifyAt: "At {venue} since {time}",
  notifyAutoOut: "Automatic check-out at {time}. Tap to open the diary.",
  notifyAutoDone: "Checked out automatically at {time}",
  checkedOutAuto: "Checked out of {venue} automatically at {time}.",
  notifySetting: "Notifications",
  notifySettingOn: "On: a notification with a Check out button while you are checked in, and one for each new exposure alert, even while the app is closed.",
  notifySettingLocked: "Your diary is locked by a passphrase, so while the app is closed the phone cannot match new notices against it: the notification then only says that there are new notices, and the app checks them when you open it.",
  wakeLocked: "New notices: open the app to check",
  wakeLockedBody: "Your diary is locked by a passphrase, so this phone could not check them while the app was closed.",
  notifyOff: "Turn off notifications",
  elsewhereTitle: "A poster of another service",
  elsewhereBody: "This poster belongs to another check-in service, at {host}. This app receives only the notices of {authority}, so a visit recorded here would never get that service's alerts. Nothing was recorded.",
  elsewhereOpen: "Open that service's own app",
  back: "Back",
  posterExpiredOn: "This poster stopped being valid on {date}. Ask the venue for a new one. Nothing was recorded.",
  posterValidFrom: "This poster is valid only from {date}. Nothing was recorded.",
  undo: "Undo",
  restored: "The visit is back in your diary.",
  contactNeedsWay: "Give a phone number or an email address, so that a contact tracer can reach you.",
  whyStorage: "the browser refused to store it (its storage may be full, or this may be a private window)",
  whySeal: "the health authority's key for that time is missing from this app",
  shareChosen: "You chose to share your contact details for this visit: they are sealed and sent after it ends.",
  shareWaiting: "Contact details sealed, waiting to be sent",
  shareSent: "Contact details sent",
  caseDone: "Done: clear the code",
  queued_one: "1 sealed contact record is waiting to be sent, at a random moment.",
  sentNow_one: "Sent 1 contact record.",
  syncSkipped_one: "1 notice could not be verified and was ignored; it will be fetched again.",
  contactBadText: "Check the name, phone and email: a name is needed, and each must be plain text (name up to 80 characters, phone 32, email 100).",
  contactBadParty: "The party must be 1 to 50 people.",
  caseChooseTitle: "Which visits to give",
  caseFileBody: "The file holds the visits you tick: venues, addresses and times, sealed on this phone so that only {authority} can read them. You give the file to your contact tracer yourself.",
  caseCodeBody: "The visits you tick (venues, addresses and times) go to this app's server, sealed on this phone so that only {authority} can read them: the server cannot. It keeps them for your contact tracer for up to a day, until they fetch them once with the code you read out, and then deletes them.",
  caseSaveFile: "Save the file",
  caseSendCode: "Send them and show the code",
  caseNone: "Tick at least one visit.",
  caseVisitsLegend: "Visits",
  editArrivedOn: "Arrived on",
  editArrivedAt: "Arrived at",
  editLeftOn: "Left on",
  editLeftAt: "Left at",
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
  alertIssuer: "Cyhoeddwyd gan {tracer} (allwedd olrheiniwr {fingerprint}), cymeradwywyd gan {approver}.",
  approverVenue: "y lleoliad",
  approverAuthority: "yr awdurdod iechyd",
  alertWithdrawn: "Tynnwyd yn ôl: mae'r awdurdod wedi dirymu'r olrheiniwr a'i cyhoeddodd ers hynny.",
  syncNow: "Gwirio am hysbysiadau",
  syncing: "Wrthi'n gwirio am hysbysiadau…",
  syncSkipped: "Doedd dim modd gwirio {count} hysbysiad, felly cawsant eu hanwybyddu; byddant yn cael eu nôl eto.",
  syncFailed: "Methu cyrraedd y gweinydd: {why}. Mae eich dyddiadur yn ddiogel; rhowch gynnig arall arni nes ymlaen.",
  settingsTitle: "Gosodiadau",
  authority: "Awdurdod iechyd",
  authorityFingerprint: "Ôl bys yr awdurdod",
  trustSerial: "Rhif cyfresol ffeil yr awdurdod",
  emergencyOfficers: "Swyddogion argyfwng",
  emergencyOfficersValue: "Rhaid i {threshold} o {count} gymeradwyo gyda'i gilydd hysbysiad ar gyfer lleoliad na ellir ei gyrraedd",
  releaseKey: "Allwedd rhyddhau",
  pinTampered:
    "Nid yr awdurdod iechyd a biniwyd gan y ffôn hwn yw'r un y cafodd yr ap hwn ei adeiladu ar ei gyfer (prif allwedd {baked}): newidiodd rhywbeth ar y ffôn hwn ef, ac nid yw'r ap yn ufuddhau iddo. Bydd yn cymryd ffeil yr awdurdod ei hun o'r wefan hon pan all.",
  pinRepaired:
    "Nid yr awdurdod iechyd a biniwyd gan y ffôn hwn oedd yr un y cafodd yr ap hwn ei adeiladu ar ei gyfer: newidiodd rhywbeth ar y ffôn hwn ef. Anwybyddodd yr ap ef a phinio eto ffeil \"{authority}\" (prif allwedd {baked}, rhif cyfresol {serial}).",
  appChanged:
    "Mae'r gweinydd hwn bellach yn gweini fersiwn wahanol o'r ap ({files}) i'r un a lofnodwyd gan \"{authority}\" ac a osodwyd ar y ffôn hwn. Mae'r ap rydych chi'n ei ddefnyddio nawr yn dal i fod yr un wedi'i lofnodi, ond gallai'r gweinydd roi cod wedi'i newid i'r ffôn hwn neu i eraill. Dywedwch wrth yr awdurdod iechyd.",
  appUnsigned:
    "Mae'r gweinydd hwn bellach yn gweini fersiwn wahanol o'r ap: nid yw ei ryddhad wedi'i lofnodi gan \"{authority}\" ({why}). Mae'r ap rydych chi'n ei ddefnyddio nawr yn dal i fod yr un wedi'i lofnodi. Dywedwch wrth yr awdurdod iechyd.",
  eraseAll: "Dileu popeth",
  eraseConfirm: "Dileu eich dyddiadur cyfan o'r ffôn hwn? Does dim modd dadwneud hyn.",
  erased: "Cafodd popeth ei ddileu.",
  storageFailed: "Doedd dim modd cadw eich dyddiadur ar y ffôn hwn: {why}. Ni newidiwyd dim.",
  noTrust:
    "Nid oes awdurdod iechyd wedi'i osod ar gyfer yr ap hwn, felly ni all wirio posteri. Gofynnwch i bwy bynnag sy'n rhedeg y wefan hon.",
  trustChanged:
    "Cynigiodd y gweinydd ffeil awdurdod iechyd a wrthodwyd gan y ffôn hwn ({why}). Mae'r ap yn dal i ymddiried yn yr un sydd ganddo.",
  trustUpgraded:
    "Roedd gan y ffôn hwn ffeil yr awdurdod iechyd o'r cyfnod cyn i'r ffeiliau hyn gael eu llofnodi, ac roedd yn ymddiried yn ei brif allwedd yn unig. Erbyn hyn mae ganddo'r ffeil \"{authority}\" wedi'i llofnodi â'r allwedd honno (rhif cyfresol {serial}).",
  trustLegacyWaiting:
    "Mae gan y ffôn hwn ffeil yr awdurdod iechyd o'r cyfnod cyn i'r ffeiliau hyn gael eu llofnodi, ac mae'n ymddiried yn ei brif allwedd yn unig. Mae angen y ffeil wedi'i llofnodi o'r wefan hon i wirio hysbysiadau: cysylltwch â'r rhyngrwyd ac agorwch yr ap eto. Mae eich dyddiadur yn cael ei gadw.",
  trustLegacyRefused:
    "Mae gan y ffôn hwn ffeil yr awdurdod iechyd o'r cyfnod cyn i'r ffeiliau hyn gael eu llofnodi, ac mae'n ymddiried yn ei brif allwedd yn unig. Cynigiodd y gweinydd ffeil a wrthodwyd gan y ffôn hwn ({why}), felly ni ellir gwirio hysbysiadau nes bod ffeil wedi'i llofnodi'r awdurdod yn cael ei gweini. Mae eich dyddiadur yn cael ei gadw.",
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
  newPassphrase: "Cyfrinymadrodd newydd (o leiaf 12 nod)",
  repeatPassphrase: "Ailadroddwch y cyfrinymadrodd",
  setPassphrase: "Mynnu'r cyfrinymadrodd hwn",
  removePassphrase: "Peidio â mynnu cyfrinymadrodd",
  passphraseHint: "Os byddwch yn ei anghofio, all neb agor eich dyddiadur, dim hyd yn oed chi; dim ond ei ddileu sy'n bosibl.",
  passphraseShort:
    "Rhaid i'r cyfrinymadrodd fod o leiaf 12 nod. Mae pedwar gair neu fwy heb gysylltiad rhyngddynt, wedi'u dewis gennych chi, yn hawdd eu cofio ac yn anodd eu dyfalu.",
  passphraseWeak:
    "Mae'r cyfrinymadrodd hwnnw ymhlith y cyntaf y byddai unrhyw un sy'n dyfalu yn rhoi cynnig arnynt: rhes fel 123456, abcdef neu qwerty, un rhan wedi'i hailadrodd, neu air cyffredin fel \"password\" gyda rhifau wedi'u hychwanegu. Dewiswch bedwar gair neu fwy heb gysylltiad rhyngddynt, neu frawddeg na fyddai neb ond chi yn meddwl amdani.",
  passphraseMismatch: "Mae'r ddau gyfrinymadrodd yn wahanol.",
  passphraseSet: "O hyn ymlaen, eich cyfrinymadrodd sy'n agor y dyddiadur hwn.",
  passphraseRemoved: "Nid oes angen cyfrinymadrodd ar eich dyddiadur mwyach.",
  editVisit: "Golygu amseroedd yr ymweliad â {venue}",
  editArrived: "Cyrraedd",
  editLeft: "Gadael",
  editSave: "Cadw'r amseroedd",
  editArrival: "Cywiro'r amser cyrraedd",
  arrivalSave: "Cadw'r amser cyrraedd",
  arrivalSaved:
    "Newidiwyd yr amser cyrraedd. Bydd rhybuddion ar gyfer yr ymweliad hwn yn cael eu gwirio eto y tro nesaf y bydd yr ap yn gwirio am hysbysiadau.",
  editSaved:
    "Newidiwyd yr amseroedd. Bydd rhybuddion ar gyfer yr ymweliad hwn yn cael eu gwirio eto y tro nesaf y bydd yr ap yn gwirio am hysbysiadau.",
  editTimesOrder: "Rhaid i'r ymweliad ddod i ben ar ôl iddo ddechrau.",
  editTimesRange: "Rhaid i'r amseroedd fod o fewn y 14 diwrnod diwethaf, ac nid yn y dyfodol.",
  offline: "All-lein: mae eich dyddiadur yn gweithio; bydd hysbysiadau'n cael eu gwirio pan fyddwch ar-lein eto.",
  whyOffline: "mae'r ffôn hwn all-lein neu does dim modd cyrraedd y gweinydd",
  whyTimeout: "ni atebodd y gweinydd mewn pryd",
  whyServer: "nid oedd y gweinydd yn gallu gwneud hynny ar hyn o bryd",
  introBrowser: "Mae eich porwr yn cadw hanes o'r tudalennau y mae'n eu hagor, ac mae poster a agorwyd gyda chamera'r ffôn yn mynd i mewn iddo gyda'i amser, y tu allan i'r dyddiadur hwn. Defnyddiwch fotwm Sganio'r ap hwn i gofrestru heb hynny. I glirio'r hyn sydd yno, dilëwch hanes pori'r wefan hon yng ngosodiadau eich porwr: nid yw dileu'r dyddiadur hwn yn gwneud hynny.",
  browserKeepsTitle: "Beth mae eich porwr yn ei gadw",
  scan: "Sganio poster",
  scanTitle: "Sganio poster",
  scanHint: "Anelwch y camera at god QR y poster. Ni chofnodir dim nes i chi gadarnhau.",
  scanVideo: "Golwg y camera",
  scanStarting: "Wrthi'n cychwyn y camera…",
  scanLooking: "Wrthi'n chwilio am god QR…",
  scanNotPoster: "Nid poster cofrestru yw'r cod QR hwnnw. Daliwch ati i chwilio, neu gofynnwch i'r lleoliad.",
  scanDenied: "Ni chaniatawyd y camera. Caniatewch ef ar gyfer y wefan hon yng ngosodiadau eich porwr, neu sganiwch y poster gydag ap camera eich ffôn.",
  scanNoCamera: "Nid yw'r ffôn neu'r porwr hwn yn cynnig camera i'r ap hwn. Sganiwch y poster gydag ap camera eich ffôn yn lle hynny.",
  scanStop: "Stopio sganio",
  syncDone: "Wedi gwirio am hysbysiadau: {count} rhybudd newydd.",
  syncDone_zero: "Wedi gwirio am hysbysiadau: dim rhybuddion newydd.",
  syncDone_one: "Wedi gwirio am hysbysiadau: 1 rhybudd newydd.",
  alertBanner: "Rhybuddion dod i gysylltiad newydd: {count}. Darllenwch beth i'w wneud isod.",
  alertBanner_one: "Rhybudd dod i gysylltiad newydd: darllenwch beth i'w wneud isod.",
  alertShow: "Dangos y rhybudd",
  alertAtCount: "Yn {venue}, {from} tan {to}; roeddech chi yno ar yr un pryd am {count} munud.",
  alertAtCount_one: "Yn {venue}, {from} tan {to}; roeddech chi yno ar yr un pryd am 1 munud.",
  alertNew: "Newydd",
  guideHigh: "Mae risg uchel yn golygu eich bod yno am amser hir, neu pan oedd rhywun fwyaf tebygol o'i drosglwyddo. Trefnwch brawf nawr. Nes i chi gael y canlyniad, arhoswch gartref ac osgoi cwrdd â phobl eraill.",
  guideLow: "Mae risg isel yn golygu efallai eich bod wedi dod i gysylltiad, ond yn fyr neu o bellter. Nid oes angen i chi aros gartref. Cadwch lygad am symptomau, ac os byddwch yn cael rhai, trefnwch brawf ac arhoswch gartref.",
  watchUntil: "Cadwch lygad am symptomau tan {date}.",
  tracerSays: "Neges yr olrheiniwr cysylltiadau:",
  markRead: "Marcio fel wedi'i ddarllen",
  alertWithdrawnTitle: "Tynnwyd yn ôl",
  alertWithdrawnBody: "Nid oes angen i chi weithredu ar y rhybudd hwn: mae'r awdurdod iechyd wedi'i dynnu'n ôl, oherwydd iddo ddirymu'r olrheiniwr a'i cyhoeddodd.",
  notifyOfferTitle: "Hysbysiadau",
  notifyOffer: "Tra byddwch wedi cofrestru, gall y ffôn hwn ddangos hysbysiad gyda botwm Allgofrestru, fel y gallwch allgofrestru o'r sgrin glo. Gall hefyd ddweud wrthych am rybudd cysylltiad tra bo'r ap ar gau: mae'r gweinydd wedyn yn cadw cyfeiriad lle gall gwneuthurwr eich porwr ddeffro'r ffôn hwn pan ddaw hysbysiadau newydd, ac mae'r ffôn yn eu gwirio ac yn eu cymharu â'ch dyddiadur ei hun. Dim ond bod y ffôn hwn yn cael ei ddeffro y mae'r gweinydd yn ei ddysgu; nid oes dim am eich ymweliadau nac unrhyw gyfatebiaeth yn gadael y ffôn.",
  notifyOn: "Troi hysbysiadau ymlaen",
  notifyNo: "Dim diolch",
  notifyBlocked: "Ni wnaeth y porwr ganiatáu hysbysiadau. Gallwch eu caniatáu ar gyfer y wefan hon yn ei gosodiadau.",
  notifyAt: "Yn {venue} ers {time}",
  notifyAutoOut: "Allgofrestru awtomatig am {time}. Tapiwch i agor y dyddiadur.",
  notifyAutoDone: "Wedi allgofrestru'n awtomatig am {time}",
  checkedOutAuto: "Wedi allgofrestru o {venue} yn awtomatig am {time}.",
  notifySetting: "Hysbysiadau",
  notifySettingOn: "Ymlaen: hysbysiad gyda botwm Allgofrestru tra byddwch wedi cofrestru, ac un ar gyfer pob rhybudd cysylltiad newydd, hyd yn oed tra bo'r ap ar gau.",
  notifySettingLocked: "Mae eich dyddiadur wedi'i gloi gan gyfrinymadrodd, felly tra bo'r ap ar gau ni all y ffôn gymharu hysbysiadau newydd ag ef: dim ond dweud bod hysbysiadau newydd y mae'r hysbysiad wedyn, ac mae'r ap yn eu gwirio pan fyddwch yn ei agor.",
  wakeLocked: "Hysbysiadau newydd: agorwch yr ap i wirio",
  wakeLockedBody: "Mae eich dyddiadur wedi'i gloi gan gyfrinymadrodd, felly ni allai'r ffôn hwn eu gwirio tra oedd yr ap ar gau.",
  notifyOff: "Diffodd hysbysiadau",
  elsewhereTitle: "Poster gwasanaeth arall",
  elsewhereBody: "Mae'r poster hwn yn perthyn i wasanaeth cofrestru arall, yn {host}. Dim ond hysbysiadau {authority} y mae'r ap hwn yn eu cael, felly ni fyddai ymweliad a gofnodir yma byth yn cael rhybuddion y gwasanaeth hwnnw. Ni chofnodwyd dim.",
  elsewhereOpen: "Agor ap y gwasanaeth hwnnw",
  back: "Yn ôl",
  posterExpiredOn: "Peidiodd y poster hwn â bod yn ddilys ar {date}. Gofynnwch i'r lleoliad am un newydd. Ni chofnodwyd dim.",
  posterValidFrom: "Mae'r poster hwn yn ddilys o {date} yn unig. Ni chofnodwyd dim.",
  undo: "Dadwneud",
  restored: "Mae'r ymweliad yn ôl yn eich dyddiadur.",
  contactNeedsWay: "Rhowch rif ffôn neu gyfeiriad e-bost, fel y gall olrheiniwr cysylltiadau gysylltu â chi.",
  whyStorage: "gwrthododd y porwr ei storio (efallai fod ei storfa'n llawn, neu mai ffenest breifat yw hon)",
  whySeal: "mae allwedd yr awdurdod iechyd ar gyfer yr amser hwnnw ar goll o'r ap hwn",
  shareChosen: "Dewisoch rannu eich manylion cyswllt ar gyfer yr ymweliad hwn: cânt eu selio a'u hanfon ar ôl iddo ddod i ben.",
  shareWaiting: "Manylion cyswllt wedi'u selio, yn aros i gael eu hanfon",
  shareSent: "Manylion cyswllt wedi'u hanfon",
  caseDone: "Wedi gorffen: clirio'r cod",
  queued_one: "Mae 1 cofnod cyswllt wedi'i selio yn aros i gael ei anfon, ar adeg ar hap.",
  sentNow_one: "Anfonwyd 1 cofnod cyswllt.",
  syncSkipped_one: "Doedd dim modd gwirio 1 hysbysiad, felly cafodd ei anwybyddu; bydd yn cael ei nôl eto.",
  contactBadText: "Gwiriwch yr enw, y ffôn a'r e-bost: mae angen enw, a rhaid i bob un fod yn destun plaen (enw hyd at 80 nod, ffôn 32, e-bost 100).",
  contactBadParty: "Rhaid i'r grŵp fod rhwng 1 a 50 o bobl.",
  caseChooseTitle: "Pa ymweliadau i'w rhoi",
  caseFileBody: "Mae'r ffeil yn cynnwys yr ymweliadau a diciwch: lleoliadau, cyfeiriadau ac amseroedd, wedi'u selio ar y ffôn hwn fel mai dim ond {authority} all eu darllen. Chi sy'n rhoi'r ffeil i'ch olrheiniwr cysylltiadau.",
  caseCodeBody: "Mae'r ymweliadau a diciwch (lleoliadau, cyfeiriadau ac amseroedd) yn mynd i weinydd yr ap hwn, wedi'u selio ar y ffôn hwn fel mai dim ond {authority} all eu darllen: ni all y gweinydd. Mae'n eu cadw ar gyfer eich olrheiniwr cysylltiadau am hyd at ddiwrnod, nes iddo eu nôl unwaith gyda'r cod a ddarllenwch, ac yna'n eu dileu.",
  caseSaveFile: "Cadw'r ffeil",
  caseSendCode: "Eu hanfon a dangos y cod",
  caseNone: "Ticiwch o leiaf un ymweliad.",
  caseVisitsLegend: "Ymweliadau",
  editArrivedOn: "Cyrraedd ar",
  editArrivedAt: "Cyrraedd am",
  editLeftOn: "Gadael ar",
  editLeftAt: "Gadael am",
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

/** The message `key` for `count` of something: the variant `key_CATEGORY` for the plural
 * category the language's rules give (`Intl.PluralRules`: "one", "two", "few"...) where the
 * catalogue has one, else `key` itself; `{count}` is the number. */
export function tn(key: keyof Messages, count: number, params: Record<string, string | number> = {}): string {
  // A catalogue may say "none" its own way, even where the language's rules have no zero form.
  const category = count === 0 && `${key}_zero` in current ? "zero" : new Intl.PluralRules(currentLang).select(count);
  const variant = `${key}_${category}`;
  const chosen = (variant in current ? variant : key) as keyof Messages;
  return t(chosen, { ...params, count });
}

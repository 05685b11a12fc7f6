//! The citizen's diary: scan posters into an encrypted local diary, sync notices, match them
//! on the phone, and share contact details or the diary only with consent.
//!
//! Nothing about where the user has been leaves the device unless the user says so: `scan`,
//! `out`, `diary`, `edit` and `forget` are purely local; `sync` only downloads; uploads happen
//! only for consented visits; `share-case` writes a file the user hands over.
#![forbid(unsafe_code)]

pub mod diary;
pub mod error;

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::case::CaseDiary;
use protocol::{
    BundleVerifier, CaseVisit, ContactRecord, Matcher, Poster, ScanStats, Severity, TrustAnchor,
    Visit,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use diary::{ALERTS, Diary, META, UPLOADS, VISITS};
pub use error::Error;

/// Longest automatic stay: 12 hours.
pub const MAX_AUTO_STAY_SECS: u64 = 12 * 3600;

/// How the diary key is protected.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Protection {
    /// A random key in `device.key` (mode 0600).
    DeviceKey,
    /// Argon2id over a passphrase.
    Passphrase {
        /// Salt, base64url.
        salt: String,
        /// Memory in KiB.
        m_cost: u32,
        /// Iterations.
        t_cost: u32,
        /// Parallelism.
        p_cost: u32,
    },
}

/// The diary's settings (`config.json`, not secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Always `checkin-diary/v1`.
    pub format: String,
    /// The notify server.
    pub server: String,
    /// How the key is protected.
    pub protection: Protection,
    /// A sealed constant, to tell a wrong passphrase from a damaged diary.
    pub check: String,
    /// Minimum overlap for an alert, seconds.
    pub threshold_secs: u64,
    /// Days visits and alerts are kept.
    pub retention_days: u64,
}

/// A visit as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VisitRec {
    /// The poster payload.
    pub poster: String,
    /// Arrival, Unix seconds.
    pub arrival: u64,
    /// Departure; `None` while checked in.
    pub departure: Option<u64>,
    /// Contact details are shared for this visit.
    pub share: bool,
    /// Its vault records have been queued.
    pub queued: bool,
    /// It was checked out automatically (a later `out` may correct the time).
    #[serde(default)]
    pub auto_closed: bool,
}

/// An alert as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AlertRec {
    /// The venue.
    pub venue: String,
    /// The venue's address.
    pub address: String,
    /// The visit.
    pub arrival: u64,
    /// The visit.
    pub departure: u64,
    /// Exposure window.
    pub start: u64,
    /// Exposure window.
    pub end: u64,
    /// "low" or "high".
    pub severity: String,
    /// The tracer's message.
    pub message: String,
    /// Minutes of overlap.
    pub overlap_minutes: u64,
    /// When the phone found it.
    pub found_at: u64,
}

/// The diary directory: `--diary`, else `$CHECKIN_HOME`, else the platform data directory.
pub fn diary_dir(flag: Option<PathBuf>) -> PathBuf {
    if let Some(d) = flag {
        return d;
    }
    if let Some(d) = std::env::var_os("CHECKIN_HOME") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(d).join("checkin");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/checkin"),
        None => PathBuf::from("checkin-diary"),
    }
}

const CHECK: &[u8] = b"checkin diary v1";
const ARGON_M: u32 = 64 * 1024;
const ARGON_T: u32 = 3;
const ARGON_P: u32 = 1;

fn argon(
    passphrase: &[u8],
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let params = argon2::Params::new(m, t, p, Some(32))
        .map_err(|e| Error::Invalid(format!("bad key parameters: {e}")))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    a.hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| Error::Invalid(format!("cannot derive the key: {e}")))?;
    Ok(out)
}

/// Writes a new private file atomically (mode 0600, never replacing one), with the same
/// mechanism as the tracer's key files.
fn write_private(path: &Path, data: &[u8]) -> Result<(), Error> {
    tracer::files::write_new(path, data, 0o600).map_err(|e| Error::File(e.to_string()))
}

/// `checkin init`: creates the diary, protected by a device key or a passphrase.
pub fn init(
    dir: &Path,
    server: &str,
    trust_file: &Path,
    passphrase: Option<&[u8]>,
) -> Result<TrustAnchor, Error> {
    if dir.join("config.json").exists() {
        return Err(Error::Invalid(format!(
            "{} already holds a diary; nothing was changed",
            dir.display()
        )));
    }
    let trust_text = std::fs::read_to_string(trust_file).map_err(|e| {
        Error::File(format!(
            "cannot read the trust file {}: {e}",
            trust_file.display()
        ))
    })?;
    let trust = TrustAnchor::parse(&trust_text)
        .map_err(|e| Error::Invalid(format!("{}: {e}", trust_file.display())))?;
    if !(server.starts_with("http://") || server.starts_with("https://")) {
        return Err(Error::Invalid(format!(
            "'{server}' is not a server URL: use http://HOST:PORT or https://HOST"
        )));
    }
    tracer::files::create_dir(dir)
        .map_err(|e| Error::File(format!("cannot create {}: {e}", dir.display())))?;
    let (protection, master) = match passphrase {
        Some(p) => {
            if p.len() < 8 {
                return Err(Error::Invalid(
                    "the passphrase must be at least 8 characters".into(),
                ));
            }
            let salt = diary::new_id();
            let master = argon(p, &salt, ARGON_M, ARGON_T, ARGON_P)?;
            (
                Protection::Passphrase {
                    salt: URL_SAFE_NO_PAD.encode(salt),
                    m_cost: ARGON_M,
                    t_cost: ARGON_T,
                    p_cost: ARGON_P,
                },
                master,
            )
        }
        None => {
            let mut k = Zeroizing::new([0u8; 32]);
            rand::Rng::fill_bytes(&mut rand_core::UnwrapErr(rand::rngs::SysRng), k.as_mut());
            write_private(&dir.join("device.key"), k.as_ref())?;
            (Protection::DeviceKey, k)
        }
    };
    let d = Diary::open(dir, diary::value_key(master.as_ref()))?;
    let check = URL_SAFE_NO_PAD.encode(d.seal(META, b"check", CHECK)?);
    d.flush()?;
    let config = Config {
        format: "checkin-diary/v1".into(),
        server: server.trim_end_matches('/').to_owned(),
        protection,
        check,
        threshold_secs: protocol::matching::DEFAULT_THRESHOLD_SECS,
        retention_days: 14,
    };
    write_private(&dir.join("trust.txt"), trust_text.as_bytes())?;
    let json = serde_json::to_vec_pretty(&config).map_err(|e| Error::Store(e.to_string()))?;
    // config.json last: its presence means the diary is complete.
    write_private(&dir.join("config.json"), &json)?;
    Ok(trust)
}

/// An open diary with its settings.
pub struct Session {
    /// The store.
    pub diary: Diary,
    /// Settings.
    pub config: Config,
    /// The pinned authority.
    pub trust: TrustAnchor,
    /// Where it lives.
    pub dir: PathBuf,
}

/// Whether the diary needs a passphrase.
pub fn needs_passphrase(dir: &Path) -> Result<bool, Error> {
    Ok(matches!(
        read_config(dir)?.protection,
        Protection::Passphrase { .. }
    ))
}

fn read_config(dir: &Path) -> Result<Config, Error> {
    let text = std::fs::read_to_string(dir.join("config.json"))
        .map_err(|_| Error::NotInitialised(dir.display().to_string()))?;
    serde_json::from_str(&text)
        .map_err(|_| Error::Store(format!("{} is damaged", dir.join("config.json").display())))
}

/// Unlocks the diary.
pub fn open(dir: &Path, passphrase: Option<&[u8]>) -> Result<Session, Error> {
    let config = read_config(dir)?;
    let master = match &config.protection {
        Protection::DeviceKey => {
            let b = Zeroizing::new(
                std::fs::read(dir.join("device.key"))
                    .map_err(|e| Error::File(format!("cannot read the device key: {e}")))?,
            );
            Zeroizing::new(<[u8; 32]>::try_from(b.as_slice()).map_err(|_| Error::Locked)?)
        }
        Protection::Passphrase {
            salt,
            m_cost,
            t_cost,
            p_cost,
        } => {
            let p = passphrase.ok_or_else(|| Error::Invalid("this diary is protected by a passphrase: give it on the terminal or with --passphrase-file".into()))?;
            let salt = URL_SAFE_NO_PAD
                .decode(salt)
                .map_err(|_| Error::Store("config.json is damaged".into()))?;
            argon(p, &salt, *m_cost, *t_cost, *p_cost)?
        }
    };
    let diary = Diary::open(dir, diary::value_key(master.as_ref()))?;
    let check = URL_SAFE_NO_PAD
        .decode(&config.check)
        .map_err(|_| Error::Locked)?;
    if diary.open_value(META, b"check", &check)?.as_slice() != CHECK {
        return Err(Error::Locked);
    }
    let trust_text = std::fs::read_to_string(dir.join("trust.txt"))
        .map_err(|e| Error::File(format!("cannot read the pinned trust file: {e}")))?;
    let trust = TrustAnchor::parse(&trust_text)
        .map_err(|e| Error::Store(format!("the pinned trust file is damaged: {e}")))?;
    Ok(Session {
        diary,
        config,
        trust,
        dir: dir.to_path_buf(),
    })
}

/// Short id shown to the user: the first 4 bytes of the random key, in hex.
pub fn short_id(key: &[u8]) -> String {
    key.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// What housekeeping did at the start of a command.
#[derive(Debug, Default)]
pub struct Housekeeping {
    /// Visits checked out automatically: (venue, departure).
    pub auto_out: Vec<(String, u64)>,
    /// Visits and alerts purged.
    pub purged: usize,
    /// Vault uploads sent now.
    pub uploaded: usize,
    /// Vault uploads still waiting.
    pub pending: usize,
}

impl Session {
    fn poster(rec: &VisitRec) -> Result<Poster, Error> {
        Poster::from_payload(&rec.poster)
            .map_err(|e| Error::Store(format!("a stored poster is damaged: {e}")))
    }

    /// The visits, oldest first.
    pub fn visits(&self) -> Result<Vec<(Vec<u8>, VisitRec)>, Error> {
        let mut v: Vec<(Vec<u8>, VisitRec)> = self.diary.all(VISITS)?;
        v.sort_by_key(|(_, r)| r.arrival);
        Ok(v)
    }

    fn find(&self, id: &str) -> Result<(Vec<u8>, VisitRec), Error> {
        let id = id.to_lowercase();
        let hits: Vec<_> = self
            .visits()?
            .into_iter()
            .filter(|(k, _)| short_id(k).starts_with(&id) && !id.is_empty())
            .collect();
        match hits.len() {
            1 => Ok(hits.into_iter().next().ok_or(Error::Locked)?),
            0 => Err(Error::Invalid(format!(
                "no visit has the id '{id}': see 'checkin diary'"
            ))),
            _ => Err(Error::Invalid(format!(
                "'{id}' matches several visits: give more of the id"
            ))),
        }
    }

    fn auto_departure(rec: &VisitRec) -> Result<u64, Error> {
        let stay = u64::from(Self::poster(rec)?.info().default_stay_minutes) * 60;
        Ok(rec.arrival + stay.min(MAX_AUTO_STAY_SECS))
    }

    /// Runs on every command: automatic check-out, retention purge, the upload queue.
    pub fn housekeeping(&self, now: u64, try_upload: bool) -> Result<Housekeeping, Error> {
        let mut h = Housekeeping::default();
        let cutoff = now.saturating_sub(self.config.retention_days * 86_400);
        for (k, mut rec) in self.visits()? {
            if rec.departure.is_none() {
                let auto = Self::auto_departure(&rec)?;
                if now >= auto {
                    rec.departure = Some(auto);
                    rec.auto_closed = true;
                    h.auto_out
                        .push((Self::poster(&rec)?.info().name.clone(), auto));
                    self.diary.put(VISITS, &k, &rec)?;
                }
            }
            if rec.departure.is_some_and(|d| d < cutoff) {
                self.diary.remove(VISITS, &k)?;
                h.purged += 1;
                continue;
            }
            if rec.share && !rec.queued && rec.departure.is_some() {
                self.queue_upload(&k, &mut rec)?;
            }
        }
        for (k, a) in self.diary.all::<AlertRec>(ALERTS)? {
            if a.found_at < cutoff {
                self.diary.remove(ALERTS, &k)?;
                h.purged += 1;
            }
        }
        self.diary.flush()?;
        if try_upload {
            let (sent, left) = self.send_uploads();
            h.uploaded = sent;
            h.pending = left;
        } else {
            h.pending = self.diary.all::<String>(UPLOADS)?.len();
        }
        Ok(h)
    }

    fn queue_upload(&self, key: &[u8], rec: &mut VisitRec) -> Result<(), Error> {
        let Some(contact) = self.diary.get::<ContactIn>(META, b"contact")? else {
            return Ok(());
        };
        let poster = Self::poster(rec)?;
        let c = ContactRecord {
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            party_size: contact.party_size,
            arrival: rec.arrival,
            departure: rec.departure.unwrap_or(rec.arrival),
        };
        let records = protocol::vault::seal_visit(
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
            &poster,
            &self.trust.sealing,
            &c,
        )
        .map_err(|e| Error::Invalid(e.to_string()))?;
        for r in records {
            // Keyed by visit, so a corrected visit can take back what was not sent yet.
            let mut k = key.to_vec();
            k.extend_from_slice(&diary::new_id());
            self.diary.put(UPLOADS, &k, &URL_SAFE_NO_PAD.encode(r))?;
        }
        rec.queued = true;
        self.diary.put(VISITS, key, rec)?;
        self.diary.flush()
    }

    /// Sends queued uploads; keeps any that fail for a later run. Returns (sent, still queued).
    pub fn send_uploads(&self) -> (usize, usize) {
        let Ok(queue) = self.diary.all::<String>(UPLOADS) else {
            return (0, 0);
        };
        let mut sent = 0;
        let agent = agent();
        for (k, rec) in &queue {
            let body = serde_json::json!({ "record": rec }).to_string();
            let ok = agent
                .post(format!("{}/v1/vault", self.config.server))
                .header("content-type", "application/json")
                .send(body)
                .map(|r| r.status().as_u16() == 201)
                .unwrap_or(false);
            if ok && self.diary.remove(UPLOADS, k).is_ok() {
                sent += 1;
            } else {
                break; // server down or refusing: keep the rest for later
            }
        }
        let _ = self.diary.flush();
        (sent, queue.len() - sent)
    }

    /// The open visit, if any.
    pub fn current(&self) -> Result<Option<(Vec<u8>, VisitRec)>, Error> {
        Ok(self
            .visits()?
            .into_iter()
            .find(|(_, r)| r.departure.is_none()))
    }

    /// Checks out of the open visit at `at`, or corrects the time of the last visit if it was
    /// checked out automatically; returns its venue name.
    pub fn check_out(&self, at: u64) -> Result<Option<String>, Error> {
        self.check_out_inner(at, false)
    }

    /// The open visit, or the last visit if it was closed automatically and `at` may correct
    /// it: any time after its arrival (`out`), or only a time before its automatic departure
    /// (a scan, which proves the user was elsewhere or leaving by then).
    fn correctable(
        &self,
        at: u64,
        within_only: bool,
    ) -> Result<Option<(Vec<u8>, VisitRec)>, Error> {
        if let Some(open) = self.current()? {
            return Ok(Some(open));
        }
        Ok(self.visits()?.into_iter().next_back().filter(|(_, r)| {
            r.auto_closed
                && at >= r.arrival
                && (!within_only || r.departure.is_some_and(|d| at < d))
        }))
    }

    fn check_out_inner(&self, at: u64, within_only: bool) -> Result<Option<String>, Error> {
        let Some((k, mut rec)) = self.correctable(at, within_only)? else {
            return Ok(None);
        };
        if rec.auto_closed {
            rec.auto_closed = false;
            if rec.queued {
                // Take back the uploads sealed with the automatic time, if none has gone yet.
                let pending: Vec<Vec<u8>> = self
                    .diary
                    .all::<String>(UPLOADS)?
                    .into_iter()
                    .map(|(uk, _)| uk)
                    .filter(|uk| uk.starts_with(&k))
                    .collect();
                if pending.is_empty() {
                    return Err(Error::Invalid(
                        "this visit was checked out automatically and its contact details were already shared with that time; edit it with 'checkin edit' to correct your diary".into(),
                    ));
                }
                for uk in pending {
                    self.diary.remove(UPLOADS, &uk)?;
                }
                rec.queued = false;
            }
        }
        // Nobody checks in for more than 12 hours: a check-out long after that is a forgotten one.
        rec.departure = Some(at.max(rec.arrival).min(rec.arrival + MAX_AUTO_STAY_SECS));
        if rec.share {
            self.queue_upload(&k, &mut rec)?;
        }
        self.diary.put(VISITS, &k, &rec)?;
        self.diary.flush()?;
        Ok(Some(Self::poster(&rec)?.info().name.clone()))
    }

    /// Scans a poster at `at`. Returns what happened, for the user.
    pub fn scan(&self, poster: &Poster, at: u64, share_flag: bool) -> Result<ScanOutcome, Error> {
        poster
            .check_valid_at(at)
            .map_err(|e| Error::Poster(e.to_string()))?;
        let consent: String = self
            .diary
            .get(META, b"consent")?
            .unwrap_or_else(|| "ask".into());
        let share = match consent.as_str() {
            "always" => true,
            _ => share_flag,
        };
        if share && self.diary.get::<ContactIn>(META, b"contact")?.is_none() {
            return Err(Error::Invalid(
                "to share contact details, set them first: checkin contact set --name N --phone P"
                    .into(),
            ));
        }
        if let Some((_, rec)) = self.correctable(at, true)?
            && Self::poster(&rec)?.venue_id() == poster.venue_id()
        {
            let name = self.check_out_inner(at, true)?.unwrap_or_default();
            return Ok(ScanOutcome::CheckedOut(name));
        }
        let left = self.check_out_inner(at, true)?;
        let rec = VisitRec {
            poster: poster.payload(),
            arrival: at,
            departure: None,
            share,
            queued: false,
            auto_closed: false,
        };
        let id = diary::new_id();
        self.diary.put(VISITS, &id, &rec)?;
        self.diary.flush()?;
        let stay = u64::from(poster.info().default_stay_minutes).min(MAX_AUTO_STAY_SECS / 60);
        Ok(ScanOutcome::CheckedIn {
            left,
            id: short_id(&id),
            stay_minutes: stay,
            share,
        })
    }

    /// Changes a visit's times.
    pub fn edit(&self, id: &str, arrive: u64, leave: u64) -> Result<(), Error> {
        let (k, mut rec) = self.find(id)?;
        Visit::new(Self::poster(&rec)?.venue_id(), arrive, leave)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        rec.arrival = arrive;
        rec.departure = Some(leave);
        self.diary.put(VISITS, &k, &rec)?;
        self.diary.flush()
    }

    /// Removes a visit.
    pub fn forget(&self, id: &str) -> Result<String, Error> {
        let (k, rec) = self.find(id)?;
        self.diary.remove(VISITS, &k)?;
        self.diary.flush()?;
        Ok(Self::poster(&rec)?.info().name.clone())
    }

    /// Stores contact details.
    pub fn set_contact(&self, c: ContactIn) -> Result<(), Error> {
        let probe = ContactRecord {
            name: c.name.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            party_size: c.party_size,
            arrival: 0,
            departure: 0,
        };
        probe
            .validate()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        self.diary.put(META, b"contact", &c)?;
        self.diary.flush()
    }

    /// Sets the standing consent.
    pub fn set_consent(&self, mode: &str) -> Result<(), Error> {
        self.diary.put(META, b"consent", &mode.to_owned())?;
        self.diary.flush()
    }

    /// Downloads new bundles, verifies each against the pinned root, matches locally, and stores
    /// new alerts. Returns the new alerts.
    pub fn sync(
        &self,
        server: Option<&str>,
        now: u64,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Vec<AlertRec>, Error> {
        let server = server.unwrap_or(&self.config.server).trim_end_matches('/');
        let mut cursor: u64 = self.diary.get(META, b"cursor")?.unwrap_or(0);
        let visits = self.visits()?;
        let mut diary_visits = Vec::new();
        let mut owners = Vec::new();
        for (k, rec) in &visits {
            let poster = Self::poster(rec)?;
            let dep = rec.departure.unwrap_or(now.max(rec.arrival));
            if let Ok(v) = Visit::new(poster.venue_id(), rec.arrival, dep) {
                diary_visits.push(v);
                owners.push((k.clone(), poster, rec.arrival, dep));
            }
        }
        let matcher = Matcher::new(&diary_visits, self.config.threshold_secs)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let mut verifier = BundleVerifier::new(self.trust.root);
        let agent = agent();
        let mut new_alerts = Vec::new();
        let mut seen = 0u64;
        loop {
            let url = format!("{server}/v1/bundles?after={cursor}&limit=100");
            let mut res = agent
                .get(&url)
                .call()
                .map_err(|e| Error::Unreachable(format!("{server}: {e}")))?;
            if res.status().as_u16() != 200 {
                return Err(Error::Unreachable(format!(
                    "{server} answered {}",
                    res.status()
                )));
            }
            let text = res
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
                .map_err(|e| Error::Unreachable(format!("{server}: {e}")))?;
            let page: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
                Error::Unreachable(format!(
                    "{server} sent something that is not a page of notices"
                ))
            })?;
            let bundles = page["bundles"].as_array().cloned().unwrap_or_default();
            for b in &bundles {
                let seq = b["seq"].as_u64().unwrap_or(0);
                let bytes = b["bundle"]
                    .as_str()
                    .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
                    .unwrap_or_default();
                // Never trust the server: every bundle is checked against the pinned root.
                let bundle = match verifier.verify_owned(bytes, now) {
                    Ok(bundle) => bundle,
                    Err(e) => {
                        self.diary.flush()?;
                        return Err(Error::Rejected(format!("notice {seq} from {server}: {e}")));
                    }
                };
                for a in matcher.scan(&bundle, &mut ScanStats::default()) {
                    let (vk, poster, arrival, departure) = &owners[a.visit];
                    let mut id_input = vk.clone();
                    id_input.extend_from_slice(&a.notice.start.to_be_bytes());
                    id_input.extend_from_slice(&a.notice.end.to_be_bytes());
                    id_input.extend_from_slice(a.notice.message.as_bytes());
                    let digest = blake3::hash(&id_input);
                    let id = &digest.as_bytes()[..16];
                    if self.diary.get::<AlertRec>(ALERTS, id)?.is_some() {
                        continue;
                    }
                    let rec = AlertRec {
                        venue: poster.info().name.clone(),
                        address: poster.info().address.clone(),
                        arrival: *arrival,
                        departure: *departure,
                        start: a.notice.start,
                        end: a.notice.end,
                        severity: if a.notice.severity == Severity::High {
                            "high".into()
                        } else {
                            "low".into()
                        },
                        message: a.notice.message.clone(),
                        overlap_minutes: a.overlap_secs / 60,
                        found_at: now,
                    };
                    self.diary.put(ALERTS, id, &rec)?;
                    new_alerts.push(rec);
                }
                cursor = seq.max(cursor);
                self.diary.put(META, b"cursor", &cursor)?;
                seen += 1;
            }
            progress(seen, page["next_after"].as_u64().unwrap_or(cursor));
            self.diary.flush()?;
            if bundles.is_empty() || !page["more"].as_bool().unwrap_or(false) {
                break;
            }
        }
        Ok(new_alerts)
    }

    /// The stored alerts, newest first.
    pub fn alerts(&self) -> Result<Vec<AlertRec>, Error> {
        let mut a: Vec<AlertRec> = self
            .diary
            .all::<AlertRec>(ALERTS)?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        a.sort_by_key(|a| std::cmp::Reverse(a.start));
        Ok(a)
    }

    /// Seals the diary to the authority, as a case file.
    pub fn case_file(&self, now: u64) -> Result<(usize, Vec<u8>), Error> {
        let mut visits = Vec::new();
        for (_, rec) in self.visits()? {
            let poster = Self::poster(&rec)?;
            visits.push(CaseVisit {
                poster,
                arrival: rec.arrival,
                departure: rec.departure.unwrap_or(now.max(rec.arrival)),
            });
        }
        let n = visits.len();
        let file = CaseDiary {
            created_at: now,
            visits,
        }
        .seal(
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
            &self.trust.sealing,
        )
        .map_err(|e| Error::Invalid(e.to_string()))?;
        Ok((n, file))
    }
}

/// Contact details as the user gives them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactIn {
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// People in the party.
    pub party_size: u8,
}

/// What a scan did.
#[derive(Debug)]
pub enum ScanOutcome {
    /// Checked in; `left` is the venue checked out of first, if any.
    CheckedIn {
        /// Venue left first.
        left: Option<String>,
        /// The new visit's short id.
        id: String,
        /// Expected stay.
        stay_minutes: u64,
        /// Contact details will be shared when it ends.
        share: bool,
    },
    /// Scanning the same venue again checked out.
    CheckedOut(String),
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A phone with no network must not hang a check-out: give up quickly and retry later.
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Writes a new file atomically (never replacing one).
pub fn write_new_file(path: &Path, data: &[u8]) -> Result<(), Error> {
    write_private(path, data)
}

//! The citizen's diary: scan posters into an encrypted local diary, sync notices, match them
//! on the phone, and share contact details or the diary only with consent.
//!
//! Nothing about where the user has been leaves the device unless the user says so: `scan`,
//! `out`, `diary`, `edit` and `forget` are purely local; `sync` only downloads; uploads happen
//! only for consented visits; `share-case` writes a file the user hands over.
//!
//! The modules, by concern:
//! - [`unlock`]: creating a diary and unlocking it (device key or passphrase);
//! - [`store`]: the sealed, padded diary file and its lock; [`state`]: what it holds;
//! - [`visits`]: check-in, check-out, edit, forget, and the times each accepts;
//! - [`uploads`]: the consented contact records waiting to be sent;
//! - [`sync`]: downloading notices (never holding the diary's lock) and [`alerts`]: matching
//!   them, with [`notices`], the cache that lets later visits and edits be matched too;
//! - [`case`]: the case file for a tracer; [`net`]: the server;
//! - [`verify_app`]: comparing the web app a server serves with the authority's signed release.
#![forbid(unsafe_code)]

pub mod alerts;
pub mod case;
pub mod error;
mod legacy;
pub mod net;
pub mod notices;
pub mod state;
pub mod store;
pub mod sync;
pub mod unlock;
pub mod uploads;
pub mod verify_app;
pub mod visits;

use std::path::{Path, PathBuf};

use protocol::{Poster, TrustAnchor};
use zeroize::Zeroizing;

pub use error::Error;
pub use state::{AlertRec, Consent, ContactIn, State, VisitRec};
pub use store::Access;
pub use unlock::{Config, Protection, TrustUpdate, init, needs_passphrase, update_trust};
pub use visits::{CheckOut, ScanOutcome};

/// Longest automatic stay, and longest visit a check-out may make: 12 hours (spec section 13a).
pub use protocol::client::MAX_AUTO_STAY_SECS;

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

/// A fresh random 16-byte id.
pub fn new_id() -> [u8; 16] {
    let mut id = [0u8; 16];
    rand::Rng::fill_bytes(&mut rand_core::UnwrapErr(rand::rngs::SysRng), &mut id);
    id
}

pub(crate) use common::hex;

/// Short id shown to the user: the first 8 hex digits of a visit's id.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// An open diary.
pub struct Session {
    store: store::Store,
    state: State,
    config: Config,
    trust: TrustAnchor,
    notices_key: Zeroizing<[u8; 32]>,
    /// State has changed since it was last saved.
    dirty: bool,
    /// The notice cache, once read in this command.
    cached: Option<Vec<protocol::Bundle>>,
    /// Alerts found in this command.
    new_alerts: Vec<AlertRec>,
}

/// What housekeeping did at the start of a command. It never fails the command: an item it
/// cannot handle is reported in `problems` and left as it was.
#[derive(Debug, Default)]
pub struct Housekeeping {
    /// Visits checked out automatically: (venue, departure).
    pub auto_out: Vec<(String, u64)>,
    /// Visits and alerts removed after the retention period.
    pub purged: usize,
    /// What could not be done, one line per item.
    pub problems: Vec<String>,
}

/// The venue name of a stored poster payload, or a placeholder if it no longer decodes.
pub fn venue_name(payload: &str) -> String {
    Poster::from_payload(payload)
        .map(|p| p.info().name.clone())
        .unwrap_or_else(|_| "(a poster that no longer reads)".into())
}

fn poster(rec: &VisitRec) -> Result<Poster, Error> {
    Poster::from_payload(&rec.poster)
        .map_err(|e| Error::store_because("a stored poster does not read", e))
}

impl Session {
    /// Unlocks the diary in `dir` for `access`.
    pub fn open(dir: &Path, passphrase: Option<&[u8]>, access: Access) -> Result<Session, Error> {
        let u = unlock::unlock(dir, passphrase, access)?;
        let mut state = u.state;
        // Alerts found before spec section 13 named an alert's identity were keyed otherwise:
        // key them by it, so that finding one again does not alert twice.
        let rekeyed = state.rekey_alerts(alerts::alert_id);
        Ok(Session {
            dirty: rekeyed && access == Access::Write,
            store: u.store,
            state,
            config: u.config,
            trust: u.trust,
            notices_key: u.notices_key,
            cached: None,
            new_alerts: Vec::new(),
        })
    }

    /// Opens for writing where the disk allows it, else read-only: reading a diary must work
    /// on a read-only or full disk. The second value says why it is read-only, if it is.
    pub fn open_for_reading(
        dir: &Path,
        passphrase: Option<&[u8]>,
    ) -> Result<(Session, Option<Error>), Error> {
        match Session::open(dir, passphrase, Access::Write) {
            Ok(s) => Ok((s, None)),
            Err(e @ Error::Store { .. }) => {
                Ok((Session::open(dir, passphrase, Access::Read)?, Some(e)))
            }
            Err(e) => Err(e),
        }
    }

    /// The diary's contents.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The pinned authority.
    pub fn trust(&self) -> &TrustAnchor {
        &self.trust
    }

    /// The diary's directory.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// Saves what changed (a no-op if nothing did).
    pub fn save(&mut self) -> Result<(), Error> {
        if self.dirty {
            self.store.save(&self.state)?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Whether this session may save.
    pub fn writable(&self) -> bool {
        self.store.access() == Access::Write
    }

    fn retention_secs(&self) -> u64 {
        self.config.retention_days * 86_400
    }

    /// Runs on every command: automatic check-out, the retention purge, queueing the records
    /// of consented visits that ended. Changes are saved by the command's [`Session::save`].
    pub fn housekeeping(&mut self, now: u64) -> Housekeeping {
        let mut h = Housekeeping::default();
        let cutoff = now.saturating_sub(self.retention_secs());
        let ids: Vec<String> = self.state.visits.keys().cloned().collect();
        for id in ids {
            let Some(rec) = self.state.visits.get(&id).cloned() else {
                continue;
            };
            let p = match poster(&rec) {
                Ok(p) => p,
                Err(e) => {
                    h.problems.push(format!(
                        "visit {}: {e}; it is kept as it is ('checkin forget {}' removes it)",
                        short_id(&id),
                        short_id(&id)
                    ));
                    continue;
                }
            };
            let mut rec = rec;
            if rec.departure.is_none() {
                let auto = visits::auto_departure(&p, rec.arrival);
                if now >= auto {
                    rec.departure = Some(auto);
                    rec.auto_closed = true;
                    h.auto_out.push((p.info().name.clone(), auto));
                    self.state.visits.insert(id.clone(), rec.clone());
                    self.dirty = true;
                    self.rematch_visit(&id, now, &mut h.problems);
                }
            }
            if rec.departure.is_some_and(|d| d < cutoff) {
                self.state.visits.remove(&id);
                self.dirty = true;
                h.purged += 1;
                continue;
            }
            if rec.share
                && rec.departure.is_some()
                && rec.records_sent == 0
                && self.state.queued_for(&id) == 0
                && let Err(e) = self.queue_records(&id)
            {
                h.problems.push(format!(
                    "visit {}: its contact records could not be sealed ({e}); nothing was queued",
                    short_id(&id)
                ));
            }
        }
        let before = self.state.alerts.len();
        self.state.alerts.retain(|_, a| a.found_at >= cutoff);
        if self.state.alerts.len() != before {
            h.purged += before - self.state.alerts.len();
            self.dirty = true;
        }
        // Contact details can be sealed only for hours the trust file's sealing periods
        // cover (spec section 14.2): say so a month ahead.
        let shares = self.state.contact.is_some() && self.state.consent != Consent::Never;
        let until = self.trust.sealing_until();
        if shares && until < now + 30 * 86_400 {
            h.problems.push(format!(
                "the authority's trust file lists sealing keys only until {} (UTC); after \
                 that your contact details cannot be shared. Get its current trust file and \
                 run 'checkin trust FILE'",
                protocol::trust::format_day(until / 86_400)
            ));
        }
        h
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use super::*;

    fn diary() -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::TempDir::new().unwrap();
        let auth = t.path().join("authority");
        common::authority::init(&auth, "Board").unwrap();
        let dir = t.path().join("diary");
        init(&dir, "http://127.0.0.1:9", &auth.join("trust.txt"), None).unwrap();
        (t, dir)
    }

    fn poster(stay: u16) -> Poster {
        let keys =
            protocol::VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng)).keys();
        Poster::sign(
            &keys,
            protocol::PosterInfo {
                name: "The Crown".into(),
                address: String::new(),
                category: String::new(),
                default_stay_minutes: stay,
                validity: None,
            },
        )
        .unwrap()
    }

    /// Item 9 of the audit: one visit that cannot be handled (here a poster that no longer
    /// decodes) is reported, and everything else still happens; `forget` removes it.
    #[test]
    fn housekeeping_reports_a_bad_visit_and_carries_on() {
        let (_t, dir) = diary();
        let mut s = Session::open(&dir, None, Access::Write).unwrap();
        let now = 1_800_000_000;
        s.state.visits.insert(
            "aa".repeat(16),
            VisitRec::new("AAAA".into(), now - 7200, true),
        );
        s.state.visits.insert(
            "bb".repeat(16),
            VisitRec::new(poster(30).payload(), now - 7200, false),
        );
        let h = s.housekeeping(now);
        assert_eq!(h.problems.len(), 1, "{:?}", h.problems);
        assert!(h.problems[0].contains("checkin forget aaaaaaaa"));
        assert_eq!(h.auto_out.len(), 1, "the good visit was still checked out");
        let (name, _, _) = s.forget("aaaa").unwrap();
        assert!(name.contains("no longer reads"));
        s.save().unwrap();
        drop(s);
        let s = Session::open(&dir, None, Access::Write).unwrap();
        assert_eq!(s.state().visits.len(), 1);
    }

    /// Alerts an earlier version keyed otherwise are keyed by the spec's alert id when the
    /// diary opens (so finding them again does not alert twice), and the hour records keep
    /// their stored names, so an existing diary still reads.
    #[test]
    fn old_alert_keys_and_stored_hour_names_still_read() {
        let (_t, dir) = diary();
        let mut s = Session::open(&dir, None, Access::Write).unwrap();
        let alert = AlertRec {
            visit: "aa".repeat(16),
            venue: "The Crown".into(),
            address: String::new(),
            arrival: 1000,
            departure: Some(4600),
            start: 0,
            end: 3600,
            severity: protocol::Severity::High,
            message: "Please book a test.".into(),
            overlap_minutes: 60,
            found_at: 5000,
            issuer: String::new(),
            approved_by: String::new(),
            issuer_key: String::new(),
            issuer_revoked: false,
        };
        s.state
            .alerts
            .insert("0123456789abcdef".repeat(2), alert.clone());
        s.state.held.insert(7);
        s.state.retries.insert(8, 1);
        s.dirty = true;
        s.save().unwrap();
        drop(s);
        let s = Session::open(&dir, None, Access::Write).unwrap();
        let keys: Vec<&String> = s.state().alerts.keys().collect();
        assert_eq!(keys, [&alerts::alert_id(&alert)]);
        assert!(s.state().held.contains(&7));
        let stored = serde_json::to_value(s.state()).unwrap();
        assert_eq!(stored["hours"], serde_json::json!([7]));
        assert_eq!(stored["hour_tries"], serde_json::json!({"8": 1}));
    }

    /// A diary written by version 1 (every value sealed on its own) opens, keeps its visits,
    /// contact, consent and queue, and is rewritten in the current form.
    #[test]
    fn a_version_1_diary_is_migrated() {
        use chacha20poly1305::aead::{AeadInOut, KeyInit};
        let (_t, dir) = diary();
        let master = std::fs::read(dir.join("device.key")).unwrap();
        let key = unlock::subkey(&master, b"checkin/client/v1/values");
        let seal = |tree: &str, k: &[u8], v: &serde_json::Value| -> Vec<u8> {
            let mut buf = serde_json::to_vec(v).unwrap();
            let mut aad = tree.as_bytes().to_vec();
            aad.push(0);
            aad.extend_from_slice(k);
            let nonce = [7u8; 12];
            let tag = chacha20poly1305::ChaCha20Poly1305::new((&*key).into())
                .encrypt_inout_detached(&nonce.into(), &aad, buf.as_mut_slice().into())
                .unwrap();
            [nonce.as_slice(), &buf, tag.as_slice()].concat()
        };
        let p = poster(60);
        let visit = [1u8; 16];
        let entries = [
            (
                "visits",
                visit.to_vec(),
                serde_json::json!({"poster": p.payload(), "arrival": 1000, "departure": 4600,
                    "share": true, "queued": true, "auto_closed": false}),
            ),
            (
                "uploads",
                [visit, [2u8; 16]].concat(),
                serde_json::json!("c2VhbGVk"),
            ),
            ("meta", b"consent".to_vec(), serde_json::json!("never")),
            (
                "meta",
                b"contact".to_vec(),
                serde_json::json!({"name": "Alice", "phone": "1", "email": "", "party_size": 2}),
            ),
        ];
        let mut file = b"checkin-diary v1\n".to_vec();
        file.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for (tree, k, v) in &entries {
            let sealed = seal(tree, k, v);
            file.push(tree.len() as u8);
            file.extend_from_slice(tree.as_bytes());
            file.extend_from_slice(&(k.len() as u16).to_be_bytes());
            file.extend_from_slice(k);
            file.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
            file.extend_from_slice(&sealed);
        }
        let hash = blake3::hash(&file);
        file.extend_from_slice(hash.as_bytes());
        std::fs::write(dir.join(store::FILE), &file).unwrap();
        std::fs::create_dir(dir.join("db.migrated")).unwrap();

        let s = Session::open(&dir, None, Access::Write).unwrap();
        let st = s.state();
        assert_eq!(st.consent, Consent::Never);
        assert_eq!(st.contact.as_ref().unwrap().party_size, 2);
        assert_eq!(st.visits.len(), 1);
        assert_eq!(st.uploads.len(), 1);
        assert_eq!(st.uploads[0].visit, hex(&visit));
        assert_eq!(s.contact_status(&hex(&visit)), Some("contact queued"));
        assert!(!dir.join("db.migrated").exists());
        assert!(
            std::fs::read(dir.join(store::FILE))
                .unwrap()
                .starts_with(b"checkin-diary v2\n")
        );
    }
}

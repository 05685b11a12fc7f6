//! What the diary holds, as one value: visits, alerts, queued uploads, contact details and
//! settings. It is sealed whole by [`crate::store`].

use std::collections::{BTreeMap, BTreeSet};

use protocol::Severity;
use serde::{Deserialize, Serialize};

/// When contact details are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// For every visit.
    Always,
    /// Only for visits scanned with `--share-contact`.
    #[default]
    Ask,
    /// Never; `--share-contact` is refused.
    Never,
}

impl Consent {
    /// The word the command line uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Consent::Always => "always",
            Consent::Ask => "ask",
            Consent::Never => "never",
        }
    }
}

/// Contact details as the user gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// A visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitRec {
    /// The poster payload (base64url).
    pub poster: String,
    /// Arrival, Unix seconds.
    pub arrival: u64,
    /// Departure; `None` while checked in.
    pub departure: Option<u64>,
    /// Contact details are to be shared for this visit.
    pub share: bool,
    /// How many of its sealed records the server has acknowledged.
    #[serde(default)]
    pub records_sent: u32,
    /// It was checked out automatically (a later `out` may correct the time).
    #[serde(default)]
    pub auto_closed: bool,
}

impl VisitRec {
    /// A visit that has just begun.
    pub fn new(poster: String, arrival: u64, share: bool) -> VisitRec {
        VisitRec {
            poster,
            arrival,
            departure: None,
            share,
            records_sent: 0,
            auto_closed: false,
        }
    }
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRec {
    /// The visit it is for (its id).
    pub visit: String,
    /// The venue.
    pub venue: String,
    /// The venue's address.
    pub address: String,
    /// The visit's arrival.
    pub arrival: u64,
    /// The visit's departure; `None` while the visit is still open.
    pub departure: Option<u64>,
    /// Start of the exposure window.
    pub start: u64,
    /// End of the exposure window.
    pub end: u64,
    /// How serious the exposure is.
    #[serde(with = "severity_word")]
    pub severity: Severity,
    /// The tracer's message.
    pub message: String,
    /// Minutes of overlap (up to now, while the visit is open).
    pub overlap_minutes: u64,
    /// When the phone found it.
    pub found_at: u64,
    /// Who issued the notice: the certified tracer's name (empty for alerts found by earlier
    /// versions, which did not keep it).
    #[serde(default)]
    pub issuer: String,
    /// Who approved it besides the tracer: `venue`, or `authority` (its emergency key, for a
    /// venue it could not reach); empty for alerts found by earlier versions.
    #[serde(default)]
    pub approved_by: String,
    /// The issuing tracer's public key, hex (empty for alerts found by earlier versions).
    #[serde(default)]
    pub issuer_key: String,
    /// The authority has since revoked the issuing tracer's key (spec section 10.3): the
    /// alert is kept, marked, so the user learns it may be false.
    #[serde(default)]
    pub issuer_revoked: bool,
}

/// A sealed vault record waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedUpload {
    /// The visit it belongs to (its id).
    pub visit: String,
    /// The hour it covers (epoch hour).
    pub hour: u64,
    /// The authority's layer (the inner record, spec section 14.2), base64url, sealed when
    /// the visit ended. The venue's layer is added when the record is sent, filed under the
    /// day of sending (spec section 14.5).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inner: String,
    /// The venue's sealing key (its poster's X25519 key), base64url, for the venue's layer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub venue_key: String,
    /// The venue's bucket (spec section 9).
    #[serde(default)]
    pub bucket: u16,
    /// A whole record sealed by an earlier version, filed under its hour's day, base64url:
    /// sent as it is. Empty for records queued since the venue's layer is added when sent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub record: String,
    /// Not sent before this Unix time: a random delay of up to an hour after the visit ends
    /// (spec section 14.5), so that uploads do not say when a visit ended.
    #[serde(default)]
    pub not_before: u64,
}

/// Everything in the diary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Visits by id (32 hex digits, random).
    pub visits: BTreeMap<String, VisitRec>,
    /// Alerts by id (derived from the visit and the notice, so a notice alerts once).
    pub alerts: BTreeMap<String, AlertRec>,
    /// Uploads waiting to be sent, oldest first.
    pub uploads: Vec<QueuedUpload>,
    /// The user's contact details, if given.
    pub contact: Option<ContactIn>,
    /// When to share them.
    pub consent: Consent,
    /// Closed hours (epoch hours, spec section 12.3) whose batches this diary holds: every
    /// bundle in them verified and in the notice cache, or refused for good. The diary's own
    /// record, never a number the server gave it, so that nothing a phone sends at a sync
    /// depends on what a server told it before. Hours older than the sync window are
    /// forgotten. (Stored as `hours`, its name before the web client's `held` was adopted.)
    #[serde(default, rename = "hours")]
    pub held: BTreeSet<u64>,
    /// Closed hours whose batch held a bundle that failed verification, with the syncs that
    /// fetched them: fetched again at the next syncs (a network path may have altered them),
    /// then held with the failure reported. (Stored as `hour_tries`.)
    #[serde(default, rename = "hour_tries")]
    pub retries: BTreeMap<u64, u8>,
    /// Held hours whose second look (spec section 12.3 rule 4) is still to come, with the
    /// earliest time of it. Hours held by diaries older than the rule have none.
    #[serde(default)]
    pub rechecks: BTreeMap<u64, u64>,
    /// The newest revocation list this diary has verified (base64url), if any: a server can
    /// never make it go back to an older one.
    #[serde(default)]
    pub revocations: Option<String>,
    /// When the next upload slot is due (spec section 14.5), once the first has passed.
    #[serde(default)]
    pub next_upload_at: Option<u64>,
}

impl State {
    /// The visits, oldest first.
    pub fn visits_by_arrival(&self) -> Vec<(&String, &VisitRec)> {
        let mut v: Vec<_> = self.visits.iter().collect();
        v.sort_by_key(|(id, r)| (r.arrival, *id));
        v
    }

    /// Keys every alert by `id` (spec section 13's alert identity); true if any key changed.
    /// Two alerts that now share a key are one alert: the one found first is kept.
    pub fn rekey_alerts(&mut self, id: impl Fn(&AlertRec) -> String) -> bool {
        if self.alerts.iter().all(|(k, a)| *k == id(a)) {
            return false;
        }
        let mut alerts: BTreeMap<String, AlertRec> = BTreeMap::new();
        for a in std::mem::take(&mut self.alerts).into_values() {
            let k = id(&a);
            match alerts.get(&k) {
                Some(kept) if kept.found_at <= a.found_at => {}
                _ => {
                    alerts.insert(k, a);
                }
            }
        }
        self.alerts = alerts;
        true
    }

    /// How many records of `visit` wait to be sent.
    pub fn queued_for(&self, visit: &str) -> usize {
        self.uploads.iter().filter(|u| u.visit == visit).count()
    }
}

/// A severity as its word, `low` or `high` (the JSON `checkin alerts --json` prints too).
pub mod severity_word {
    use protocol::Severity;
    use serde::{Deserialize as _, Deserializer, Serializer};

    /// The word for a severity.
    pub fn word(s: Severity) -> &'static str {
        match s {
            Severity::Low => "low",
            Severity::High => "high",
        }
    }

    /// Serialises as the word.
    pub fn serialize<S: Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(word(*s))
    }

    /// Reads the word.
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Severity, D::Error> {
        match String::deserialize(de)?.as_str() {
            "low" => Ok(Severity::Low),
            "high" => Ok(Severity::High),
            other => Err(serde::de::Error::custom(format!(
                "unknown severity {other:?}"
            ))),
        }
    }
}

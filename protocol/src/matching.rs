//! Local matching on the phone (spec section 13, "Matching").
//!
//! The diary's visits are turned into the set of `(notice_tag, venue, hour)` they cover; each
//! downloaded entry is then one hash lookup. Only when a tag is in the diary does the phone
//! try the bundle's notices under that venue's key, so the cost is O(diary hours + notice
//! entries), plus a few decryptions per matching tag.
//! An alert needs the overlap of the visit and the notice window to reach the threshold.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;

use crate::approval::{Approver, EmergencyOfficers, cert_digest};
use crate::derive::{Tag, hours_covered, notice_tag};
use crate::error::{NoticeError, VisitError};
use crate::notice::{Bundle, NoticeOpener, NoticePayload, check_approval, entry_tag};
use crate::poster::{Poster, VenueId};

/// Longest visit the protocol indexes: 14 days, the diary's default retention.
pub const MAX_VISIT_SECS: u64 = 14 * 24 * 3600;
/// Default overlap threshold: 15 minutes.
pub const DEFAULT_THRESHOLD_SECS: u64 = 15 * 60;

/// One diary entry: a venue (its id, and the key that approves its notices) and the
/// half-open interval `[arrival, departure)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    venue_id: VenueId,
    venue_key: VerifyingKey,
    arrival: u64,
    departure: u64,
}

impl Visit {
    /// A visit to the venue of `poster`; departure must not precede arrival, and it may last
    /// at most 14 days.
    pub fn new(poster: &Poster, arrival: u64, departure: u64) -> Result<Visit, VisitError> {
        if departure < arrival {
            return Err(VisitError::DepartureBeforeArrival);
        }
        if departure - arrival > MAX_VISIT_SECS {
            return Err(VisitError::TooLong);
        }
        Ok(Visit {
            venue_id: poster.venue_id(),
            venue_key: *poster.verifying_key(),
            arrival,
            departure,
        })
    }

    /// The venue.
    pub fn venue_id(&self) -> VenueId {
        self.venue_id
    }

    /// Arrival, Unix seconds.
    pub fn arrival(&self) -> u64 {
        self.arrival
    }

    /// Departure, Unix seconds (exclusive).
    pub fn departure(&self) -> u64 {
        self.departure
    }
}

/// Seconds in the intersection of `[a0, a1)` and `[b0, b1)`.
pub fn overlap_secs(a0: u64, a1: u64, b0: u64, b1: u64) -> u64 {
    a1.min(b1).saturating_sub(a0.max(b0))
}

/// A notice that concerns one of the diary's visits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Alert {
    /// Index of the visit in the slice given to [`Matcher::new`].
    pub visit: usize,
    /// The venue.
    pub venue_id: VenueId,
    /// The notice: window, severity and message.
    pub notice: NoticePayload,
    /// Seconds the visit and the window overlap.
    pub overlap_secs: u64,
    /// Who issued the notice: the tracer's name from the bundle's certificate (which the
    /// pinned authority signed).
    pub issuer: String,
    /// The issuing tracer's key, from the same certificate: what a revocation list names.
    pub issuer_key: VerifyingKey,
    /// Who approved it: the venue, or the authority for a venue it could not reach.
    pub approver: Approver,
}

struct Slot {
    venue_id: VenueId,
    venue_key: VerifyingKey,
    hour: u64,
    visits: Vec<usize>,
}

/// What a scan saw besides alerts, for the user's and the operator's information.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Entries looked at.
    pub entries: usize,
    /// Entries whose tag matched a diary hour.
    pub tag_hits: usize,
    /// Tag hits for which no notice of the bundle opened under the venue's key (a forged
    /// entry, or a tag that matched by chance).
    pub undecryptable: usize,
    /// Notices that opened under a diary venue's key but broke a payload rule (spec 11.3,
    /// checks 1 to 5): a faulty tracer tool.
    pub malformed: usize,
    /// Notices that opened at a tag hit but carried no valid approval: a notice the venue (or
    /// a threshold of the authority's emergency officers) did not approve, which never alerts.
    pub unapproved: usize,
    /// Tag hits whose overlap stayed under the threshold.
    pub below_threshold: usize,
}

/// Matches bundles against a diary.
pub struct Matcher {
    visits: Vec<Visit>,
    index: HashMap<Tag, Slot>,
    threshold_secs: u64,
    officers: EmergencyOfficers,
}

impl Matcher {
    /// Indexes the visits' hours. `threshold_secs` must be at least 1; `officers` are the
    /// trust file's emergency officers, a threshold of whom approves notices for venues the
    /// authority could not reach.
    pub fn new(
        visits: &[Visit],
        threshold_secs: u64,
        officers: EmergencyOfficers,
    ) -> Result<Matcher, VisitError> {
        if threshold_secs == 0 {
            return Err(VisitError::ZeroThreshold);
        }
        let mut index: HashMap<Tag, Slot> = HashMap::new();
        for (i, v) in visits.iter().enumerate() {
            for hour in hours_covered(v.arrival, v.departure) {
                index
                    .entry(notice_tag(&v.venue_id, hour))
                    .or_insert_with(|| Slot {
                        venue_id: v.venue_id,
                        venue_key: v.venue_key,
                        hour,
                        visits: Vec::new(),
                    })
                    .visits
                    .push(i);
            }
        }
        Ok(Matcher {
            visits: visits.to_vec(),
            index,
            threshold_secs,
            officers,
        })
    }

    /// Number of distinct (venue, hour) tags the diary covers.
    pub fn diary_hours(&self) -> usize {
        self.index.len()
    }

    /// Scans a verified bundle and returns its alerts, one per visit and notice.
    pub fn scan(&self, bundle: &Bundle, stats: &mut ScanStats) -> Vec<Alert> {
        let mut alerts: Vec<Alert> = Vec::new();
        let mut digest = None;
        for entry in bundle.entries() {
            stats.entries += 1;
            let Some(slot) = self.index.get(&entry_tag(entry)) else {
                continue;
            };
            stats.tag_hits += 1;
            let digest = *digest.get_or_insert_with(|| cert_digest(bundle.certificate()));
            // Nothing says which notice the entry belongs to: try each under this venue's key.
            let opener = NoticeOpener::new(&slot.venue_id, bundle.salt());
            let mut opened = 0;
            for (index, sealed) in bundle.notices().enumerate() {
                let notice = match opener.open(index as u16, sealed, slot.hour) {
                    Ok(n) => n,
                    Err(NoticeError::DecryptionFailed) => continue,
                    Err(NoticeError::WindowOutsideHour) => {
                        // Another window of this venue in the same bundle.
                        opened += 1;
                        continue;
                    }
                    Err(_) => {
                        opened += 1;
                        stats.malformed += 1;
                        continue;
                    }
                };
                opened += 1;
                match check_approval(
                    &notice,
                    &slot.venue_id,
                    &slot.venue_key,
                    digest,
                    &self.officers,
                ) {
                    Ok(()) => {}
                    Err(_) => {
                        stats.unapproved += 1;
                        continue;
                    }
                }
                for &i in &slot.visits {
                    let v = &self.visits[i];
                    let overlap = overlap_secs(v.arrival, v.departure, notice.start, notice.end);
                    if overlap < self.threshold_secs {
                        stats.below_threshold += 1;
                        continue;
                    }
                    // A window spanning several hours has one entry per hour; alert once.
                    let duplicate = alerts.iter().any(|a| a.visit == i && a.notice == notice);
                    if !duplicate {
                        alerts.push(Alert {
                            visit: i,
                            venue_id: slot.venue_id,
                            overlap_secs: overlap,
                            issuer: bundle.certificate().name().to_owned(),
                            issuer_key: *bundle.certificate().tracer_key(),
                            approver: notice.approval.by(),
                            notice: notice.clone(),
                        });
                    }
                }
            }
            if opened == 0 {
                stats.undecryptable += 1;
            }
        }
        alerts
    }

    /// Scans many bundles; alerts are deduplicated across them too.
    pub fn scan_all<'a>(
        &self,
        bundles: impl IntoIterator<Item = &'a Bundle>,
        stats: &mut ScanStats,
    ) -> Vec<Alert> {
        let mut out: Vec<Alert> = Vec::new();
        for b in bundles {
            for a in self.scan(b, stats) {
                if !out
                    .iter()
                    .any(|o| o.visit == a.visit && o.notice == a.notice)
                {
                    out.push(a);
                }
            }
        }
        out
    }
}

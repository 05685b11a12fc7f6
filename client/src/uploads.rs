//! Consented contact records: sealed when a shared visit ends, queued in the diary, sent one
//! by one, and always visible and cancellable before they leave.
//!
//! A visit's records follow the visit: an edit or a corrected check-out replaces the queued
//! ones, `forget` deletes them, and deleting the contact details cancels every queued record.
//! Records the server has acknowledged cannot be recalled; the user is told so.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::ContactRecord;

use crate::state::{ContactIn, QueuedUpload};
use crate::{Error, Session, net, poster, short_id};

/// A visit's queued records, for `checkin uploads`.
#[derive(Debug, Clone)]
pub struct QueuedVisit {
    /// The visit's id.
    pub visit: String,
    /// The venue, if the visit is still in the diary.
    pub venue: Option<String>,
    /// The hours the records cover.
    pub hours: Vec<u64>,
}

impl Session {
    /// Seals the records of visit `id` (one per hour it covers) and queues them.
    pub(crate) fn queue_records(&mut self, id: &str) -> Result<usize, Error> {
        let Some(contact) = self.state.contact.clone() else {
            return Ok(0);
        };
        let rec = self
            .state
            .visits
            .get(id)
            .cloned()
            .ok_or_else(|| Error::Invalid("that visit is gone".into()))?;
        let Some(departure) = rec.departure else {
            return Ok(0);
        };
        let p = poster(&rec)?;
        let c = ContactRecord {
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            party_size: contact.party_size,
            arrival: rec.arrival,
            departure,
        };
        // The authority's layer now; the venue's when each record is sent, filed under the
        // day it leaves (spec section 14.5), as a cover record sent that day is.
        let records = protocol::vault::seal_visit_inner(
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
            &p,
            &self.trust,
            &c,
        )
        .map_err(|e| Error::Invalid(e.to_string()))?;
        let n = records.len();
        let bucket = protocol::derive::vault_bucket(&p.venue_id());
        for (hour, inner) in records {
            self.state.uploads.push(QueuedUpload {
                visit: id.to_owned(),
                hour,
                inner: URL_SAFE_NO_PAD.encode(inner),
                venue_key: URL_SAFE_NO_PAD.encode(p.sealing_key().0),
                bucket,
                record: String::new(),
                not_before: departure + random_below(MAX_RECORD_DELAY_SECS),
            });
        }
        self.dirty = true;
        Ok(n)
    }

    /// Replaces visit `id`'s queued records with records for its current times, if it is
    /// shared and has ended.
    pub(crate) fn requeue(&mut self, id: &str) -> Result<(), Error> {
        let before = self.state.uploads.len();
        self.state.uploads.retain(|u| u.visit != id);
        if self.state.uploads.len() != before {
            self.dirty = true;
        }
        let shared = self
            .state
            .visits
            .get(id)
            .is_some_and(|r| r.share && r.departure.is_some());
        if shared {
            self.queue_records(id)?;
        }
        Ok(())
    }

    /// The queued records, by visit.
    pub fn queued(&self) -> Vec<QueuedVisit> {
        let mut out: Vec<QueuedVisit> = Vec::new();
        for u in &self.state.uploads {
            match out.iter_mut().find(|q| q.visit == u.visit) {
                Some(q) => q.hours.push(u.hour),
                None => out.push(QueuedVisit {
                    visit: u.visit.clone(),
                    venue: self
                        .state
                        .visits
                        .get(&u.visit)
                        .map(|v| crate::venue_name(&v.poster)),
                    hours: vec![u.hour],
                }),
            }
        }
        out
    }

    /// Cancels the queued records of the visit whose id starts with `prefix`, or of every
    /// visit; the visits are no longer shared. Returns how many records were cancelled.
    pub fn cancel_uploads(&mut self, prefix: Option<&str>) -> Result<usize, Error> {
        let ids: Vec<String> = match prefix {
            Some(p) => {
                let p = p.to_lowercase();
                let mut ids: Vec<String> = self
                    .state
                    .uploads
                    .iter()
                    .map(|u| u.visit.clone())
                    .filter(|v| !p.is_empty() && v.starts_with(&p))
                    .collect();
                ids.dedup();
                match ids.len() {
                    1 => ids,
                    0 => {
                        return Err(Error::Invalid(format!(
                            "no queued upload belongs to a visit with the id '{p}': see \
                             'checkin uploads'"
                        )));
                    }
                    _ => {
                        return Err(Error::Invalid(format!(
                            "'{p}' matches several visits: give more of the id"
                        )));
                    }
                }
            }
            None => self.state.uploads.iter().map(|u| u.visit.clone()).collect(),
        };
        let before = self.state.uploads.len();
        self.state.uploads.retain(|u| !ids.contains(&u.visit));
        for id in &ids {
            if let Some(v) = self.state.visits.get_mut(id) {
                v.share = false;
            }
        }
        self.dirty = true;
        Ok(before - self.state.uploads.len())
    }

    /// Stores contact details.
    pub fn set_contact(&mut self, c: ContactIn) -> Result<(), Error> {
        ContactRecord {
            name: c.name.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            party_size: c.party_size,
            arrival: 0,
            departure: 0,
        }
        .validate()
        .map_err(|e| Error::Invalid(e.to_string()))?;
        self.state.contact = Some(c);
        self.dirty = true;
        Ok(())
    }

    /// Deletes the contact details and cancels every queued record (they carry them).
    /// Returns how many records were cancelled.
    pub fn delete_contact(&mut self) -> Result<usize, Error> {
        let cancelled = if self.state.uploads.is_empty() {
            0
        } else {
            self.cancel_uploads(None)?
        };
        for v in self.state.visits.values_mut() {
            if v.departure.is_none() || v.records_sent == 0 {
                v.share = false;
            }
        }
        self.state.contact = None;
        self.dirty = true;
        Ok(cancelled)
    }

    /// Sends the queued records, each in its own request on its own connection and in random
    /// order (so neither a connection nor the order ties one visit's records together), without
    /// holding the diary's lock while the network is used; then records what was sent. Returns
    /// (sent, still queued). A failure leaves the rest queued for the next try.
    pub fn send_uploads(
        &mut self,
        server: &net::Server,
        now: u64,
    ) -> Result<(usize, usize), Error> {
        if self.state.uploads.is_empty() {
            return Ok((0, 0));
        }
        let slots = self
            .state
            .uploads
            .iter()
            .map(|u| Ok(Slot::Contact(u.clone(), wire_record(u, now / 86_400)?)))
            .collect::<Result<_, Error>>()?;
        let sent = self.send_each(server, slots)?;
        Ok((sent.contact, self.state.uploads.len()))
    }

    /// Sends `slots` in random order, each in its own request on its own connection, without
    /// holding the diary's lock while the network is used, and stops at the first failure
    /// (the rest stay queued); then takes the sent contact records off the queue.
    fn send_each(&mut self, server: &net::Server, mut slots: Vec<Slot>) -> Result<Sent, Error> {
        shuffle(&mut slots);
        self.save()?;
        self.store.release();
        let mut contact = Vec::new();
        let mut out = Sent::default();
        for slot in slots {
            if !server.upload(slot.record()) {
                out.failed = true;
                break; // server down or refusing: keep the rest for later
            }
            match slot {
                Slot::Contact(u, _) => contact.push(u),
                Slot::Cover(_) => out.cover += 1,
            }
        }
        self.state = self.store.relock()?;
        out.contact = contact.len();
        self.mark_sent(&contact);
        Ok(out)
    }

    /// Runs the upload slots that are due at `now` (spec section 14.5): each sends exactly one
    /// record on a connection of its own, the oldest queued contact record whose delay has
    /// passed or else a cover record, so that how many uploads leave, and when, says nothing
    /// about visits or consent. Slots come at random, on average one an hour; a run catches up
    /// on at most [`MAX_SLOTS_PER_RUN`]. Nothing is sent next to a sync: this is its own step.
    pub fn run_upload_slots(
        &mut self,
        server: &net::Server,
        now: u64,
    ) -> Result<SlotReport, Error> {
        let mut due = 0;
        let mut next = self.state.next_upload_at.unwrap_or(now);
        while next <= now && due < MAX_SLOTS_PER_RUN {
            due += 1;
            next += upload_gap();
        }
        if next <= now {
            next = now + upload_gap();
        }
        let mut ready: Vec<QueuedUpload> = self
            .state
            .uploads
            .iter()
            .filter(|u| u.not_before <= now)
            .cloned()
            .collect();
        ready.sort_by_key(|u| u.not_before);
        ready.truncate(due);
        // Every run with a slot due asks for the venues per bucket, on a connection of its
        // own, whatever its slots carry; without an answer, covers take any bucket.
        let venues_per_bucket = if due > 0 {
            server.vault_buckets().unwrap_or_default()
        } else {
            Vec::new()
        };
        let day = now / 86_400;
        let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
        let covers = (ready.len()..due).map(|_| {
            Slot::Cover(URL_SAFE_NO_PAD.encode(protocol::vault::cover_record(
                &mut rng,
                day,
                &venues_per_bucket,
            )))
        });
        // Which slot carries a contact record is random too (send_each shuffles).
        let slots = ready
            .into_iter()
            .map(|u| {
                let record = wire_record(&u, day)?;
                Ok(Slot::Contact(u, record))
            })
            .collect::<Result<Vec<_>, Error>>()?
            .into_iter()
            .chain(covers)
            .collect();
        let sent = self.send_each(server, slots)?;
        // After a failure the slots run again next time.
        if !sent.failed {
            self.state.next_upload_at = Some(next);
            self.dirty = true;
        }
        Ok(SlotReport {
            contact: sent.contact,
            cover: sent.cover,
            waiting: self.state.uploads.len(),
            next_slot: self.state.next_upload_at.unwrap_or(now),
            failed: sent.failed,
        })
    }

    /// Removes acknowledged records from the queue and counts them on their visits.
    pub(crate) fn mark_sent(&mut self, sent: &[QueuedUpload]) {
        for u in sent {
            if let Some(i) = self.state.uploads.iter().position(|q| q == u) {
                self.state.uploads.remove(i);
                self.dirty = true;
            }
            if let Some(v) = self.state.visits.get_mut(&u.visit) {
                v.records_sent += 1;
                self.dirty = true;
            }
        }
    }

    /// How a visit's contact details stand, in words: `None` if not shared.
    pub fn contact_status(&self, id: &str) -> Option<&'static str> {
        let v = self.state.visits.get(id)?;
        if self.state.queued_for(id) > 0 {
            Some("contact queued")
        } else if v.records_sent > 0 {
            Some("contact shared")
        } else if v.share {
            Some("contact to be shared")
        } else {
            None
        }
    }
}

/// Mean time between upload slots (spec section 14.5).
pub const UPLOAD_MEAN_GAP_SECS: u64 = 3600;
/// Most upload slots one run sends, however long the diary was not run.
pub const MAX_SLOTS_PER_RUN: usize = 4;
/// Longest random delay before a contact record may be sent, after its visit ends.
pub const MAX_RECORD_DELAY_SECS: u64 = 3600;

/// What [`Session::run_upload_slots`] did.
#[derive(Debug, Clone, Default)]
pub struct SlotReport {
    /// Contact records sent.
    pub contact: usize,
    /// Cover records sent.
    pub cover: usize,
    /// Contact records still queued.
    pub waiting: usize,
    /// When the next slot is due, Unix time.
    pub next_slot: u64,
    /// The server could not be reached or refused: the slots run again next time.
    pub failed: bool,
}

/// What one upload carries: a queued contact record with the record it sends, or a cover
/// record (base64url).
enum Slot {
    Contact(QueuedUpload, String),
    Cover(String),
}

impl Slot {
    fn record(&self) -> &str {
        match self {
            Slot::Contact(_, r) | Slot::Cover(r) => r,
        }
    }
}

/// The record a queued upload sends on UTC day `day` (base64url): its authority's layer with
/// the venue's layer added now, filed under `bucket_tag(bucket, day)` (spec section 14.5); a
/// record an earlier version sealed whole goes as it is.
fn wire_record(u: &QueuedUpload, day: u64) -> Result<String, Error> {
    if u.inner.is_empty() {
        return Ok(u.record.clone());
    }
    let damaged = || Error::Invalid("a queued contact record is damaged in the diary".into());
    let inner: protocol::vault::InnerRecord = URL_SAFE_NO_PAD
        .decode(&u.inner)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(damaged)?;
    let key: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&u.venue_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(damaged)?;
    let record = protocol::vault::seal_outer(
        &mut rand_core::UnwrapErr(rand::rngs::SysRng),
        &protocol::SealingPublicKey(key),
        u.bucket,
        day,
        &inner,
    )
    .map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(record))
}

/// What [`Session::send_each`] sent.
#[derive(Default)]
struct Sent {
    contact: usize,
    cover: usize,
    failed: bool,
}

/// A uniform random number below `n` (n > 0).
fn random_below(n: u64) -> u64 {
    use rand::RngExt as _;
    rand_core::UnwrapErr(rand::rngs::SysRng).random_range(0..n)
}

/// An exponentially distributed gap with mean [`UPLOAD_MEAN_GAP_SECS`], so that slots form a
/// Poisson process; at least a minute and at most six means.
fn upload_gap() -> u64 {
    // u in (0, 1]: 53 random bits.
    let u = (random_below(1 << 53) + 1) as f64 / (1u64 << 53) as f64;
    let gap = -(UPLOAD_MEAN_GAP_SECS as f64) * u.ln();
    (gap as u64).clamp(60, 6 * UPLOAD_MEAN_GAP_SECS)
}

/// Shuffles `items` uniformly (Fisher–Yates, with the system's random numbers).
fn shuffle<T>(items: &mut [T]) {
    use rand::RngExt as _;
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}

/// The id shown for a queued visit.
pub fn shown(id: &str) -> &str {
    short_id(id)
}

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
        let records = protocol::vault::seal_visit(
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
            &p,
            &self.trust,
            &c,
        )
        .map_err(|e| Error::Invalid(e.to_string()))?;
        let hours = protocol::derive::hours_covered(rec.arrival, departure);
        let n = records.len();
        for (r, hour) in records.into_iter().zip(hours) {
            self.state.uploads.push(QueuedUpload {
                visit: id.to_owned(),
                hour,
                record: URL_SAFE_NO_PAD.encode(r),
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
    pub fn send_uploads(&mut self, server: &net::Server) -> Result<(usize, usize), Error> {
        if self.state.uploads.is_empty() {
            return Ok((0, 0));
        }
        self.save()?;
        let mut queue = self.state.uploads.clone();
        shuffle(&mut queue);
        self.store.release();
        let mut sent: Vec<QueuedUpload> = Vec::new();
        for u in queue {
            if !server.upload(&u.record) {
                break; // server down or refusing: keep the rest for later
            }
            sent.push(u);
        }
        self.state = self.store.relock()?;
        self.mark_sent(&sent);
        Ok((sent.len(), self.state.uploads.len()))
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

//! Visits: check-in, check-out, edit and forget, and the times each accepts.
//!
//! Every time a user gives is checked against what can be true: a check-in between the start
//! of the retention period and now, a check-out between the arrival and the earlier of now and
//! twelve hours after it. A time outside is refused with the range that is allowed; nothing is
//! stored that differs from what is reported.

use protocol::{Poster, Visit};

use crate::error::PosterRefusal;
use crate::state::{Consent, VisitRec};
use crate::{Error, MAX_AUTO_STAY_SECS, Session, poster};

/// How far past the device's clock a given time may lie (typing takes a moment).
pub const CLOCK_SLACK_SECS: u64 = 300;

/// What a scan did.
#[derive(Debug)]
pub enum ScanOutcome {
    /// Checked in; `left` is the venue checked out of first, if any.
    CheckedIn {
        /// Venue left first.
        left: Option<String>,
        /// The new visit's id.
        id: String,
        /// Expected stay.
        stay_minutes: u64,
        /// Contact details will be shared when it ends.
        share: bool,
    },
    /// The user was already checked in there at that time: nothing changed.
    AlreadyHere {
        /// The venue.
        venue: String,
        /// The visit's id.
        id: String,
        /// Since when.
        since: u64,
        /// When the visit ends by itself (its automatic check-out), or ended.
        ends: u64,
        /// The visit has already ended (its automatic check-out has passed): `checkin out`
        /// without a time would change nothing.
        ended: bool,
    },
}

/// What `checkin out` did.
#[derive(Debug)]
pub enum CheckOut {
    /// The visit to `venue` now ends at `at`.
    Done {
        /// The venue.
        venue: String,
        /// The departure stored.
        at: u64,
    },
    /// No time was given and the last visit had already ended at its automatic check-out:
    /// nothing changed. A check-out at "now" never reopens a visit that has ended; a stated
    /// time, or `edit`, changes it.
    AlreadyEnded {
        /// The venue.
        venue: String,
        /// The visit's id.
        id: String,
        /// Its arrival.
        arrival: u64,
        /// When it ended.
        departure: u64,
    },
    /// No visit is open, and none ended automatically: nothing changed.
    NotCheckedIn,
}

/// When a visit that began at `arrival` is checked out automatically.
pub(crate) fn auto_departure(poster: &Poster, arrival: u64) -> u64 {
    protocol::client::auto_departure(arrival, poster.info().default_stay_minutes)
}

/// A time in words for error messages (UTC, RFC 3339): the command line shows local times,
/// but the library does not know the user's zone.
pub(crate) fn at(t: u64) -> String {
    jiff::Timestamp::from_second(t as i64)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| t.to_string())
}

impl Session {
    /// The open visit (departure unknown), if any.
    pub fn current(&self) -> Option<(String, VisitRec)> {
        self.state
            .visits
            .iter()
            .find(|(_, r)| r.departure.is_none())
            .map(|(k, r)| (k.clone(), r.clone()))
    }

    /// The open visit, or the last one if it was checked out automatically and `at` falls
    /// before that automatic time (the user may still be there).
    fn still_here(&self, at: u64) -> Option<(String, VisitRec)> {
        if let Some(open) = self.current() {
            return Some(open);
        }
        let (id, last) = self.state.visits_by_arrival().into_iter().next_back()?;
        (last.auto_closed && at >= last.arrival && last.departure.is_some_and(|d| at < d))
            .then(|| (id.clone(), last.clone()))
    }

    fn check_checkin_time(&self, at: u64, now: u64) -> Result<(), Error> {
        let earliest = now.saturating_sub(self.retention_secs());
        let latest = now + CLOCK_SLACK_SECS;
        if at < earliest || at > latest {
            return Err(Error::Invalid(format!(
                "a check-in time must lie between {} (the diary keeps {} days) and now, {}; \
                 {} is outside that: nothing was changed",
                self::at(earliest),
                self.config.retention_days,
                self::at(now),
                self::at(at)
            )));
        }
        Ok(())
    }

    /// Scans a poster at `at` (the device's clock says `now`).
    pub fn scan(
        &mut self,
        poster: &Poster,
        at: u64,
        share_flag: bool,
        now: u64,
    ) -> Result<ScanOutcome, Error> {
        self.check_checkin_time(at, now)?;
        // Spec section 7.3: the poster must be valid now, and a back-dated check-in must also
        // lie within its validity, so that --at neither revives an expired poster nor dates a
        // visit before its poster was valid.
        for when in [now, at] {
            poster.check_valid_at(when).map_err(|e| {
                Error::Poster(match e {
                    protocol::PosterError::NotYetValid { from } => {
                        PosterRefusal::NotYetValid { from, at: when }
                    }
                    protocol::PosterError::Expired { until } => PosterRefusal::Expired { until },
                    other => PosterRefusal::Invalid(other),
                })
            })?;
        }
        let share = match (self.state.consent, share_flag) {
            (Consent::Never, true) => {
                return Err(Error::Invalid(
                    "your contact sharing is set to 'never', so --share-contact was refused and \
                     you were not checked in. To share for this visit, first run \
                     'checkin contact consent ask' (or 'always'), then scan again"
                        .into(),
                ));
            }
            (Consent::Always, _) => true,
            (_, flag) => flag,
        };
        if share && self.state.contact.is_none() {
            return Err(Error::Invalid(
                "to share contact details, set them first: checkin contact set --name N --phone P"
                    .into(),
            ));
        }
        let left = match self.still_here(at) {
            Some((id, rec)) if poster::same_venue(&rec, poster) => {
                let ends = rec
                    .departure
                    .unwrap_or_else(|| auto_departure(poster, rec.arrival));
                return Ok(ScanOutcome::AlreadyHere {
                    venue: poster.info().name.clone(),
                    id,
                    since: rec.arrival,
                    ends,
                    ended: rec.departure.is_some() || now >= ends,
                });
            }
            Some((_, rec)) if at < rec.arrival => {
                return Err(Error::Invalid(format!(
                    "you are checked in at {} since {}; a check-in before that would overlap \
                     it. Check out first ('checkin out'), then add the earlier visit: nothing \
                     was changed",
                    crate::venue_name(&rec.poster),
                    self::at(rec.arrival)
                )));
            }
            Some((open, rec)) => {
                // The visit ends now, or at its automatic check-out if that came first:
                // nobody checked out, so the automatic rule applies.
                let auto = Poster::from_payload(&rec.poster)
                    .map(|p| auto_departure(&p, rec.arrival))
                    .unwrap_or(rec.arrival + MAX_AUTO_STAY_SECS);
                Some(self.close(&open, at.min(auto), now)?)
            }
            None => None,
        };
        let id = crate::hex(&crate::new_id());
        self.state
            .visits
            .insert(id.clone(), VisitRec::new(poster.payload(), at, share));
        self.dirty = true;
        let mut problems = Vec::new();
        self.rematch_visit(&id, now, &mut problems);
        let stay = u64::from(poster.info().default_stay_minutes).min(MAX_AUTO_STAY_SECS / 60);
        Ok(ScanOutcome::CheckedIn {
            left,
            id,
            stay_minutes: stay,
            share,
        })
    }

    /// Checks out of the open visit at `at`, or corrects an automatic check-out to the time
    /// the user gives. With `explicit` false (no time given: now), the visit ends now.
    ///
    /// A visit whose automatic check-out has passed has ended, and a check-out without a time
    /// never reopens it: "now" would make it last until now, through hours the user was not
    /// there (a visit at 15:00 checked out automatically at 16:30 would become 15:00–03:00).
    /// It then changes nothing, and the caller says when the visit ended; a stated time
    /// (`explicit`) or [`Session::edit`] changes it.
    pub fn check_out(&mut self, at: u64, explicit: bool, now: u64) -> Result<CheckOut, Error> {
        let target = self.still_here(at).or_else(|| {
            // An automatic check-out may be corrected to a stated time after the arrival.
            let (id, last) = self.state.visits_by_arrival().into_iter().next_back()?;
            last.auto_closed.then(|| (id.clone(), last.clone()))
        });
        let Some((id, rec)) = target else {
            return Ok(CheckOut::NotCheckedIn);
        };
        let latest = (now + CLOCK_SLACK_SECS).min(rec.arrival + MAX_AUTO_STAY_SECS);
        let at = if explicit {
            if at < rec.arrival || at > latest {
                return Err(Error::Invalid(format!(
                    "a check-out from {} must lie between its arrival, {}, and {}; {} is \
                     outside that: nothing was changed",
                    crate::venue_name(&rec.poster),
                    self::at(rec.arrival),
                    self::at(latest),
                    self::at(at)
                )));
            }
            at
        } else {
            // When the visit ends by itself: its stored automatic check-out, or for a visit
            // still open (housekeeping runs after this command), the one it would make.
            let ends = rec.departure.unwrap_or_else(|| {
                Poster::from_payload(&rec.poster)
                    .map(|p| auto_departure(&p, rec.arrival))
                    .unwrap_or(rec.arrival + MAX_AUTO_STAY_SECS)
            });
            if now >= ends {
                if rec.departure.is_none() {
                    self.end_automatically(&id, ends, now)?;
                }
                return Ok(CheckOut::AlreadyEnded {
                    venue: crate::venue_name(&rec.poster),
                    id,
                    arrival: rec.arrival,
                    departure: ends,
                });
            }
            at.clamp(rec.arrival, latest)
        };
        let venue = self.close(&id, at, now)?;
        Ok(CheckOut::Done { venue, at })
    }

    /// Ends open visit `id` at its automatic check-out `at`, as housekeeping does.
    fn end_automatically(&mut self, id: &str, at: u64, now: u64) -> Result<(), Error> {
        let rec = self
            .state
            .visits
            .get_mut(id)
            .ok_or_else(|| Error::Invalid("that visit is gone".into()))?;
        rec.departure = Some(at.max(rec.arrival));
        rec.auto_closed = true;
        self.dirty = true;
        let mut problems = Vec::new();
        self.rematch_visit(id, now, &mut problems);
        Ok(())
    }

    /// Closes visit `id` at `at`, re-queues its records and matches it again; returns its
    /// venue.
    fn close(&mut self, id: &str, at: u64, now: u64) -> Result<String, Error> {
        let rec = self
            .state
            .visits
            .get_mut(id)
            .ok_or_else(|| Error::Invalid("that visit is gone".into()))?;
        rec.departure = Some(at.max(rec.arrival));
        rec.auto_closed = false;
        let name = crate::venue_name(&rec.poster);
        self.dirty = true;
        // A check-out always succeeds: records that cannot be sealed now (the trust file has
        // no sealing key for an hour of the visit) are retried, and reported, each time the
        // diary opens.
        let _ = self.requeue(id);
        let mut problems = Vec::new();
        self.rematch_visit(id, now, &mut problems);
        Ok(name)
    }

    /// Changes a visit's times; its queued records and its alerts follow.
    pub fn edit(
        &mut self,
        id: &str,
        arrive: u64,
        leave: u64,
        now: u64,
    ) -> Result<EditOutcome, Error> {
        let id = self.find(id)?;
        let rec = self.state.visits.get(&id).cloned().ok_or(Error::Locked)?;
        let earliest = now.saturating_sub(self.retention_secs());
        let latest = now + CLOCK_SLACK_SECS;
        if leave < arrive {
            return Err(Error::Invalid(format!(
                "the visit ends before it begins ({} – {}): nothing was changed",
                self::at(arrive),
                self::at(leave)
            )));
        }
        if arrive < earliest || leave > latest {
            return Err(Error::Invalid(format!(
                "a visit must lie between {} (the diary keeps {} days) and now, {}; {} – {} \
                 does not: nothing was changed",
                self::at(earliest),
                self.config.retention_days,
                self::at(now),
                self::at(arrive),
                self::at(leave)
            )));
        }
        if let Ok(p) = poster(&rec) {
            Visit::new(&p, arrive, leave).map_err(|e| Error::Invalid(e.to_string()))?;
        }
        if let Some(r) = self.state.visits.get_mut(&id) {
            r.arrival = arrive;
            r.departure = Some(leave);
            r.auto_closed = false;
        }
        self.dirty = true;
        let already_sent = rec.share && rec.records_sent > 0;
        // As at check-out: records that cannot be sealed now are retried when the diary opens.
        let _ = self.requeue(&id);
        let mut problems = Vec::new();
        self.rematch_visit(&id, now, &mut problems);
        Ok(EditOutcome {
            already_sent,
            queued: self.state.queued_for(&id),
        })
    }

    /// Removes a visit and everything derived from it: its queued records and its alerts.
    /// Works whatever state the visit is in. Returns the venue, and how many queued records
    /// and alerts went with it.
    pub fn forget(&mut self, id: &str) -> Result<(String, usize, usize), Error> {
        let id = self.find(id)?;
        let rec = self.state.visits.remove(&id).ok_or(Error::Locked)?;
        let before = (self.state.uploads.len(), self.state.alerts.len());
        self.state.uploads.retain(|u| u.visit != id);
        self.state.alerts.retain(|_, a| a.visit != id);
        self.dirty = true;
        Ok((
            crate::venue_name(&rec.poster),
            before.0 - self.state.uploads.len(),
            before.1 - self.state.alerts.len(),
        ))
    }

    /// The full id of the visit whose id starts with `prefix`.
    pub fn find(&self, prefix: &str) -> Result<String, Error> {
        let prefix = prefix.to_lowercase();
        let hits: Vec<&String> = self
            .state
            .visits
            .keys()
            .filter(|k| !prefix.is_empty() && k.starts_with(&prefix))
            .collect();
        match hits.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::Invalid(format!(
                "no visit has the id '{prefix}': see 'checkin diary'"
            ))),
            _ => Err(Error::Invalid(format!(
                "'{prefix}' matches several visits: give more of the id"
            ))),
        }
    }

    /// Sets the standing consent.
    pub fn set_consent(&mut self, consent: Consent) {
        self.state.consent = consent;
        self.dirty = true;
    }
}

/// What an edit did to the visit's contact records.
#[derive(Debug, Clone, Copy)]
pub struct EditOutcome {
    /// Records with the old times had already been sent; they cannot be recalled.
    pub already_sent: bool,
    /// Records now queued with the new times.
    pub queued: usize,
}

/// Helpers on stored posters.
mod poster {
    use protocol::Poster;

    use crate::state::VisitRec;

    /// Whether a stored visit was at `poster`'s venue.
    pub fn same_venue(rec: &VisitRec, poster: &Poster) -> bool {
        Poster::from_payload(&rec.poster).is_ok_and(|p| p.venue_id() == poster.venue_id())
    }
}

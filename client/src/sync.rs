//! Sync: send queued records, download the notice bundles of the hours this diary does not
//! hold yet, verify each against the pinned root, match them on the device, and keep them for
//! later matching.
//!
//! The phone asks for the files of closed days it lacks (`/v1/days/{day}`) and for hour
//! batches (`/v1/batches/{hour}`, spec section 12.3), identical for every phone and immutable
//! once closed, so a CDN can answer them; it remembers which closed hours it holds. A day file
//! is split into its hours, and each is taken exactly as if it had been fetched alone. Nothing it sends depends on what a server told it before, so
//! a server cannot hand a device a number that marks its later syncs. Which hours it fetches,
//! when an answer closes an hour (the answer's `Date` and the phone's clock together) and when
//! a held hour is looked at once more are `protocol::client`'s rules, shared with the web
//! client and checked by `spec/vectors/client.json`.
//!
//! The diary's lock is never held while the network is used: the session saves, lets go of the
//! lock, talks to the server, then takes the lock again and merges what it got into the
//! diary as another command may have left it. A check-in at the door never waits for a slow
//! server.
//!
//! A bundle that fails verification is skipped, counted and reported; the bundles after it
//! are still read (spec section 12.2), and its hour is fetched again at the next syncs. A
//! server that sends more than a sync's worth of bytes is stopped, with what was read kept.

use std::collections::BTreeMap;

use protocol::batch::{decode_batch, decode_day};
use protocol::client::{Answer, Fetch, HourState, after_answer, day_hours_due, sync_plan};
use protocol::{Bundle, BundleVerifier};

use crate::{Error, Session, net};

/// Most bytes of batches one sync reads.
pub const MAX_SYNC_BYTES: u64 = 512 << 20;

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Bundles downloaded that verified.
    pub bundles: usize,
    /// Bundles (or batches) that failed verification and were skipped: `hour …: why`.
    pub skipped: Vec<String>,
    /// Why the sync stopped before the server said it had no more, if it did.
    pub stopped: Option<String>,
    /// Notice entries for this diary's visits that no venue (nor the authority's emergency
    /// key) approved: a certified tracer acting alone. They never alert.
    pub unapproved: usize,
    /// Bundles refused because the authority revoked their tracer's key.
    pub revoked_bundles: usize,
    /// A newer revocation list taken in this sync: (keys it names, alerts it marked).
    pub new_revocations: Option<(usize, usize)>,
    /// A revocation list the server offered and this diary refused, and why.
    pub revocation_refused: Option<String>,
}

/// A uniformly random number, to place an hour's second look.
fn random_u64() -> u64 {
    rand::Rng::next_u64(&mut rand_core::UnwrapErr(rand::rngs::SysRng))
}

impl Session {
    /// What the diary knows of `hour` (spec section 12.3).
    fn hour_state(&self, hour: u64) -> HourState {
        if self.state.held.contains(&hour) {
            HourState::Held {
                recheck_at: self.state.rechecks.get(&hour).copied(),
            }
        } else {
            HourState::Wanted {
                tries: self.state.retries.get(&hour).copied().unwrap_or(0),
            }
        }
    }

    /// Records what `hour` became. Another command may have changed the diary meanwhile (an
    /// edit forgets held hours so they are fetched again): a sync only moves an hour forward.
    fn set_hour_state(&mut self, hour: u64, state: HourState) {
        match state {
            HourState::Wanted { tries } => {
                if !self.state.held.contains(&hour) {
                    self.state.retries.insert(hour, tries);
                }
            }
            HourState::Held { recheck_at } => {
                self.state.held.insert(hour);
                self.state.retries.remove(&hour);
                match recheck_at {
                    Some(at) => self.state.rechecks.insert(hour, at),
                    None => self.state.rechecks.remove(&hour),
                };
            }
        }
    }

    /// Syncs with the configured server, or `server` if given.
    pub fn sync(
        &mut self,
        server: Option<&str>,
        now: u64,
        progress: &dyn Fn(usize),
    ) -> Result<SyncReport, Error> {
        let base = net::server_url(server.unwrap_or(&self.config.server))?;
        let mut conn = net::Server::new(&base);
        let mut report = SyncReport::default();
        // Contact records never leave with a sync (spec section 14.5): they have their own
        // upload slots ('checkin uploads send').

        // Download without the lock.
        self.save()?;
        let held = self.held_revocations();
        let before: BTreeMap<u64, HourState> = self
            .sync_hours(now)
            .map(|h| (h, self.hour_state(h)))
            .collect();
        let state_of = |h: u64| {
            before
                .get(&h)
                .copied()
                .unwrap_or(HourState::Wanted { tries: 0 })
        };
        let mut plan = sync_plan(now, state_of);
        self.store.release();
        // The revocation list first, so that no bundle of a revoked tracer is taken.
        let mut newer_list = None;
        match conn.revocations() {
            Ok(None) => {}
            Ok(Some(bytes)) => {
                let checked = protocol::RevocationList::verify(&self.trust.root, &bytes, now)
                    .and_then(|l| l.replaces(held.as_ref()).map(|r| (l, r)));
                match checked {
                    Ok((list, protocol::revocation::Replacement::Newer)) => newer_list = Some(list),
                    Ok((_, protocol::revocation::Replacement::Same)) => {}
                    Err(e) => {
                        report.revocation_refused = Some(format!("{e} ({})", e.code()));
                    }
                }
            }
            Err(e) => {
                self.state = self.store.relock()?;
                return Err(e);
            }
        }
        let mut verifier = BundleVerifier::new(self.trust.root);
        if let Some(list) = newer_list.clone().or(held) {
            verifier.set_revocations(list);
        }
        let mut fresh: Vec<Bundle> = Vec::new();
        let mut failure: Option<Error> = None;
        // What each hour fetched became.
        let mut after: BTreeMap<u64, HourState> = BTreeMap::new();
        // Decodes and verifies one hour's batch; true when it came whole (every bundle verified
        // or failed finally).
        let mut take =
            |hour: u64, bytes: &[u8], report: &mut SyncReport, fresh: &mut Vec<Bundle>| -> bool {
                let bundles = match decode_batch(bytes, hour) {
                    Ok(bundles) => bundles,
                    Err(e) => {
                        report
                            .skipped
                            .push(format!("hour {hour}: {e} ({})", e.code()));
                        return false;
                    }
                };
                let mut whole = true;
                for b in bundles {
                    // Never trust the server: every bundle is checked against the pinned root.
                    match verifier.verify(b, now) {
                        Ok(bundle) => fresh.push(bundle),
                        // Older than any visit kept: nothing to match and nothing wrong.
                        Err(protocol::BundleError::TooOld { .. }) => {}
                        // Revoked: counted, and final.
                        Err(protocol::BundleError::CertificateRevoked) => {
                            report.revoked_bundles += 1;
                        }
                        Err(e) => {
                            report.skipped.push(format!(
                                "hour {hour}, notice {}: {e} ({})",
                                common::hex(&protocol::notice::bundle_id_of(b)[..8]),
                                e.code()
                            ));
                            whole = false;
                        }
                    }
                }
                whole
            };
        let mut next = 0;
        while let Some(&fetch) = plan.get(next) {
            next += 1;
            if conn.bytes_read > MAX_SYNC_BYTES {
                report.stopped = Some(format!(
                    "{base} has sent {} MiB in this sync, the most one sync reads; what was \
                     read is kept: sync again to go on",
                    conn.bytes_read >> 20
                ));
                break;
            }
            // The hours this request stands for, and one random draw for them all: the hours
            // of one day file share their second look (spec section 12.3, rule 3).
            let (hours, answer) = match fetch {
                Fetch::Hour(hour) => (vec![hour], conn.batch(hour)),
                Fetch::Day(day) => (day_hours_due(day, now, state_of), conn.day(day)),
            };
            let random = random_u64();
            let mut settle = |hour: u64, answer, date| {
                let was = state_of(hour);
                let next = after_answer(hour, was, answer, now, date, random);
                if next != was {
                    after.insert(hour, next);
                }
            };
            let (bytes, date) = match answer {
                Ok(net::BatchAnswer {
                    batch: net::Batch::Bytes(b),
                    date,
                }) => (b, date),
                // Purged by the server: nothing of it is left to match (if this was a withheld
                // answer, the second look brings it).
                Ok(net::BatchAnswer {
                    batch: net::Batch::Gone,
                    date,
                }) => {
                    for &hour in &hours {
                        settle(hour, Answer::Gone, date);
                    }
                    continue;
                }
                // The server's clock is behind ours: nothing there yet. A day it has not
                // closed is asked for hour by hour instead, in this sync.
                Ok(net::BatchAnswer {
                    batch: net::Batch::NotYet,
                    ..
                }) => {
                    if let Fetch::Day(_) = fetch {
                        plan.extend(hours.iter().copied().map(Fetch::Hour));
                    }
                    continue;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            match fetch {
                Fetch::Hour(hour) => {
                    let whole = take(hour, &bytes, &mut report, &mut fresh);
                    settle(hour, Answer::Batch { whole }, date);
                }
                Fetch::Day(day) => match decode_day(&bytes, day) {
                    Err(e) => {
                        report
                            .skipped
                            .push(format!("day {day}: {e} ({})", e.code()));
                        for &hour in &hours {
                            settle(hour, Answer::Batch { whole: false }, date);
                        }
                    }
                    Ok(inside) => {
                        for (hour, batch) in inside {
                            if hours.contains(&hour) {
                                let whole = take(hour, batch, &mut report, &mut fresh);
                                settle(hour, Answer::Batch { whole }, date);
                            }
                        }
                    }
                },
            }
            progress(fresh.len() + report.skipped.len());
        }
        report.bundles = fresh.len();

        // Merge under the lock.
        self.state = self.store.relock()?;
        self.dirty = true;
        if let Some(list) = &newer_list {
            // Another command may have taken a newer list meanwhile: never go back.
            if list.replaces(self.held_revocations().as_ref()).is_ok() {
                let marked = self.take_revocations(list);
                report.new_revocations = Some((list.keys().len(), marked));
            }
        }
        self.cached = None;
        let mut kept = match self.cached_notices(now) {
            Ok(_) => self.cached.take().unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let oldest = self.notices_oldest(now);
        let ids: Vec<String> = self.state.visits.keys().cloned().collect();
        fresh.retain(|b| b.created_at() >= oldest);
        report.unapproved = self.match_visits(&ids, &fresh, now, false);
        // Open hours are fetched again at every sync: keep each bundle once.
        let mut known: std::collections::HashSet<[u8; 32]> = kept.iter().map(Bundle::id).collect();
        for b in fresh {
            if known.insert(b.id()) {
                kept.push(b);
            }
        }
        crate::notices::save(self.dir(), &self.notices_key, &kept)?;
        self.cached = Some(kept);
        // Record what each hour became; forget hours the window has passed.
        for (hour, state) in after {
            self.set_hour_state(hour, state);
        }
        let first = *self.sync_hours(now).start();
        self.state.held.retain(|&h| h >= first);
        self.state.retries.retain(|&h, _| h >= first);
        self.state.rechecks.retain(|&h, _| h >= first);
        self.dirty = true;
        self.save()?;
        match failure {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

//! Sync: send queued records, download new notice bundles, verify each against the pinned
//! root, match them on the device, and keep them for later matching.
//!
//! The diary's lock is never held while the network is used: the session saves, lets go of the
//! lock, talks to the server, then takes the lock again and merges what it got into the
//! diary as another command may have left it. A check-in at the door never waits for a slow
//! server.
//!
//! A bundle that fails verification is skipped, counted and reported; the bundles after it
//! are still read (spec section 12.2). A server that sends pages without end, pages that do
//! not advance, or more than a sync's worth of bytes is stopped, with what was read kept.

use protocol::{Bundle, BundleVerifier};

use crate::{Error, Session, net};

/// Most pages one sync reads (100 bundles each: a first sync at national scale needs a few
/// hundred).
pub const MAX_PAGES: usize = 2_000;
/// Most bytes of pages one sync reads.
pub const MAX_SYNC_BYTES: u64 = 512 << 20;
/// How many syncs try a bundle that failed verification before it is given up.
pub const RETRIES: u8 = 3;
/// Most failed bundles remembered for another try.
pub const MAX_RETRY: usize = 256;

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Sealed records sent.
    pub uploaded: usize,
    /// Records still queued.
    pub pending: usize,
    /// Bundles downloaded that verified.
    pub bundles: usize,
    /// Bundles that failed verification and were skipped: `seq: why`.
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

impl Session {
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
        (report.uploaded, report.pending) = self.send_uploads(&conn)?;

        // Download without the lock.
        self.save()?;
        let start = if self.state.cache_complete {
            self.state.cursor
        } else {
            0
        };
        let held = self.held_revocations();
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
        let mut after = start;
        let mut pages = 0usize;
        let mut failure: Option<Error> = None;
        // Bundles that failed before: fetched one by one, again.
        let mut retry = std::mem::take(&mut self.state.retry);
        let mut recovered = Vec::new();
        for (seq, tries) in &mut retry {
            let Ok(page) = conn.page(seq.saturating_sub(1), 1) else {
                continue;
            };
            if let Some(b) = page.bundles.iter().find(|b| b.seq == *seq)
                && let Some(Ok(bundle)) =
                    net::bundle_bytes(b).map(|bytes| verifier.verify_owned(bytes, now))
            {
                fresh.push(bundle);
                recovered.push(*seq);
            }
            *tries += 1;
        }
        retry.retain(|(seq, tries)| !recovered.contains(seq) && *tries < RETRIES);
        loop {
            if pages >= MAX_PAGES || conn.bytes_read > MAX_SYNC_BYTES {
                report.stopped = Some(format!(
                    "{base} has sent {pages} pages ({} MiB) in this sync, the most one sync \
                     reads; what was read is kept: sync again to go on",
                    conn.bytes_read >> 20
                ));
                break;
            }
            let page = match conn.page(after, 100) {
                Ok(p) => p,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            pages += 1;
            let mut last = after;
            for b in &page.bundles {
                if b.seq <= last {
                    failure = Some(Error::ServerMisbehaved(format!(
                        "{base} sent bundle {} after {last}: bundles must come in order",
                        b.seq
                    )));
                    break;
                }
                last = b.seq;
                // Never trust the server: every bundle is checked against the pinned root.
                let verdict = match net::bundle_bytes(b) {
                    None => Err("not base64url".to_owned()),
                    Some(bytes) => match verifier.verify_owned(bytes, now) {
                        Ok(bundle) => Ok(Some(bundle)),
                        // Older than any visit kept: nothing to match and nothing wrong (the
                        // server purges it within minutes).
                        Err(protocol::BundleError::TooOld { .. }) => Ok(None),
                        // Revoked: counted, and not tried again.
                        Err(protocol::BundleError::CertificateRevoked) => {
                            report.revoked_bundles += 1;
                            Ok(None)
                        }
                        Err(e) => Err(format!("{e} ({})", e.code())),
                    },
                };
                match verdict {
                    Ok(Some(bundle)) => fresh.push(bundle),
                    Ok(None) => {}
                    Err(why) => {
                        report.skipped.push(format!("notice {}: {why}", b.seq));
                        if retry.len() < MAX_RETRY {
                            retry.push((b.seq, 0));
                        }
                    }
                }
            }
            after = last;
            progress(fresh.len() + report.skipped.len());
            if failure.is_some() || page.bundles.is_empty() || !page.more {
                break;
            }
        }
        report.bundles = fresh.len();

        // Merge under the lock.
        self.state = self.store.relock()?;
        self.state.retry = retry;
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
        for b in fresh {
            if !kept.iter().any(|k| k.id() == b.id()) {
                kept.push(b);
            }
        }
        crate::notices::save(self.dir(), &self.notices_key, &kept)?;
        self.cached = Some(kept);
        let cursor = if start == 0 {
            after
        } else {
            self.state.cursor.max(after)
        };
        if cursor != self.state.cursor {
            self.state.cursor = cursor;
            self.dirty = true;
        }
        if start == 0 && failure.is_none() && report.stopped.is_none() {
            self.state.cache_complete = true;
            self.dirty = true;
        }
        self.save()?;
        match failure {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

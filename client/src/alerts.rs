//! Matching, on the phone: visits against verified notices, by the protocol's [`Matcher`].
//!
//! Every visit is matched against every notice within retention whenever either changes: new
//! notices against all visits at sync; a new, closed or edited visit against every cached
//! notice at once. An alert is identified by its visit and its notice's content (spec section
//! 13, `protocol::client::alert_id`), so finding it again, in any bundle, updates it (a visit
//! that was open when it was found gets its departure and overlap) and never alerts twice.

use std::collections::BTreeMap;

use protocol::{Bundle, BundleVerifier, Matcher, ScanStats, Visit};

use crate::state::AlertRec;
use crate::{Session, poster};

/// The id of the alert `a` keeps (spec section 13).
pub(crate) fn alert_id(a: &AlertRec) -> String {
    protocol::client::alert_id(&protocol::client::AlertKey {
        visit: &a.visit,
        start: a.start,
        end: a.end,
        severity: a.severity,
        message: &a.message,
    })
}

impl Session {
    /// The oldest creation time of a notice still worth keeping.
    pub(crate) fn notices_oldest(&self, now: u64) -> u64 {
        now.saturating_sub((self.config.retention_days + 1) * 86_400)
    }

    /// The hours a sync at `now` looks at (spec section 12.3).
    pub(crate) fn sync_hours(&self, now: u64) -> std::ops::RangeInclusive<u64> {
        protocol::client::sync_window(now)
    }

    /// Whether the notice cache holds every closed hour a sync at `now` looks at, so that
    /// matching a visit against it alone is complete.
    pub(crate) fn holds_every_closed_hour(&self, now: u64) -> bool {
        self.sync_hours(now)
            .filter(|&h| protocol::batch::is_closed(h, now))
            .all(|h| self.state.held.contains(&h))
    }

    /// The cached notices, read (and verified) once per command.
    pub(crate) fn cached_notices(&mut self, now: u64) -> Result<&[Bundle], crate::Error> {
        if self.cached.is_none() {
            let mut verifier = self.verifier();
            let oldest = self.notices_oldest(now);
            let loaded =
                crate::notices::load(self.dir(), &self.notices_key, &mut verifier, oldest, now);
            self.cached = Some(match loaded {
                Ok(b) => b,
                Err(e) => {
                    // Download everything again at the next sync, rather than miss anything.
                    if self.writable() {
                        crate::notices::remove(self.dir());
                    }
                    self.state.held.clear();
                    self.state.retries.clear();
                    self.state.rechecks.clear();
                    self.dirty = true;
                    return Err(e);
                }
            });
        }
        Ok(self.cached.as_deref().unwrap_or_default())
    }

    /// Matches visit `id` against every cached notice, replacing what its alerts said. A
    /// problem (a damaged cache) is reported in `problems`; the command goes on.
    pub(crate) fn rematch_visit(&mut self, id: &str, now: u64, problems: &mut Vec<String>) {
        if let Err(e) = self.cached_notices(now) {
            problems.push(e.to_string());
            return;
        }
        // Borrowed out of the session while matching, not copied: the cache can be tens of MB.
        let bundles = self.cached.take().unwrap_or_default();
        if !bundles.is_empty() {
            let replace = self.holds_every_closed_hour(now);
            self.match_visits(&[id.to_owned()], &bundles, now, replace);
        }
        self.cached = Some(bundles);
    }

    /// Matches visits `ids` against `bundles`. New alerts are stored and kept for the
    /// command to show ([`Session::take_new_alerts`]); known ones are updated. With `replace`
    /// (the bundles are every notice within retention), alerts of these visits that no
    /// longer match (the visit was edited) are removed. Returns how many entries concerned
    /// these visits but carried no valid approval (spec section 11a), and so never alert.
    pub(crate) fn match_visits(
        &mut self,
        ids: &[String],
        bundles: &[Bundle],
        now: u64,
        replace: bool,
    ) -> usize {
        let mut visits = Vec::new();
        let mut owners = Vec::new();
        for id in ids {
            let Some(rec) = self.state.visits.get(id) else {
                continue;
            };
            let Ok(p) = poster(rec) else { continue };
            let auto = protocol::client::auto_departure(rec.arrival, p.info().default_stay_minutes);
            let dep = protocol::client::matched_departure(rec.arrival, rec.departure, auto, now);
            if let Ok(v) = Visit::new(&p, rec.arrival, dep) {
                visits.push(v);
                owners.push((id.clone(), p, rec.clone()));
            }
        }
        let mut computed: BTreeMap<String, AlertRec> = BTreeMap::new();
        let mut stats = ScanStats::default();
        let emergency = self.trust.emergency.clone();
        if let Ok(matcher) = Matcher::new(&visits, self.config.threshold_secs, emergency) {
            for a in matcher.scan_all(bundles.iter(), &mut stats) {
                let (id, p, rec) = &owners[a.visit];
                let alert = AlertRec {
                    visit: id.clone(),
                    venue: p.info().name.clone(),
                    address: p.info().address.clone(),
                    arrival: rec.arrival,
                    departure: rec.departure,
                    start: a.notice.start,
                    end: a.notice.end,
                    severity: a.notice.severity,
                    message: a.notice.message.clone(),
                    overlap_minutes: a.overlap_secs / 60,
                    found_at: now,
                    issuer: a.issuer.clone(),
                    approved_by: a.approver.name().to_owned(),
                    issuer_key: crate::hex(a.issuer_key.as_bytes()),
                    issuer_revoked: false,
                };
                computed.insert(alert_id(&alert), alert);
            }
        }
        if replace {
            let before = self.state.alerts.len();
            self.state.alerts.retain(|k, a| {
                !ids.contains(&a.visit) || computed.contains_key(k) || a.issuer_revoked
            });
            self.dirty |= before != self.state.alerts.len();
        }
        for (k, mut a) in computed {
            match self.state.alerts.get(&k) {
                Some(old) => {
                    a.found_at = old.found_at;
                    if *old != a {
                        self.state.alerts.insert(k, a);
                        self.dirty = true;
                    }
                }
                None => {
                    self.new_alerts.push(a.clone());
                    self.state.alerts.insert(k, a);
                    self.dirty = true;
                }
            }
        }
        stats.unapproved
    }

    /// The revocation list this diary holds, verified again (a `RevocationList` always means
    /// "verified"); `None` if it holds none, or if what it holds does not verify.
    pub(crate) fn held_revocations(&self) -> Option<protocol::RevocationList> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(self.state.revocations.as_deref()?)
            .ok()?;
        // Its time was checked when it was taken; the clock may have moved since.
        protocol::RevocationList::verify(&self.trust.root, &bytes, u64::MAX).ok()
    }

    /// A bundle verifier for the pinned root, with the held revocation list in force.
    pub(crate) fn verifier(&self) -> BundleVerifier {
        let mut v = BundleVerifier::new(self.trust.root);
        if let Some(list) = self.held_revocations() {
            v.set_revocations(list);
        }
        v
    }

    /// Takes `list` (verified, and newer than the held one) and marks the alerts whose
    /// issuer it revokes. Returns how many alerts it marked.
    pub(crate) fn take_revocations(&mut self, list: &protocol::RevocationList) -> usize {
        use base64::Engine as _;
        self.state.revocations =
            Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(list.to_bytes()));
        self.dirty = true;
        let revoked: Vec<String> = list.keys().iter().map(|k| crate::hex(k)).collect();
        let mut marked = 0;
        for a in self.state.alerts.values_mut() {
            if !a.issuer_revoked && revoked.contains(&a.issuer_key) {
                a.issuer_revoked = true;
                marked += 1;
            }
        }
        marked
    }

    /// Alerts found during this command, to show the user.
    pub fn take_new_alerts(&mut self) -> Vec<AlertRec> {
        std::mem::take(&mut self.new_alerts)
    }

    /// The stored alerts, newest exposure first.
    pub fn alerts(&self) -> Vec<AlertRec> {
        let mut a: Vec<AlertRec> = self.state.alerts.values().cloned().collect();
        a.sort_by_key(|a| std::cmp::Reverse(a.start));
        a
    }
}

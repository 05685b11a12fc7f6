//! The case file: the whole diary sealed to the authority, for a citizen who tested positive
//! to hand to a contact tracer.

use protocol::CaseVisit;
use protocol::case::CaseDiary;

use crate::{Error, Session, poster};

impl Session {
    /// Seals the diary to the authority. Returns the number of visits and the file's bytes.
    /// A visit whose poster no longer reads is left out (and named in the second list).
    pub fn case_file(&self, now: u64) -> Result<(usize, Vec<u8>), Error> {
        let mut visits = Vec::new();
        for (_, rec) in self.state.visits_by_arrival() {
            let Ok(p) = poster(rec) else { continue };
            visits.push(CaseVisit {
                poster: p,
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
            &self.trust.case,
        )
        .map_err(|e| Error::Invalid(e.to_string()))?;
        Ok((n, file))
    }
}

/// Writes a new file atomically and durably (mode 0600, never replacing one).
pub fn write_new_file(path: &std::path::Path, data: &[u8]) -> Result<(), Error> {
    Ok(common::files::write_new(path, data, 0o600)?)
}

//! Case diary sharing: a citizen who tests positive seals their visits to the authority.
//!
//! File: `0x02 | enc[32] | ct`, where `ct` is HPKE (info `"checkin/v2/case-diary"`, aad the
//! version byte) over the plaintext `created_at u64 | count u16 | count × (poster_len u16 |
//! poster | arrival u64 | departure u64) | zeros`, padded with zeros to a multiple of 1024 bytes
//! so that the file's size only roughly tracks the number of visits.

use rand_core::CryptoRng;

use crate::domain;
use crate::error::CaseError;
use crate::hpke_suite::{self, AEAD_TAG_LEN, ENC_LEN};
use crate::keys::{SealingPublicKey, SealingSecretKey};
use crate::matching::Visit;
use crate::poster::{MAX_POSTER_LEN, Poster};
use crate::wire::{Reader, put_u16, put_u64};

/// Format version of case files.
pub const CASE_VERSION: u8 = 2;
/// Most visits in one case file.
pub const MAX_CASE_VISITS: usize = 2000;
/// Plaintext padding block.
pub const CASE_PAD: usize = 1024;
/// Shortest case file: a diary of no visits, one padded block (1,073 bytes).
pub const MIN_CASE_LEN: usize = 1 + ENC_LEN + CASE_PAD + AEAD_TAG_LEN;
/// Longest case file.
pub const MAX_CASE_LEN: usize = 1
    + ENC_LEN
    + (10 + MAX_CASE_VISITS * (2 + MAX_POSTER_LEN + 16)).div_ceil(CASE_PAD) * CASE_PAD
    + AEAD_TAG_LEN;

/// One visit in a case diary: the full poster, so the tracer sees name and address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseVisit {
    /// The poster scanned.
    pub poster: Poster,
    /// Arrival, Unix seconds.
    pub arrival: u64,
    /// Departure, Unix seconds.
    pub departure: u64,
}

/// A decrypted case diary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDiary {
    /// When the citizen exported it, Unix seconds.
    pub created_at: u64,
    /// The visits, in the order the citizen's diary listed them.
    pub visits: Vec<CaseVisit>,
}

impl CaseDiary {
    pub(crate) fn encode(&self) -> Result<Vec<u8>, CaseError> {
        if self.visits.len() > MAX_CASE_VISITS {
            return Err(CaseError::TooManyVisits(self.visits.len()));
        }
        let mut p = Vec::new();
        put_u64(&mut p, self.created_at);
        put_u16(&mut p, self.visits.len() as u16);
        for v in &self.visits {
            Visit::new(&v.poster, v.arrival, v.departure).map_err(CaseError::InvalidVisit)?;
            let b = v.poster.to_bytes();
            put_u16(&mut p, b.len() as u16);
            p.extend_from_slice(b);
            put_u64(&mut p, v.arrival);
            put_u64(&mut p, v.departure);
        }
        let padded = p.len().div_ceil(CASE_PAD).max(1) * CASE_PAD;
        p.resize(padded, 0);
        Ok(p)
    }

    pub(crate) fn decode(p: &[u8]) -> Result<CaseDiary, CaseError> {
        if p.is_empty() || !p.len().is_multiple_of(CASE_PAD) {
            return Err(CaseError::Malformed);
        }
        let bad = |_| CaseError::Malformed;
        let mut r = Reader::new(p);
        let created_at = r.u64().map_err(bad)?;
        let count = usize::from(r.u16().map_err(bad)?);
        if count > MAX_CASE_VISITS {
            return Err(CaseError::TooManyVisits(count));
        }
        let mut visits = Vec::with_capacity(count);
        for _ in 0..count {
            let len = r.u16().map_err(bad)?;
            let poster = Poster::decode(r.bytes(usize::from(len)).map_err(bad)?)
                .map_err(CaseError::InvalidPoster)?;
            let arrival = r.u64().map_err(bad)?;
            let departure = r.u64().map_err(bad)?;
            Visit::new(&poster, arrival, departure).map_err(CaseError::InvalidVisit)?;
            visits.push(CaseVisit {
                poster,
                arrival,
                departure,
            });
        }
        // Padding is zeros and no longer than needed: the encoding is canonical.
        let used = r.position();
        if r.rest().iter().any(|&b| b != 0) || p.len() != used.div_ceil(CASE_PAD).max(1) * CASE_PAD
        {
            return Err(CaseError::Malformed);
        }
        Ok(CaseDiary { created_at, visits })
    }

    /// Seals the diary to the authority's case key (the trust file's `case`).
    pub fn seal(
        &self,
        rng: &mut impl CryptoRng,
        authority: &SealingPublicKey,
    ) -> Result<Vec<u8>, CaseError> {
        let plain = zeroize::Zeroizing::new(self.encode()?);
        let sealed = hpke_suite::seal(rng, authority, domain::CASE_DIARY, &[CASE_VERSION], &plain)
            .map_err(|_| CaseError::DecryptionFailed)?;
        let mut out = Vec::with_capacity(1 + sealed.len());
        out.push(CASE_VERSION);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Checks what can be checked of a case file without the case key, in this order: a file
    /// at all (`case_truncated`), the version (`case_unsupported_version`), at least
    /// [`MIN_CASE_LEN`] bytes (`case_truncated`), at most [`MAX_CASE_LEN`]
    /// (`case_too_many_visits`), and a length of `1 + 32 + k × 1024 + 16` (`case_malformed`).
    /// A server holding a file for a tracer (spec section 16b) checks this, and opening checks
    /// it first.
    pub fn check_shape(file: &[u8]) -> Result<(), CaseError> {
        let (&version, sealed) = file.split_first().ok_or(CaseError::Truncated)?;
        if version != CASE_VERSION {
            return Err(CaseError::UnsupportedVersion(version));
        }
        if file.len() < MIN_CASE_LEN {
            return Err(CaseError::Truncated);
        }
        if file.len() > MAX_CASE_LEN {
            return Err(CaseError::TooManyVisits(MAX_CASE_VISITS + 1));
        }
        if !(sealed.len() - ENC_LEN - AEAD_TAG_LEN).is_multiple_of(CASE_PAD) {
            return Err(CaseError::Malformed);
        }
        Ok(())
    }

    /// Opens a case file with the authority's case key: first the checks of
    /// [`CaseDiary::check_shape`], so that a file is refused by its length under the same name
    /// whether a server or the authority looks at it, then the opening and the plaintext's.
    pub fn open(authority: &SealingSecretKey, file: &[u8]) -> Result<CaseDiary, CaseError> {
        CaseDiary::check_shape(file)?;
        let sealed = file.get(1..).ok_or(CaseError::Truncated)?;
        let plain = zeroize::Zeroizing::new(
            hpke_suite::open(authority, domain::CASE_DIARY, &[CASE_VERSION], sealed)
                .map_err(|_| CaseError::DecryptionFailed)?,
        );
        CaseDiary::decode(&plain)
    }
}

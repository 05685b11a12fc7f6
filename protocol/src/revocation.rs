//! The authority's revocation list: tracer keys whose bundles and queries nobody may accept
//! any more (spec section 10.3, "Revocation list").
//!
//! `0x02 | issued_at u64 | count u16 | count × tracer_pk[32] | sig[64]`, keys strictly
//! ascending, signed by the root over `"checkin/v2/revocation-list" || 0x00 || everything
//! before sig`. Each list replaces the one before it whole, so a list is newer when its
//! `issued_at` is larger; holders refuse to go back to an older one.
//!
//! A list names tracer keys rather than certificates: a stolen key is the threat, and one key
//! may hold several certificates (one per role, renewals), which all fall with it.

use ed25519_dalek::{Signature, Signer, VerifyingKey};

use crate::domain;
use crate::error::RevocationError;
use crate::keys::Ed25519Secret;
use crate::wire::{Reader, put_u16, put_u64};

/// Format version of revocation lists.
pub const REVOCATION_VERSION: u8 = 2;
/// Most keys in one list.
pub const MAX_REVOKED_KEYS: usize = 4096;
/// How far in the future a list's `issued_at` may lie, seconds.
pub const MAX_REVOCATION_SKEW_SECS: u64 = 300;

/// A verified revocation list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationList {
    issued_at: u64,
    keys: Vec<[u8; 32]>,
    bytes: Vec<u8>,
}

/// Whether a list may take the place of the one held (see [`RevocationList::replaces`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// The list is newer: keep it instead.
    Newer,
    /// The list is the one held, byte for byte: nothing to do.
    Same,
}

impl RevocationList {
    /// Signs a list of `keys` (in any order, repeats allowed) issued at `issued_at`.
    pub fn sign(
        root: &Ed25519Secret,
        issued_at: u64,
        keys: &[[u8; 32]],
    ) -> Result<RevocationList, RevocationError> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() > MAX_REVOKED_KEYS {
            return Err(RevocationError::TooManyKeys(
                keys.len().min(usize::from(u16::MAX)) as u16,
            ));
        }
        let mut bytes = Vec::with_capacity(1 + 8 + 2 + keys.len() * 32 + 64);
        bytes.push(REVOCATION_VERSION);
        put_u64(&mut bytes, issued_at);
        put_u16(&mut bytes, keys.len() as u16);
        for k in &keys {
            bytes.extend_from_slice(k);
        }
        let sig = root
            .0
            .sign(&domain::signed_message(domain::REVOCATION_LIST, &bytes));
        bytes.extend_from_slice(&sig.to_bytes());
        Ok(RevocationList {
            issued_at,
            keys,
            bytes,
        })
    }

    /// Verifies a list against the pinned root at time `now`: strict decoding with keys
    /// strictly ascending, the root's signature, and `issued_at` not more than five minutes
    /// after `now`. Whether it is newer than the list already held is
    /// [`RevocationList::replaces`]'s question.
    pub fn verify(
        root: &VerifyingKey,
        bytes: &[u8],
        now: u64,
    ) -> Result<RevocationList, RevocationError> {
        let short = |_| RevocationError::Truncated;
        let mut r = Reader::new(bytes);
        let version = r.u8().map_err(short)?;
        if version != REVOCATION_VERSION {
            return Err(RevocationError::UnsupportedVersion(version));
        }
        let issued_at = r.u64().map_err(short)?;
        let count = r.u16().map_err(short)?;
        if usize::from(count) > MAX_REVOKED_KEYS {
            return Err(RevocationError::TooManyKeys(count));
        }
        let mut keys = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            keys.push(r.array::<32>().map_err(short)?);
        }
        let body_len = r.position();
        let sig = r.array::<64>().map_err(short)?;
        if r.remaining() != 0 {
            return Err(RevocationError::TrailingBytes);
        }
        if !keys.windows(2).all(|w| w[0] < w[1]) {
            return Err(RevocationError::KeysNotSorted);
        }
        root.verify_strict(
            &domain::signed_message(domain::REVOCATION_LIST, &bytes[..body_len]),
            &Signature::from_bytes(&sig),
        )
        .map_err(|_| RevocationError::BadSignature)?;
        if issued_at > now.saturating_add(MAX_REVOCATION_SKEW_SECS) {
            return Err(RevocationError::FromTheFuture { issued_at });
        }
        Ok(RevocationList {
            issued_at,
            keys,
            bytes: bytes.to_vec(),
        })
    }

    /// Whether this list may replace `held`: a list issued later does; the same bytes change
    /// nothing; anything else (an older list, or another list issued the same second) is
    /// refused, so nobody can roll a holder back to a list from before a revocation.
    pub fn replaces(&self, held: Option<&RevocationList>) -> Result<Replacement, RevocationError> {
        match held {
            None => Ok(Replacement::Newer),
            Some(h) if h.bytes == self.bytes => Ok(Replacement::Same),
            Some(h) if self.issued_at > h.issued_at => Ok(Replacement::Newer),
            Some(h) => Err(RevocationError::NotNewer {
                issued_at: self.issued_at,
                held: h.issued_at,
            }),
        }
    }

    /// Whether `tracer` is revoked.
    pub fn is_revoked(&self, tracer: &VerifyingKey) -> bool {
        self.keys.binary_search(tracer.as_bytes()).is_ok()
    }

    /// When the authority signed the list, Unix seconds.
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// The revoked tracer keys, ascending.
    pub fn keys(&self) -> &[[u8; 32]] {
        &self.keys
    }

    /// The signed encoding.
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn signs_verifies_and_orders() {
        let root = Ed25519Secret::from_bytes([3; 32]);
        let a = [9u8; 32];
        let b = [1u8; 32];
        let list = RevocationList::sign(&root, 100, &[a, b, a]).unwrap();
        assert_eq!(list.keys(), &[b, a]);
        let back = RevocationList::verify(&root.verifying_key(), list.to_bytes(), 100).unwrap();
        assert_eq!(back, list);
        let older = RevocationList::sign(&root, 99, &[]).unwrap();
        assert_eq!(
            older.replaces(Some(&list)).unwrap_err().code(),
            "revocation_not_newer"
        );
        assert_eq!(list.replaces(Some(&older)), Ok(Replacement::Newer));
        assert_eq!(list.replaces(Some(&list)), Ok(Replacement::Same));
    }
}

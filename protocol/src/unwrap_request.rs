//! The tracer's signed request to a venue to unwrap contact records (spec section 14.4): what
//! makes the venue a real second party. The venue verifies it against the authority it pins,
//! sees who asks for which hours, and unwraps only records of its own venue for those hours.
//!
//! The tracer signs, with the key of a certificate that has the query role,
//! `"checkin/v2/vault-request" || 0x00 || venue_id[32] || from u64 || to u64 || signed_at u64 ||
//! count u16 || count × hour u64`.

use ed25519_dalek::{Signature, Signer, VerifyingKey};

use crate::cert::Certificate;
use crate::derive::hours_covered;
use crate::domain;
use crate::error::UnwrapRequestError;
use crate::keys::Ed25519Secret;
use crate::poster::VenueId;
use crate::query::MAX_QUERY_TAGS;
use crate::wire::{put_u16, put_u64};

/// How far in the future a request's `signed_at` may lie, seconds.
pub const MAX_REQUEST_SKEW_SECS: u64 = 300;
/// Most records one request may carry (spec section 14.4).
pub const MAX_REQUEST_RECORDS: usize = 100_000;
/// How old a request may be when the venue unwraps it: a week.
pub const MAX_REQUEST_AGE_SECS: u64 = 7 * 86_400;

/// What a tracer asks a venue to unwrap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnwrapStatement {
    /// The venue.
    pub venue_id: VenueId,
    /// Start of the window the tracer is interested in, Unix seconds.
    pub from: u64,
    /// End of that window (exclusive).
    pub to: u64,
    /// When the tracer signed.
    pub signed_at: u64,
    /// The epoch hours whose records the venue may unwrap: ascending, each one an hour the
    /// window covers.
    pub hours: Vec<u64>,
}

impl UnwrapStatement {
    /// The signed bytes (without the domain string).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + 24 + 2 + 8 * self.hours.len());
        out.extend_from_slice(self.venue_id.as_bytes());
        put_u64(&mut out, self.from);
        put_u64(&mut out, self.to);
        put_u64(&mut out, self.signed_at);
        put_u16(&mut out, self.hours.len().min(usize::from(u16::MAX)) as u16);
        for h in &self.hours {
            put_u64(&mut out, *h);
        }
        out
    }

    /// Checks the hours: 1 to 1024, strictly ascending, each covered by a non-empty window.
    pub fn check_hours(&self) -> Result<(), UnwrapRequestError> {
        let covered = self.from < self.to
            && !self.hours.is_empty()
            && self.hours.len() <= MAX_QUERY_TAGS
            && self.hours.windows(2).all(|w| w[0] < w[1])
            && self.hours.first() >= hours_covered(self.from, self.to).next().as_ref()
            && self.hours.last() <= hours_covered(self.from, self.to).last().as_ref();
        if covered {
            Ok(())
        } else {
            Err(UnwrapRequestError::InvalidHours)
        }
    }

    /// The tracer's signature.
    pub fn sign(&self, tracer: &Ed25519Secret) -> [u8; 64] {
        tracer
            .0
            .sign(&domain::signed_message(
                domain::VAULT_REQUEST,
                &self.to_bytes(),
            ))
            .to_bytes()
    }

    /// What a venue checks before unwrapping, in this order: the certificate verifies under
    /// `root` (the certificate's own error), has the query role
    /// (`unwrap_request_cannot_query`) and was valid at `signed_at` (`cert_not_valid_at`); the
    /// hours (`unwrap_request_invalid_hours`); `signed_at` at most 300 seconds after `now`
    /// (`unwrap_request_from_the_future`) and at most a week before it
    /// (`unwrap_request_stale`); the signature (`unwrap_request_bad_signature`).
    pub fn verify(
        &self,
        root: &VerifyingKey,
        cert: &Certificate,
        signature: &[u8; 64],
        now: u64,
    ) -> Result<(), UnwrapRequestError> {
        cert.verify(root)?;
        if !cert.roles().query {
            return Err(UnwrapRequestError::CannotQuery);
        }
        cert.check_valid_at(self.signed_at)?;
        self.check_hours()?;
        if self.signed_at > now.saturating_add(MAX_REQUEST_SKEW_SECS) {
            return Err(UnwrapRequestError::FromTheFuture {
                signed_at: self.signed_at,
            });
        }
        if self.signed_at.saturating_add(MAX_REQUEST_AGE_SECS) < now {
            return Err(UnwrapRequestError::Stale {
                signed_at: self.signed_at,
            });
        }
        cert.tracer_key()
            .verify_strict(
                &domain::signed_message(domain::VAULT_REQUEST, &self.to_bytes()),
                &Signature::from_bytes(signature),
            )
            .map_err(|_| UnwrapRequestError::BadSignature)
    }
}

/// The `request` field of a vault response (spec section 14.4): the lower-case hex BLAKE3 hash
/// (unkeyed) of the request file's exact bytes, which binds a response to the request it
/// answers.
pub fn request_file_hash(request_file: &[u8]) -> String {
    crate::hex(blake3::hash(request_file).as_bytes())
}

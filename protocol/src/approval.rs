//! The venue's approval of a notice (spec section 11a, "Approval"): no single key can make
//! phones alert.
//!
//! A tracer's bundle alone is not enough. Every entry's payload carries a signature over the
//! notice (venue, tracer certificate, window, severity and message) by a second party: the
//! venue's own poster key, which every phone that visited already holds, or, when the venue
//! cannot be reached, the authority's emergency approval key, which phones pin with the trust
//! file and which the authority keeps apart from the root key and from every tracer.
//!
//! ```text
//! statement = venue_id[32] | cert_digest[32] | start u64 | end u64 | severity u8 | str8 message
//! signature = Ed25519.Sign(key, "checkin/v2/notice-approval" || 0x00 || statement)
//! cert_digest = BLAKE3.derive_key("checkin/v2/certificate-digest", certificate encoding)
//! ```

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::cert::Certificate;
use crate::domain;
use crate::error::NoticeError;
use crate::keys::{Ed25519Secret, VenueKeys};
use crate::notice::{NoticePayload, Severity};
use crate::poster::VenueId;
use crate::wire::{put_short_bytes, put_u64};

/// Who approved a notice: the payload's approver byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Approver {
    /// Byte 1: the venue, with the Ed25519 key its poster carries.
    Venue,
    /// Byte 2: the authority's emergency approval key (the `emergency` key of the trust file),
    /// for a venue that cannot be reached.
    Authority,
}

impl Approver {
    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            Approver::Venue => 1,
            Approver::Authority => 2,
        }
    }

    /// Parses the wire byte.
    pub fn from_byte(b: u8) -> Result<Approver, NoticeError> {
        match b {
            1 => Ok(Approver::Venue),
            2 => Ok(Approver::Authority),
            other => Err(NoticeError::InvalidApprover(other)),
        }
    }

    /// The name files and vectors use: `venue` or `authority`.
    pub fn name(self) -> &'static str {
        match self {
            Approver::Venue => "venue",
            Approver::Authority => "authority",
        }
    }

    /// Parses [`Approver::name`].
    pub fn from_name(name: &str) -> Option<Approver> {
        match name {
            "venue" => Some(Approver::Venue),
            "authority" => Some(Approver::Authority),
            _ => None,
        }
    }
}

/// An approval as it travels inside a notice payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Approval {
    /// Whose key signed.
    pub by: Approver,
    /// The Ed25519 signature over the statement.
    pub signature: [u8; 64],
}

/// The digest that names a tracer certificate inside an approval statement.
pub fn cert_digest(cert: &Certificate) -> [u8; 32] {
    blake3::derive_key(domain::CERTIFICATE_DIGEST, cert.to_bytes())
}

/// What a venue (or the authority) approves: one venue's notice, by one certified tracer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The venue.
    pub venue_id: VenueId,
    /// [`cert_digest`] of the certificate that will sign the bundle.
    pub cert_digest: [u8; 32],
    /// Start of the exposure window, Unix seconds.
    pub start: u64,
    /// End of the exposure window (exclusive), Unix seconds.
    pub end: u64,
    /// How serious it is.
    pub severity: Severity,
    /// The message phones show.
    pub message: String,
}

impl Statement {
    /// The signed bytes (without the domain string).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + 32 + 8 + 8 + 1 + 1 + self.message.len());
        out.extend_from_slice(&self.venue_id.0);
        out.extend_from_slice(&self.cert_digest);
        put_u64(&mut out, self.start);
        put_u64(&mut out, self.end);
        out.push(self.severity.to_byte());
        put_short_bytes(&mut out, self.message.as_bytes());
        out
    }

    /// Checks the window and message as a payload's (spec section 11.1).
    pub fn validate(&self) -> Result<(), NoticeError> {
        self.clone()
            .into_payload(Approval {
                by: Approver::Venue,
                signature: [0; 64],
            })
            .validate()
    }

    fn sign_with(&self, key: &SigningKey, by: Approver) -> Approval {
        let sig = key.sign(&domain::signed_message(
            domain::NOTICE_APPROVAL,
            &self.to_bytes(),
        ));
        Approval {
            by,
            signature: sig.to_bytes(),
        }
    }

    /// The venue approves, with the signing key its poster carries.
    pub fn approve_as_venue(&self, venue: &VenueKeys) -> Approval {
        self.sign_with(&venue.signing, Approver::Venue)
    }

    /// The authority approves with its emergency approval key, for a venue it cannot reach.
    pub fn approve_as_authority(&self, emergency: &Ed25519Secret) -> Approval {
        self.sign_with(&emergency.0, Approver::Authority)
    }

    /// The payload that carries this notice and its approval.
    pub fn into_payload(self, approval: Approval) -> NoticePayload {
        NoticePayload {
            start: self.start,
            end: self.end,
            severity: self.severity,
            message: self.message,
            approval,
        }
    }

    /// Checks an approval: a venue's with `venue_key` (from the poster), the authority's with
    /// `emergency_key` (from the trust file). Ed25519 `verify_strict`.
    pub fn verify(
        &self,
        approval: &Approval,
        venue_key: &VerifyingKey,
        emergency_key: &VerifyingKey,
    ) -> Result<(), NoticeError> {
        let key = match approval.by {
            Approver::Venue => venue_key,
            Approver::Authority => emergency_key,
        };
        key.verify_strict(
            &domain::signed_message(domain::NOTICE_APPROVAL, &self.to_bytes()),
            &Signature::from_bytes(&approval.signature),
        )
        .map_err(|_| NoticeError::BadApproval)
    }
}

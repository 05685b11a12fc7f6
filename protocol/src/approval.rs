//! The approval of a notice (spec section 11a, "Approval"): no single key can make phones
//! alert.
//!
//! A tracer's bundle alone is not enough. Every entry's payload carries an approval of the
//! notice (venue, tracer certificate, window, severity and message) by a second party: the
//! venue's own poster key, which every phone that visited already holds, or, when the venue
//! cannot be reached, a threshold of the authority's emergency officers, whose keys phones pin
//! with the trust file. No one officer can approve alone, and the officers' keys are kept apart
//! from the root and from every tracer.
//!
//! ```text
//! statement = venue_id[32] | cert_digest[32] | start u64 | end u64 | severity u8 | str8 message
//! venue     = Ed25519.Sign(venue key,   "checkin/v2/notice-approval"    || 0x00 || statement)
//! officer   = Ed25519.Sign(officer key, "checkin/v2/emergency-approval" || 0x00 || statement)
//! cert_digest = BLAKE3.derive_key("checkin/v2/certificate-digest", certificate encoding)
//! ```
//!
//! On the wire, a venue's approval is its 64-byte signature; the authority's is
//! `count u8 | count × (officer u8 | signature[64])`, where `officer` is the position of the
//! officer's `emergency` line in the trust file, from 0.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::cert::Certificate;
use crate::domain;
use crate::error::{NoticeError, TrustError};
use crate::keys::{Ed25519Secret, VenueKeys};
use crate::notice::{NoticePayload, Severity};
use crate::poster::VenueId;
use crate::wire::{put_short_bytes, put_u64};

/// Fewest emergency officers a trust file lists, and the lowest threshold: two, so that no
/// single officer approves.
pub const MIN_OFFICERS: usize = 2;
/// Most emergency officers a trust file lists, and most signatures an authority approval
/// carries.
pub const MAX_OFFICERS: usize = 5;

/// Who approved a notice: the payload's approver byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Approver {
    /// Byte 1: the venue, with the Ed25519 key its poster carries.
    Venue,
    /// Byte 2: a threshold of the authority's emergency officers (the `emergency` keys of the
    /// trust file), for a venue that cannot be reached.
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

/// One emergency officer's signature in an authority approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OfficerSignature {
    /// The officer: the position of their key among the trust file's `emergency` lines.
    pub officer: u8,
    /// Their Ed25519 signature over the statement.
    pub signature: [u8; 64],
}

/// An approval as it travels inside a notice payload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Approval {
    /// The venue's signature, with the key its poster carries.
    Venue([u8; 64]),
    /// Emergency officers' signatures, at least the trust file's threshold of them.
    Authority(Vec<OfficerSignature>),
}

impl Approval {
    /// Who approved.
    pub fn by(&self) -> Approver {
        match self {
            Approval::Venue(_) => Approver::Venue,
            Approval::Authority(_) => Approver::Authority,
        }
    }

    /// Length of the approval on the wire (after the approver byte).
    pub fn encoded_len(&self) -> usize {
        match self {
            Approval::Venue(_) => 64,
            Approval::Authority(s) => 1 + s.len() * 65,
        }
    }

    /// Appends the wire form (after the approver byte). At most [`MAX_OFFICERS`] signatures
    /// are written; [`NoticePayload::validate`] refuses more.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Approval::Venue(sig) => out.extend_from_slice(sig),
            Approval::Authority(sigs) => {
                let n = sigs.len().min(MAX_OFFICERS);
                out.push(n as u8);
                for s in &sigs[..n] {
                    out.push(s.officer);
                    out.extend_from_slice(&s.signature);
                }
            }
        }
    }
}

/// The emergency officers a trust file lists, and how many of them must approve together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyOfficers {
    keys: Vec<VerifyingKey>,
    threshold: usize,
}

impl EmergencyOfficers {
    /// `keys` in the trust file's order, and the threshold: 2 to 5 distinct keys, a threshold
    /// from 2 to their number.
    pub fn new(keys: Vec<VerifyingKey>, threshold: usize) -> Result<EmergencyOfficers, TrustError> {
        if !(MIN_OFFICERS..=MAX_OFFICERS).contains(&keys.len())
            || !(MIN_OFFICERS..=keys.len()).contains(&threshold)
        {
            return Err(TrustError::InvalidThreshold {
                officers: keys.len(),
                threshold,
            });
        }
        if keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k)) {
            return Err(TrustError::Malformed("an emergency key appears twice"));
        }
        Ok(EmergencyOfficers { keys, threshold })
    }

    /// The officers' public keys, in the trust file's order.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// How many officers must sign an authority approval.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The position of `key` among the officers, if it is one.
    pub fn index_of(&self, key: &VerifyingKey) -> Option<u8> {
        self.keys.iter().position(|k| k == key).map(|i| i as u8)
    }
}

/// The digest that names a tracer certificate inside an approval statement.
pub fn cert_digest(cert: &Certificate) -> [u8; 32] {
    blake3::derive_key(domain::CERTIFICATE_DIGEST, cert.to_bytes())
}

/// What a venue (or the authority's officers) approves: one venue's notice, by one certified
/// tracer.
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
            .into_payload(Approval::Venue([0; 64]))
            .validate()
    }

    fn sign_with(&self, key: &SigningKey, context: &[u8]) -> [u8; 64] {
        key.sign(&domain::signed_message(context, &self.to_bytes()))
            .to_bytes()
    }

    /// The venue approves, with the signing key its poster carries.
    pub fn approve_as_venue(&self, venue: &VenueKeys) -> Approval {
        Approval::Venue(self.sign_with(&venue.signing, domain::NOTICE_APPROVAL))
    }

    /// One emergency officer's share of an authority approval: `officer` is the position of
    /// `key`'s public key among the trust file's `emergency` lines.
    pub fn sign_as_officer(&self, officer: u8, key: &Ed25519Secret) -> OfficerSignature {
        OfficerSignature {
            officer,
            signature: self.sign_with(&key.0, domain::EMERGENCY_APPROVAL),
        }
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

    /// Checks one officer's share against the officers of the trust file: a known officer
    /// whose key signed this statement.
    pub fn verify_officer(
        &self,
        share: &OfficerSignature,
        officers: &EmergencyOfficers,
    ) -> Result<(), NoticeError> {
        let key = officers
            .keys
            .get(usize::from(share.officer))
            .ok_or(NoticeError::UnknownOfficer(share.officer))?;
        key.verify_strict(
            &domain::signed_message(domain::EMERGENCY_APPROVAL, &self.to_bytes()),
            &Signature::from_bytes(&share.signature),
        )
        .map_err(|_| NoticeError::BadApproval)
    }

    /// Checks an approval (spec section 11a): a venue's with `venue_key` (from the poster);
    /// the authority's with `officers` (from the trust file), checking in this order that it
    /// carries at least the threshold of signatures, each by a listed officer, no officer
    /// twice, and that every one verifies. Ed25519 `verify_strict`.
    pub fn verify(
        &self,
        approval: &Approval,
        venue_key: &VerifyingKey,
        officers: &EmergencyOfficers,
    ) -> Result<(), NoticeError> {
        match approval {
            Approval::Venue(sig) => venue_key
                .verify_strict(
                    &domain::signed_message(domain::NOTICE_APPROVAL, &self.to_bytes()),
                    &Signature::from_bytes(sig),
                )
                .map_err(|_| NoticeError::BadApproval),
            Approval::Authority(sigs) => {
                if sigs.len() < officers.threshold {
                    return Err(NoticeError::TooFewOfficers {
                        signed: sigs.len(),
                        threshold: officers.threshold,
                    });
                }
                if let Some(s) = sigs
                    .iter()
                    .find(|s| usize::from(s.officer) >= officers.keys.len())
                {
                    return Err(NoticeError::UnknownOfficer(s.officer));
                }
                for (i, s) in sigs.iter().enumerate() {
                    if sigs[..i].iter().any(|t| t.officer == s.officer) {
                        return Err(NoticeError::DuplicateOfficer(s.officer));
                    }
                }
                sigs.iter()
                    .try_for_each(|s| self.verify_officer(s, officers))
            }
        }
    }
}

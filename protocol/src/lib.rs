#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod approval;
pub mod batch;
pub mod case;
pub mod cert;
pub mod client;
pub mod derive;
pub mod domain;
pub mod error;
#[cfg(fuzzing)]
pub mod fuzzing;
mod hpke_suite;
pub mod keys;
pub mod matching;
pub mod notice;
pub mod pin;
pub mod poster;
pub mod query;
pub mod release;
pub mod revocation;
pub mod trust;
pub mod unwrap_request;
pub mod vault;
mod wire;

pub use ed25519_dalek::VerifyingKey;

pub use approval::{
    Approval, Approver, EmergencyOfficers, OfficerSignature, Statement as ApprovalStatement,
};
pub use case::{CaseCode, CaseDiary, CaseVisit};
pub use cert::{Certificate, Roles};
pub use derive::{Tag, hour_of, hours_covered, notice_tag, vault_file_tag, vault_tag};
pub use error::{
    ApprovalError, BatchError, BundleError, CaseError, CertError, DayError, FileError, NoticeError,
    PosterError, QueryError, ReleaseError, RevocationError, TextProblem, TrustError,
    UnwrapRequestError, VaultError, VaultResponseError, VisitError,
};
pub use keys::{
    AuthorityRootKey, Ed25519Secret, SealingPublicKey, SealingSecretKey, TracerKey, VenueKeys,
    VenueSecret,
};
pub use matching::{Alert, Matcher, ScanStats, Visit};
pub use notice::{Bundle, BundleVerifier, NoticePayload, SealedNotices, Severity, VenueNotice};
pub use pin::Pin;
pub use poster::{Poster, PosterInfo, Validity, VenueId};
pub use release::Release;
pub use revocation::RevocationList;
pub use trust::{SealingPeriod, TrustAnchor};
pub use vault::ContactRecord;

/// Protocol version this crate implements.
pub const PROTOCOL_VERSION: u8 = 2;

/// Lower-case hex, for `Debug` output, ids and the vectors' public values.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

//! Error types, one per area.
//!
//! Each message says what went wrong in words a user can act on. Each variant also has a
//! stable `code()`, the name the negative test vectors in `spec/vectors/` use, so that the
//! vectors pin which check must fail. Cryptographic failures stay opaque: a wrong key and a
//! tampered ciphertext give the same error.

use std::fmt;

pub use crate::wire::TextProblem;

/// Why a poster, or a poster URL, was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PosterError {
    /// The encoding ended before the poster was complete.
    Truncated,
    /// Bytes follow the signature.
    TrailingBytes,
    /// The encoding is longer than any valid poster.
    TooLong,
    /// The first byte names a format version this software does not know.
    UnsupportedVersion(u8),
    /// The flags byte has bits set that version 2 does not define.
    UnknownFlags(u8),
    /// A text field breaks the text rules.
    InvalidText {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        problem: TextProblem,
    },
    /// The default stay is outside 1..=720 minutes.
    InvalidStay(u16),
    /// The validity window is empty or reversed.
    InvalidValidity,
    /// A venue key is not a valid public key: the Ed25519 key is not a canonical point of
    /// large order, or the X25519 key has small order (spec section 6, "Valid keys").
    InvalidKey,
    /// The venue's signature does not verify.
    BadSignature,
    /// The poster's validity window has not begun.
    NotYetValid {
        /// When it begins, in Unix seconds.
        from: u64,
    },
    /// The poster's validity window has ended.
    Expired {
        /// When it ended, in Unix seconds.
        until: u64,
    },
    /// The text is not base64url without padding.
    BadBase64,
    /// The URL is not a poster URL.
    BadUrl(&'static str),
}

impl PosterError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            PosterError::Truncated => "poster_truncated",
            PosterError::TrailingBytes => "poster_trailing_bytes",
            PosterError::TooLong => "poster_too_long",
            PosterError::UnsupportedVersion(_) => "poster_unsupported_version",
            PosterError::UnknownFlags(_) => "poster_unknown_flags",
            PosterError::InvalidText { .. } => "poster_invalid_text",
            PosterError::InvalidStay(_) => "poster_invalid_stay",
            PosterError::InvalidValidity => "poster_invalid_validity",
            PosterError::InvalidKey => "poster_invalid_key",
            PosterError::BadSignature => "poster_bad_signature",
            PosterError::NotYetValid { .. } => "poster_not_yet_valid",
            PosterError::Expired { .. } => "poster_expired",
            PosterError::BadBase64 => "poster_bad_base64",
            PosterError::BadUrl(_) => "poster_bad_url",
        }
    }
}

impl fmt::Display for PosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PosterError::Truncated => {
                f.write_str("the poster code is cut short: scan the whole QR code again")
            }
            PosterError::TrailingBytes => f.write_str(
                "the poster code has extra bytes after its signature: it is not a venue poster",
            ),
            PosterError::TooLong => {
                f.write_str("the poster code is longer than any venue poster can be")
            }
            PosterError::UnsupportedVersion(v) => write!(
                f,
                "the poster uses format version {v}, which this software does not know: update it"
            ),
            PosterError::UnknownFlags(b) => write!(
                f,
                "the poster sets unknown option flags ({b:#04x}): update this software"
            ),
            PosterError::InvalidText { field, problem } => {
                write!(f, "the poster's {field} {problem}")
            }
            PosterError::InvalidStay(m) => write!(
                f,
                "the poster's default stay of {m} minutes is outside 1 to 720 minutes"
            ),
            PosterError::InvalidValidity => {
                f.write_str("the poster's validity window ends before it begins")
            }
            PosterError::InvalidKey => f.write_str(
                "the poster's venue keys are not valid public keys (a weak or malformed key): \
                 this is not a poster venue-keygen made",
            ),
            PosterError::BadSignature => f.write_str(
                "poster signature does not verify: the QR code was altered or is not a venue poster",
            ),
            PosterError::NotYetValid { from } => {
                write!(f, "this poster is not valid until {from} (Unix time)")
            }
            PosterError::Expired { until } => write!(
                f,
                "this poster expired at {until} (Unix time): ask the venue for a current one"
            ),
            PosterError::BadBase64 => f.write_str(
                "the poster code is not base64url without padding: it is not a venue poster",
            ),
            PosterError::BadUrl(why) => write!(f, "not a poster URL: {why}"),
        }
    }
}

impl std::error::Error for PosterError {}

/// Why a tracer certificate was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    /// The encoding ended early.
    Truncated,
    /// Bytes follow the signature.
    TrailingBytes,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// The tracer name breaks the text rules.
    InvalidName(TextProblem),
    /// The validity period is empty or reversed.
    InvalidValidity,
    /// The roles byte is zero or sets unknown bits.
    InvalidRoles(u8),
    /// The tracer public key is not a valid curve point.
    InvalidKey,
    /// The root's signature does not verify against the pinned root key.
    BadSignature,
    /// The certificate was not valid at the time that matters.
    NotValidAt {
        /// The time that was checked, in Unix seconds.
        at: u64,
    },
}

impl CertError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            CertError::Truncated => "cert_truncated",
            CertError::TrailingBytes => "cert_trailing_bytes",
            CertError::UnsupportedVersion(_) => "cert_unsupported_version",
            CertError::InvalidName(_) => "cert_invalid_name",
            CertError::InvalidValidity => "cert_invalid_validity",
            CertError::InvalidRoles(_) => "cert_invalid_roles",
            CertError::InvalidKey => "cert_invalid_key",
            CertError::BadSignature => "cert_bad_signature",
            CertError::NotValidAt { .. } => "cert_not_valid_at",
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertError::Truncated => f.write_str("the tracer certificate is cut short"),
            CertError::TrailingBytes => {
                f.write_str("the tracer certificate has extra bytes after its signature")
            }
            CertError::UnsupportedVersion(v) => write!(
                f,
                "the tracer certificate uses unknown format version {v}: update this software"
            ),
            CertError::InvalidName(p) => write!(f, "the tracer name {p}"),
            CertError::InvalidValidity => {
                f.write_str("the tracer certificate's validity period ends before it begins")
            }
            CertError::InvalidKey => f.write_str("the tracer certificate's key is not valid"),
            CertError::InvalidRoles(b) => write!(
                f,
                "the tracer certificate's roles byte {b:#04x} is not 1 (publish), 2 (query) or 3 (both)"
            ),
            CertError::BadSignature => f.write_str(
                "the tracer certificate is not signed by the pinned authority root: \
                 it is forged or belongs to another authority",
            ),
            CertError::NotValidAt { at } => write!(
                f,
                "the tracer certificate was not valid at {at} (Unix time): \
                 it has expired or is not yet valid"
            ),
        }
    }
}

impl std::error::Error for CertError {}

/// Why a notice bundle was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// The encoding ended early.
    Truncated,
    /// Bytes follow the signature.
    TrailingBytes,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// The bundle's notice length is not a multiple of 16 from 112 to 528.
    InvalidNoticeLength(u16),
    /// The bundle has no notices.
    NoNotices,
    /// The bundle has more notices than the limit.
    TooManyNotices(u16),
    /// The bundle has no entries.
    NoEntries,
    /// The bundle has more entries than the limit.
    TooManyEntries(u32),
    /// Entries are not in strictly ascending tag order (or a tag repeats).
    EntriesNotSorted,
    /// The embedded certificate is bad.
    Certificate(CertError),
    /// The bundle was made outside its certificate's validity.
    OutsideCertificateValidity,
    /// The certificate does not give its tracer the publish role.
    CertificateCannotPublish,
    /// The authority's revocation list names the bundle's tracer key.
    CertificateRevoked,
    /// The bundle claims a creation time too far in the future.
    FromTheFuture {
        /// The claimed creation time, in Unix seconds.
        created_at: u64,
    },
    /// The bundle was made longer ago than phones keep visits (14 days): it can match nothing
    /// a phone still holds, and a stolen tracer key must not be able to replay old notices.
    TooOld {
        /// The claimed creation time, in Unix seconds.
        created_at: u64,
    },
    /// The tracer's signature does not verify.
    BadSignature,
}

impl BundleError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Truncated => "bundle_truncated",
            BundleError::TrailingBytes => "bundle_trailing_bytes",
            BundleError::UnsupportedVersion(_) => "bundle_unsupported_version",
            BundleError::InvalidNoticeLength(_) => "bundle_invalid_notice_length",
            BundleError::NoNotices => "bundle_no_notices",
            BundleError::TooManyNotices(_) => "bundle_too_many_notices",
            BundleError::NoEntries => "bundle_no_entries",
            BundleError::TooManyEntries(_) => "bundle_too_many_entries",
            BundleError::EntriesNotSorted => "bundle_entries_not_sorted",
            BundleError::Certificate(e) => e.code(),
            BundleError::OutsideCertificateValidity => "bundle_outside_certificate_validity",
            BundleError::CertificateCannotPublish => "bundle_certificate_cannot_publish",
            BundleError::CertificateRevoked => "bundle_certificate_revoked",
            BundleError::FromTheFuture { .. } => "bundle_from_the_future",
            BundleError::TooOld { .. } => "bundle_too_old",
            BundleError::BadSignature => "bundle_bad_signature",
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Truncated => f.write_str("the notice bundle is cut short"),
            BundleError::TrailingBytes => {
                f.write_str("the notice bundle has extra bytes after its signature")
            }
            BundleError::UnsupportedVersion(v) => write!(
                f,
                "the notice bundle uses unknown format version {v}: update this software"
            ),
            BundleError::InvalidNoticeLength(n) => write!(
                f,
                "the notice bundle's notices are {n} bytes long, not a multiple of 16 from {} \
                 to {}",
                crate::notice::MIN_NOTICE_LEN,
                crate::notice::MAX_NOTICE_LEN
            ),
            BundleError::NoNotices => f.write_str("the notice bundle has no notices"),
            BundleError::TooManyNotices(n) => write!(
                f,
                "the notice bundle has {n} notices, more than the limit of {}",
                crate::notice::MAX_BUNDLE_NOTICES
            ),
            BundleError::NoEntries => f.write_str("the notice bundle has no entries"),
            BundleError::TooManyEntries(n) => write!(
                f,
                "the notice bundle has {n} entries, more than the limit of {}",
                crate::notice::MAX_BUNDLE_ENTRIES
            ),
            BundleError::EntriesNotSorted => f.write_str(
                "the notice bundle's entries are not in ascending tag order without repeats",
            ),
            BundleError::Certificate(e) => write!(f, "notice bundle rejected: {e}"),
            BundleError::CertificateCannotPublish => f.write_str(
                "the bundle's tracer certificate does not allow publishing notices (its role is \
                 query only)",
            ),
            BundleError::CertificateRevoked => f.write_str(
                "the authority has revoked the key of the tracer who signed this notice bundle, \
                 so its notices are not trusted",
            ),
            BundleError::OutsideCertificateValidity => f.write_str(
                "the notice bundle was made outside its tracer certificate's validity period",
            ),
            BundleError::FromTheFuture { created_at } => write!(
                f,
                "the notice bundle claims to be made at {created_at} (Unix time), in the future: \
                 check the clocks"
            ),
            BundleError::TooOld { created_at } => write!(
                f,
                "the notice bundle was made at {created_at} (Unix time), more than 14 days ago: \
                 phones no longer hold visits that old, so it is refused"
            ),
            BundleError::BadSignature => f.write_str(
                "the notice bundle's signature does not verify: it was altered in transit \
                 or not made by the certified tracer",
            ),
        }
    }
}

impl std::error::Error for BundleError {}

impl From<CertError> for BundleError {
    fn from(e: CertError) -> Self {
        BundleError::Certificate(e)
    }
}

/// Why a notice could not be built or a notice payload was not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeError {
    /// The exposure window is empty, reversed, or longer than the limit.
    InvalidWindow,
    /// The message breaks the text rules.
    InvalidMessage(TextProblem),
    /// The severity byte is not 1 (low) or 2 (high).
    InvalidSeverity(u8),
    /// The payload does not decrypt.
    DecryptionFailed,
    /// The decrypted payload is not canonical (bad length or non-zero padding).
    MalformedPayload,
    /// The decrypted window does not overlap the hour its tag names.
    WindowOutsideHour,
    /// The approver byte is not 1 (venue) or 2 (authority).
    InvalidApprover(u8),
    /// The approval does not verify under the approver's key.
    BadApproval,
    /// An authority approval carries fewer officers' signatures than the trust file's
    /// threshold.
    TooFewOfficers {
        /// Signatures it carries.
        signed: usize,
        /// The trust file's threshold.
        threshold: usize,
    },
    /// An authority approval names an officer the trust file does not list.
    UnknownOfficer(u8),
    /// An authority approval carries one officer's signature twice.
    DuplicateOfficer(u8),
    /// Too many entries for one bundle.
    TooManyEntries(usize),
    /// Too many venue notices for one bundle.
    TooManyNotices(usize),
    /// A bundle needs at least one entry.
    NoEntries,
}

impl NoticeError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            NoticeError::InvalidWindow => "notice_invalid_window",
            NoticeError::InvalidMessage(_) => "notice_invalid_message",
            NoticeError::InvalidSeverity(_) => "notice_invalid_severity",
            NoticeError::DecryptionFailed => "notice_decryption_failed",
            NoticeError::MalformedPayload => "notice_malformed_payload",
            NoticeError::WindowOutsideHour => "notice_window_outside_hour",
            NoticeError::InvalidApprover(_) => "notice_invalid_approver",
            NoticeError::BadApproval => "notice_bad_approval",
            NoticeError::TooFewOfficers { .. } => "notice_too_few_officers",
            NoticeError::UnknownOfficer(_) => "notice_unknown_officer",
            NoticeError::DuplicateOfficer(_) => "notice_duplicate_officer",
            NoticeError::TooManyEntries(_) => "notice_too_many_entries",
            NoticeError::TooManyNotices(_) => "notice_too_many_notices",
            NoticeError::NoEntries => "notice_no_entries",
        }
    }
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoticeError::InvalidWindow => write!(
                f,
                "the exposure window must start before it ends and last at most {} hours",
                crate::notice::MAX_WINDOW_SECS / 3600
            ),
            NoticeError::InvalidMessage(p) => write!(f, "the notice message {p}"),
            NoticeError::InvalidSeverity(s) => {
                write!(f, "severity {s} is unknown: use low (1) or high (2)")
            }
            NoticeError::DecryptionFailed => f.write_str("the notice does not decrypt"),
            NoticeError::MalformedPayload => f.write_str("the notice payload is malformed"),
            NoticeError::WindowOutsideHour => {
                f.write_str("the notice window does not overlap the hour of its entry")
            }
            NoticeError::InvalidApprover(b) => {
                write!(
                    f,
                    "approver {b} is unknown: 1 is the venue, 2 the authority"
                )
            }
            NoticeError::BadApproval => f.write_str(
                "the notice's approval does not verify: neither the venue nor the authority \
                 approved it as published",
            ),
            NoticeError::TooFewOfficers { signed, threshold } => write!(
                f,
                "the authority's emergency approval carries {signed} officer signature(s), \
                 fewer than the {threshold} the trust file requires: it cannot alert"
            ),
            NoticeError::UnknownOfficer(i) => write!(
                f,
                "the authority's emergency approval names officer {i}, whom the trust file \
                 does not list: it cannot alert"
            ),
            NoticeError::DuplicateOfficer(i) => write!(
                f,
                "the authority's emergency approval carries officer {i}'s signature twice: \
                 one officer counts once, so it cannot alert"
            ),
            NoticeError::TooManyEntries(n) => write!(
                f,
                "the notice needs {n} entries, more than one bundle may hold ({}): \
                 split it into several notices",
                crate::notice::MAX_BUNDLE_ENTRIES
            ),
            NoticeError::TooManyNotices(n) => write!(
                f,
                "{n} venue notices are more than one bundle may hold ({}): split the case into \
                 several bundles",
                crate::notice::MAX_BUNDLE_NOTICES
            ),
            NoticeError::NoEntries => f.write_str("a notice bundle needs at least one entry"),
        }
    }
}

impl std::error::Error for NoticeError {}

/// Why a visit or a matching parameter is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitError {
    /// Departure is before arrival.
    DepartureBeforeArrival,
    /// The visit is longer than the protocol's limit.
    TooLong,
    /// The threshold must be at least one second.
    ZeroThreshold,
}

impl VisitError {
    /// The stable name of this error.
    pub fn code(&self) -> &'static str {
        match self {
            VisitError::DepartureBeforeArrival => "visit_departure_before_arrival",
            VisitError::TooLong => "visit_too_long",
            VisitError::ZeroThreshold => "visit_zero_threshold",
        }
    }
}

impl fmt::Display for VisitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VisitError::DepartureBeforeArrival => f.write_str("the visit ends before it begins"),
            VisitError::TooLong => write!(
                f,
                "the visit is longer than {} days, the most a diary keeps",
                crate::matching::MAX_VISIT_SECS / 86_400
            ),
            VisitError::ZeroThreshold => {
                f.write_str("the overlap threshold must be at least one second")
            }
        }
    }
}

impl std::error::Error for VisitError {}

/// Why a vault record could not be sealed, stripped or opened.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultError {
    /// The record (or inner record) does not have its fixed length.
    WrongLength {
        /// The length the format requires.
        expected: usize,
        /// The length that was given.
        got: usize,
    },
    /// Unknown format version inside the sealed contact record.
    UnsupportedVersion(u8),
    /// The record's tag is not one of this venue's vault tags for the requested hours.
    NotForThisVenue,
    /// A layer does not decrypt: wrong key or tampered record.
    DecryptionFailed,
    /// A contact field breaks its rules.
    InvalidContact {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        problem: TextProblem,
    },
    /// Neither a phone number nor an e-mail address: a tracer could not reach the visitor.
    NoPhoneOrEmail,
    /// The party size is outside 1..=50.
    InvalidPartySize(u8),
    /// Departure is before arrival.
    InvalidTimes,
    /// The decrypted contact record is not canonical.
    Malformed,
    /// The trust file names no sealing key for an hour of the visit.
    NoSealingKey {
        /// The hour (Unix time / 3600) no sealing period covers.
        hour: u64,
    },
}

impl VaultError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::WrongLength { .. } => "vault_wrong_length",
            VaultError::UnsupportedVersion(_) => "vault_unsupported_version",
            VaultError::NotForThisVenue => "vault_not_for_this_venue",
            VaultError::DecryptionFailed => "vault_decryption_failed",
            VaultError::InvalidContact { .. } => "vault_invalid_contact",
            VaultError::NoPhoneOrEmail => "vault_no_phone_or_email",
            VaultError::InvalidPartySize(_) => "vault_invalid_party_size",
            VaultError::InvalidTimes => "vault_invalid_times",
            VaultError::Malformed => "vault_malformed",
            VaultError::NoSealingKey { .. } => "vault_no_sealing_key",
        }
    }
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultError::WrongLength { expected, got } => write!(
                f,
                "a vault record is {expected} bytes, but this one is {got}: it is damaged"
            ),
            VaultError::UnsupportedVersion(v) => write!(
                f,
                "the contact record uses unknown format version {v}: update this software"
            ),
            VaultError::NotForThisVenue => f.write_str(
                "the vault record does not belong to this venue and the requested hours",
            ),
            VaultError::DecryptionFailed => f.write_str(
                "the vault record does not decrypt: it is sealed to another key or was altered",
            ),
            VaultError::InvalidContact { field, problem } => {
                write!(f, "the contact {field} {problem}")
            }
            VaultError::NoPhoneOrEmail => f.write_str(
                "the contact details give neither a phone number nor an e-mail address: give \
                 at least one, so that a contact tracer can reach you",
            ),
            VaultError::InvalidPartySize(n) => {
                write!(f, "a party size of {n} is outside 1 to 50")
            }
            VaultError::InvalidTimes => f.write_str("the visit ends before it begins"),
            VaultError::Malformed => f.write_str("the opened contact record is malformed"),
            VaultError::NoSealingKey { hour } => write!(
                f,
                "the authority's trust file has no sealing key for {} (UTC): nothing was \
                 sealed; get the authority's current trust file and pin it ('checkin trust')",
                crate::trust::format_day(hour / 24)
            ),
        }
    }
}

impl std::error::Error for VaultError {}

/// Why a shared case diary could not be made or opened.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseError {
    /// The file ended early.
    Truncated,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// The file does not decrypt: sealed to another authority, or altered.
    DecryptionFailed,
    /// The decrypted diary is not canonical.
    Malformed,
    /// More visits than the limit.
    TooManyVisits(usize),
    /// A visit in the diary is invalid.
    InvalidVisit(VisitError),
    /// A poster in the diary is invalid.
    InvalidPoster(PosterError),
    /// A case code as typed is not 16 letters and digits of its alphabet.
    CodeMalformed,
    /// A case file handed over by code does not carry the tag its code gives: it is not the
    /// file the citizen's phone sent.
    CodeMismatch,
}

impl CaseError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::Truncated => "case_truncated",
            CaseError::UnsupportedVersion(_) => "case_unsupported_version",
            CaseError::DecryptionFailed => "case_decryption_failed",
            CaseError::Malformed => "case_malformed",
            CaseError::TooManyVisits(_) => "case_too_many_visits",
            CaseError::InvalidVisit(_) => "case_invalid_visit",
            CaseError::InvalidPoster(_) => "case_invalid_poster",
            CaseError::CodeMalformed => "case_code_malformed",
            CaseError::CodeMismatch => "case_code_mismatch",
        }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::Truncated => f.write_str("the case file is cut short"),
            CaseError::UnsupportedVersion(v) => write!(
                f,
                "the case file uses unknown format version {v}: update this software"
            ),
            CaseError::DecryptionFailed => f.write_str(
                "the case file does not decrypt: it is sealed to another authority or was altered",
            ),
            CaseError::Malformed => f.write_str("the opened case diary is malformed"),
            CaseError::TooManyVisits(n) => write!(
                f,
                "the case diary has {n} visits, more than the limit of {}",
                crate::case::MAX_CASE_VISITS
            ),
            CaseError::InvalidVisit(e) => write!(f, "a visit in the case diary is invalid: {e}"),
            CaseError::InvalidPoster(e) => {
                write!(f, "a poster in the case diary is invalid: {e}")
            }
            CaseError::CodeMalformed => f.write_str(
                "a case code is 16 letters and digits 2 to 7, such as ABCD-EFGH-JKLM-NPQR: \
                 check it with the citizen",
            ),
            CaseError::CodeMismatch => f.write_str(
                "the case file does not match its code: it is not the file the citizen's phone \
                 sent (the server or someone on the way changed it). Nothing was saved: ask the citizen to \
                 read the code again, or to hand over the file itself",
            ),
        }
    }
}

impl std::error::Error for CaseError {}

/// Why a vault query was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The encoding ended early.
    Truncated,
    /// Bytes follow the signature.
    TrailingBytes,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// No tags, or more than the limit.
    InvalidTagCount(u16),
    /// The embedded certificate is bad.
    Certificate(CertError),
    /// The query's timestamp is too far from the verifier's clock.
    Stale {
        /// The query's timestamp, in Unix seconds.
        timestamp: u64,
    },
    /// The certificate does not give its tracer the query role.
    CertificateCannotQuery,
    /// The authority's revocation list names the query's tracer key.
    CertificateRevoked,
    /// The tracer's signature does not verify.
    BadSignature,
}

impl QueryError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::Truncated => "query_truncated",
            QueryError::TrailingBytes => "query_trailing_bytes",
            QueryError::UnsupportedVersion(_) => "query_unsupported_version",
            QueryError::InvalidTagCount(_) => "query_invalid_tag_count",
            QueryError::Certificate(e) => e.code(),
            QueryError::Stale { .. } => "query_stale",
            QueryError::CertificateCannotQuery => "query_certificate_cannot_query",
            QueryError::CertificateRevoked => "query_certificate_revoked",
            QueryError::BadSignature => "query_bad_signature",
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Truncated => f.write_str("the vault query is cut short"),
            QueryError::TrailingBytes => {
                f.write_str("the vault query has extra bytes after its signature")
            }
            QueryError::UnsupportedVersion(v) => {
                write!(f, "the vault query uses unknown format version {v}")
            }
            QueryError::InvalidTagCount(n) => write!(
                f,
                "a vault query carries 1 to {} tags, not {n}",
                crate::query::MAX_QUERY_TAGS
            ),
            QueryError::Certificate(e) => write!(f, "vault query rejected: {e}"),
            QueryError::Stale { timestamp } => write!(
                f,
                "the vault query's time {timestamp} (Unix time) is more than {} seconds \
                 from the server's clock: check the clocks and sign a fresh query",
                crate::query::MAX_QUERY_SKEW_SECS
            ),
            QueryError::CertificateCannotQuery => f.write_str(
                "the query's tracer certificate does not allow querying the vault (its role is \
                 publish only): ask the authority for a certificate with the query role",
            ),
            QueryError::CertificateRevoked => f.write_str(
                "the authority has revoked this tracer's key, so it may not query the vault",
            ),
            QueryError::BadSignature => {
                f.write_str("the vault query's signature does not verify: it was altered or forged")
            }
        }
    }
}

impl std::error::Error for QueryError {}

impl From<CertError> for QueryError {
    fn from(e: CertError) -> Self {
        QueryError::Certificate(e)
    }
}

/// Why a trust file was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustError {
    /// The first line is not `checkin-trust v1`.
    NotATrustFile,
    /// A line or field is wrong.
    Malformed(&'static str),
    /// The authority name breaks the text rules.
    InvalidName(TextProblem),
    /// A key is not 32 bytes of base64url, or the root key is not a valid point.
    InvalidKey,
    /// A sealing period's dates are not valid, or the periods do not follow one another.
    InvalidPeriod(&'static str),
    /// The file does not end with a `signature` line.
    Unsigned,
    /// The signature is not the root's over the file.
    BadSignature,
    /// The file is of the pinned authority but older than the pinned one.
    OlderSerial {
        /// The pinned file's serial.
        pinned: u64,
        /// The offered file's serial.
        offered: u64,
    },
    /// The file names another root key than the pinned one.
    DifferentRoot,
    /// The file lists fewer than 2 or more than 5 emergency keys, or a threshold that is not
    /// a number from 2 to their count.
    InvalidThreshold {
        /// Emergency keys listed.
        officers: usize,
        /// The threshold given (0 when it is not a number).
        threshold: usize,
    },
}

impl TrustError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            TrustError::NotATrustFile => "trust_not_a_trust_file",
            TrustError::Malformed(_) => "trust_malformed",
            TrustError::InvalidName(_) => "trust_invalid_name",
            TrustError::InvalidKey => "trust_invalid_key",
            TrustError::InvalidPeriod(_) => "trust_invalid_period",
            TrustError::Unsigned => "trust_unsigned",
            TrustError::BadSignature => "trust_bad_signature",
            TrustError::OlderSerial { .. } => "trust_older_serial",
            TrustError::DifferentRoot => "trust_different_root",
            TrustError::InvalidThreshold { .. } => "trust_invalid_threshold",
        }
    }
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::NotATrustFile => f.write_str(
                "this is not an authority trust file (it must start with 'checkin-trust v1'): \
                 use the trust file that 'tracer authority init' wrote",
            ),
            TrustError::Malformed(why) => write!(f, "the trust file is malformed: {why}"),
            TrustError::InvalidName(p) => write!(f, "the trust file's authority name {p}"),
            TrustError::InvalidPeriod(why) => write!(
                f,
                "the trust file's sealing periods are wrong: {why}; ask the authority for its trust file"
            ),
            TrustError::InvalidKey => f.write_str(
                "a key in the trust file is not a valid public key (not 32 bytes of base64url, \
                 or a weak key): the file is damaged; ask the authority for its trust file",
            ),
            TrustError::Unsigned => f.write_str(
                "the trust file is not signed (it must end with the root's 'signature' line): \
                 ask the authority for its current trust file",
            ),
            TrustError::BadSignature => f.write_str(
                "the trust file's signature does not verify under its root key: the file was \
                 altered after the authority signed it; ask the authority for its trust file",
            ),
            TrustError::OlderSerial { pinned, offered } => write!(
                f,
                "the trust file is older (serial {offered}) than the one already pinned \
                 (serial {pinned}): it was refused and the pinned one is kept"
            ),
            TrustError::DifferentRoot => f.write_str(
                "the trust file is of another authority (another root key) than the pinned one: \
                 it was refused and the pinned one is kept",
            ),
            TrustError::InvalidThreshold {
                officers,
                threshold,
            } => write!(
                f,
                "the trust file lists {officers} emergency key(s) with a threshold of \
                 {threshold}: it must list 2 to 5 officers' keys and an emergency_threshold from \
                 2 to their number, so that no single officer approves; ask the authority for \
                 its trust file"
            ),
        }
    }
}

impl std::error::Error for TrustError {}

/// Why a signed release of the web app was refused (spec section 16d).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseError {
    /// The trust file names no release key.
    NoReleaseKey,
    /// The signature file is not `checkin-release-signature v1` and one `signature` line.
    NotASignature,
    /// The signature is not the release key's over `SHA256SUMS`.
    BadSignature,
    /// `SHA256SUMS` verified but breaks its format.
    MalformedSums(&'static str),
}

impl ReleaseError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            ReleaseError::NoReleaseKey => "release_no_key",
            ReleaseError::NotASignature => "release_not_a_signature",
            ReleaseError::BadSignature => "release_bad_signature",
            ReleaseError::MalformedSums(_) => "release_malformed_sums",
        }
    }
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseError::NoReleaseKey => f.write_str(
                "the pinned trust file names no release key, so no release can be checked: ask                  the authority for a trust file with a 'release' line",
            ),
            ReleaseError::NotASignature => f.write_str(
                "SHA256SUMS.sig is not a release signature (it must be 'checkin-release-signature                  v1' and one 'signature' line): the release is not signed",
            ),
            ReleaseError::BadSignature => f.write_str(
                "SHA256SUMS is not signed by the authority's release key: these hashes are not a                  release of the pinned authority",
            ),
            ReleaseError::MalformedSums(why) => {
                write!(f, "the signed SHA256SUMS is malformed: {why}")
            }
        }
    }
}

impl std::error::Error for ReleaseError {}

/// Why a revocation list was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationError {
    /// The encoding ended early.
    Truncated,
    /// Bytes follow the signature.
    TrailingBytes,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// More keys than the limit.
    TooManyKeys(u16),
    /// Keys are not in strictly ascending order (or a key repeats).
    KeysNotSorted,
    /// The root's signature does not verify.
    BadSignature,
    /// The list claims to be issued in the future.
    FromTheFuture {
        /// The claimed issue time, Unix seconds.
        issued_at: u64,
    },
    /// The list is not newer than the one already held.
    NotNewer {
        /// This list's issue time.
        issued_at: u64,
        /// The held list's issue time.
        held: u64,
    },
}

impl RevocationError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            RevocationError::Truncated => "revocation_truncated",
            RevocationError::TrailingBytes => "revocation_trailing_bytes",
            RevocationError::UnsupportedVersion(_) => "revocation_unsupported_version",
            RevocationError::TooManyKeys(_) => "revocation_too_many_keys",
            RevocationError::KeysNotSorted => "revocation_keys_not_sorted",
            RevocationError::BadSignature => "revocation_bad_signature",
            RevocationError::FromTheFuture { .. } => "revocation_from_the_future",
            RevocationError::NotNewer { .. } => "revocation_not_newer",
        }
    }
}

impl fmt::Display for RevocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevocationError::Truncated => f.write_str("the revocation list is cut short"),
            RevocationError::TrailingBytes => {
                f.write_str("the revocation list has extra bytes after its signature")
            }
            RevocationError::UnsupportedVersion(v) => write!(
                f,
                "the revocation list uses unknown format version {v}: update this software"
            ),
            RevocationError::TooManyKeys(n) => write!(
                f,
                "the revocation list names {n} keys, more than the limit of {}",
                crate::revocation::MAX_REVOKED_KEYS
            ),
            RevocationError::KeysNotSorted => {
                f.write_str("the revocation list's keys are not in ascending order without repeats")
            }
            RevocationError::BadSignature => f.write_str(
                "the revocation list's signature does not verify under the authority's root key: \
                 it was altered, or another authority made it",
            ),
            RevocationError::FromTheFuture { issued_at } => write!(
                f,
                "the revocation list claims to be issued at {issued_at} (Unix time), in the \
                 future: check the clocks"
            ),
            RevocationError::NotNewer { issued_at, held } => write!(
                f,
                "this revocation list (issued at {issued_at}, Unix time) is not newer than the \
                 one already held (issued at {held}); a list only ever replaces an older one"
            ),
        }
    }
}

impl std::error::Error for RevocationError {}

/// Why an hour batch was rejected (the bundles inside are checked one by one, apart).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// The encoding ended early.
    Truncated,
    /// Bytes follow the last bundle.
    TrailingBytes,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// More bundles than the limit.
    TooManyBundles(u64),
    /// The batch is for another hour than the one asked for.
    WrongHour {
        /// The hour asked for.
        asked: u64,
        /// The hour the batch names.
        got: u64,
    },
}

impl BatchError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            BatchError::Truncated => "batch_truncated",
            BatchError::TrailingBytes => "batch_trailing_bytes",
            BatchError::UnsupportedVersion(_) => "batch_unsupported_version",
            BatchError::TooManyBundles(_) => "batch_too_many_bundles",
            BatchError::WrongHour { .. } => "batch_wrong_hour",
        }
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Truncated => f.write_str("the hour batch is cut short"),
            BatchError::TrailingBytes => {
                f.write_str("the hour batch has extra bytes after its last bundle")
            }
            BatchError::UnsupportedVersion(v) => write!(
                f,
                "the hour batch uses unknown format version {v}: update this software"
            ),
            BatchError::TooManyBundles(n) => write!(
                f,
                "the hour batch holds {n} bundles, more than the limit of {}",
                crate::batch::MAX_BATCH_BUNDLES
            ),
            BatchError::WrongHour { asked, got } => write!(
                f,
                "asked for the notices of hour {asked} but got those of hour {got}: a cache or \
                 the server mixed them up"
            ),
        }
    }
}

impl std::error::Error for BatchError {}

/// Why a day file (spec section 12.3, "Day files") is refused as a whole. The hour batches
/// inside it are decoded on their own afterwards, each as [`BatchError`] says, so one bad hour
/// never hides the others.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayError {
    /// The encoding ended early, or an hour's length runs past its end.
    Truncated,
    /// Bytes follow the last hour.
    TrailingBytes,
    /// Unknown format version.
    UnsupportedVersion(u8),
    /// The file is for another day than the one asked for.
    WrongDay {
        /// The day asked for.
        asked: u64,
        /// The day the file names.
        got: u64,
    },
}

impl DayError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            DayError::Truncated => "day_truncated",
            DayError::TrailingBytes => "day_trailing_bytes",
            DayError::UnsupportedVersion(_) => "day_unsupported_version",
            DayError::WrongDay { .. } => "day_wrong_day",
        }
    }
}

impl fmt::Display for DayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayError::Truncated => f.write_str("the day file is cut short"),
            DayError::TrailingBytes => {
                f.write_str("the day file has extra bytes after its last hour")
            }
            DayError::UnsupportedVersion(v) => write!(
                f,
                "the day file uses unknown format version {v}: update this software"
            ),
            DayError::WrongDay { asked, got } => write!(
                f,
                "asked for the notices of day {asked} but got those of day {got}: a cache or \
                 the server mixed them up"
            ),
        }
    }
}

impl std::error::Error for DayError {}

/// Why a venue refuses a tracer's request to unwrap contact records.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnwrapRequestError {
    /// The tracer's certificate is bad (or not valid when the request was signed).
    Certificate(CertError),
    /// The certificate does not give its tracer the query role.
    CannotQuery,
    /// No hours, too many, not ascending, or hours the window does not cover.
    InvalidHours,
    /// Signed in the future.
    FromTheFuture {
        /// When the tracer says it signed, Unix seconds.
        signed_at: u64,
    },
    /// Signed more than a week ago.
    Stale {
        /// When the tracer signed, Unix seconds.
        signed_at: u64,
    },
    /// The tracer's signature does not verify.
    BadSignature,
    /// The request's poster is another venue's.
    NotOwnVenue,
    /// The request carries more records than a venue unwraps at once.
    TooManyRecords(usize),
    /// The newest revocation list names the tracer's key.
    CertificateRevoked,
}

impl UnwrapRequestError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            UnwrapRequestError::Certificate(e) => e.code(),
            UnwrapRequestError::CannotQuery => "unwrap_request_cannot_query",
            UnwrapRequestError::InvalidHours => "unwrap_request_invalid_hours",
            UnwrapRequestError::FromTheFuture { .. } => "unwrap_request_from_the_future",
            UnwrapRequestError::Stale { .. } => "unwrap_request_stale",
            UnwrapRequestError::BadSignature => "unwrap_request_bad_signature",
            UnwrapRequestError::NotOwnVenue => "unwrap_request_not_own_venue",
            UnwrapRequestError::TooManyRecords(_) => "unwrap_request_too_many_records",
            UnwrapRequestError::CertificateRevoked => "unwrap_request_certificate_revoked",
        }
    }
}

impl fmt::Display for UnwrapRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnwrapRequestError::Certificate(e) => write!(f, "the tracer is not certified: {e}"),
            UnwrapRequestError::CannotQuery => f.write_str(
                "the tracer's certificate does not allow fetching contact records (its role is \
                 publish only)",
            ),
            UnwrapRequestError::InvalidHours => f.write_str(
                "the request's hours do not match its window (none, more than 1024, out of \
                 order, or outside the window)",
            ),
            UnwrapRequestError::FromTheFuture { signed_at } => write!(
                f,
                "the request says it was signed at {signed_at} (Unix time), in the future: check \
                 the clocks"
            ),
            UnwrapRequestError::Stale { signed_at } => write!(
                f,
                "the request was signed at {signed_at} (Unix time), more than a week ago: ask the \
                 tracer for a fresh one"
            ),
            UnwrapRequestError::BadSignature => f.write_str(
                "the tracer's signature over the request does not verify: it was altered after \
                 signing, or not made by this tracer",
            ),
            UnwrapRequestError::NotOwnVenue => f.write_str(
                "the request is for another venue's poster, not this venue's: nothing was \
                 unwrapped",
            ),
            UnwrapRequestError::TooManyRecords(n) => write!(
                f,
                "the request carries {n} records, more than the {} a venue unwraps at once: ask \
                 the tracer to split it",
                crate::unwrap_request::MAX_REQUEST_RECORDS
            ),
            UnwrapRequestError::CertificateRevoked => f.write_str(
                "the health authority has revoked the key of the tracer who asks: refuse the \
                 request and tell the health authority who sent it",
            ),
        }
    }
}

impl std::error::Error for UnwrapRequestError {}

impl From<CertError> for UnwrapRequestError {
    fn from(e: CertError) -> Self {
        UnwrapRequestError::Certificate(e)
    }
}

/// Why one of the files parties hand each other (approval request, approval, vault request,
/// vault response, public key file: spec sections 11a.1, 14.4 and 16c) was refused as a
/// file, before what it asks was looked at.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// The file is another kind of file than the one expected: another `format` or header, or
    /// no file of this protocol's text formats at all.
    WrongKind {
        /// The kind expected, in words ("an approval request").
        expected: &'static str,
        /// The kind given, in words ("a vault request", "a PNG image").
        given: String,
    },
    /// The file is of the right kind but not well formed: not UTF-8 JSON, an unknown or
    /// missing field, a field of the wrong type, or a key file without its field line.
    Malformed(String),
    /// A value is not base64url without padding, or decodes to the wrong length.
    BadValue(&'static str),
}

impl FileError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::WrongKind { .. } => "file_wrong_kind",
            FileError::Malformed(_) => "file_malformed",
            FileError::BadValue(_) => "file_bad_value",
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::WrongKind { expected, given } => write!(
                f,
                "it is {given}, not {expected}: check which file you gave"
            ),
            FileError::Malformed(why) => write!(f, "it is damaged: {why}"),
            FileError::BadValue(what) => write!(
                f,
                "its {what} is not base64url without padding of the right length: it is damaged"
            ),
        }
    }
}

impl std::error::Error for FileError {}

/// Why an approval request or an approval is refused (spec section 11a.1). The poster, the
/// certificate, the window and the message are refused with their own errors.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalError {
    /// A venue was asked to approve a notice for another venue's poster.
    NotOwnVenue,
    /// `severity` is not `low` or `high`.
    InvalidSeverity,
    /// The window ends more than 300 seconds after now.
    WindowInFuture,
    /// The window starts more than 14 days before now.
    WindowTooOld,
    /// The newest revocation list names the tracer's key.
    CertificateRevoked,
    /// `approver` is not `venue` or `authority`.
    InvalidApprover,
    /// The approval's signature does not verify under the approver's key.
    BadSignature,
    /// An authority approval carries fewer officers' signatures than the trust file's
    /// threshold.
    TooFewOfficers,
    /// An authority approval names a key that is not one of the trust file's officers.
    UnknownOfficer,
    /// An authority approval carries one officer's signature twice.
    DuplicateOfficer,
    /// A tracer was given an approval of a request made with another certificate.
    NotOwnCertificate,
}

impl ApprovalError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            ApprovalError::NotOwnVenue => "approval_not_own_venue",
            ApprovalError::InvalidSeverity => "approval_invalid_severity",
            ApprovalError::WindowInFuture => "approval_window_in_future",
            ApprovalError::WindowTooOld => "approval_window_too_old",
            ApprovalError::CertificateRevoked => "approval_certificate_revoked",
            ApprovalError::InvalidApprover => "approval_invalid_approver",
            ApprovalError::BadSignature => "approval_bad_signature",
            ApprovalError::NotOwnCertificate => "approval_not_own_certificate",
            ApprovalError::TooFewOfficers => "approval_too_few_officers",
            ApprovalError::UnknownOfficer => "approval_unknown_officer",
            ApprovalError::DuplicateOfficer => "approval_duplicate_officer",
        }
    }
}

impl fmt::Display for ApprovalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApprovalError::NotOwnVenue => f.write_str(
                "the request is for another venue's poster, not yours: nothing was approved",
            ),
            ApprovalError::InvalidSeverity => f.write_str("its severity is not low or high"),
            ApprovalError::WindowInFuture => f.write_str(
                "its window ends in the future: a notice covers only time that has passed",
            ),
            ApprovalError::WindowTooOld => f.write_str(
                "its window starts more than 14 days ago: phones no longer hold visits that old",
            ),
            ApprovalError::CertificateRevoked => f.write_str(
                "the health authority has revoked the key of the tracer who asks: refuse the \
                 request and tell the health authority who sent it",
            ),
            ApprovalError::InvalidApprover => f.write_str("its approver is not venue or authority"),
            ApprovalError::BadSignature => f.write_str(
                "its signature is not the approver's: ask the venue to approve it again (or \
                 the authority, for an emergency approval)",
            ),
            ApprovalError::TooFewOfficers => f.write_str(
                "it carries fewer emergency officers' signatures than the trust file requires: \
                 one officer alone cannot approve",
            ),
            ApprovalError::UnknownOfficer => {
                f.write_str("it is signed by a key that is not one of the authority's officers")
            }
            ApprovalError::DuplicateOfficer => {
                f.write_str("it carries one officer's signature twice: each officer counts once")
            }
            ApprovalError::NotOwnCertificate => {
                f.write_str("it approves a request made with another tracer certificate than yours")
            }
        }
    }
}

impl std::error::Error for ApprovalError {}

/// Why a tracer refuses a venue's vault response (spec section 14.4).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultResponseError {
    /// `request` is not the hash of the request file the tracer wrote.
    WrongRequest,
    /// `venue_id` is not the request's poster's.
    WrongVenue,
    /// An index is not one of the request's records, or appears twice.
    InvalidIndex(usize),
}

impl VaultResponseError {
    /// The stable name of this error, as used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            VaultResponseError::WrongRequest => "vault_response_wrong_request",
            VaultResponseError::WrongVenue => "vault_response_wrong_venue",
            VaultResponseError::InvalidIndex(_) => "vault_response_invalid_index",
        }
    }
}

impl fmt::Display for VaultResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultResponseError::WrongRequest => f.write_str(
                "it does not answer this request file: the venue unwrapped another request",
            ),
            VaultResponseError::WrongVenue => {
                f.write_str("it names another venue than the request's poster")
            }
            VaultResponseError::InvalidIndex(i) => write!(
                f,
                "its record index {i} is not a record of the request, or appears twice"
            ),
        }
    }
}

impl std::error::Error for VaultResponseError {}

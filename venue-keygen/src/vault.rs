//! The venue's step in opening consented contact records: check the tracer's signed request
//! against the authority the venue pins, show it, and only then strip the outer layer of the
//! records of this venue for the requested hours, offline, handing back what only the
//! authority can open (spec section 14.4).
//!
//! Request file (written by `tracer vault fetch`), JSON:
//!
//! ```text
//! { "format": "checkin-vault-request/v1",
//!   "poster": "<poster payload, base64url>",
//!   "hours": [<epoch hour>, ...],                  // 1 to 1024, ascending, within the window
//!   "records": ["<384-byte vault record, base64url>", ...],
//!   "from": <Unix seconds>, "to": <Unix seconds>,  // the window the tracer asks about
//!   "certificate": "<tracer certificate, base64url>",
//!   "signed_at": <Unix seconds>,
//!   "signature": "<64-byte Ed25519 signature, base64url>" }
//! ```
//!
//! Response file (read by `tracer vault open`), JSON:
//!
//! ```text
//! { "format": "checkin-vault-response/v1",
//!   "request": "<hex BLAKE3 hash of the request file's bytes>",
//!   "venue_id": "<hex>",
//!   "records": [{"index": <i>, "inner": "<320-byte inner record, base64url>"}, ...],
//!   "refused": [{"index": <i>, "reason": "<why>"}, ...] }
//! ```
//!
//! `request` binds the response to the exact request it answers.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::{Poster, Tag, VaultError, vault_tag};

use crate::Error;
use crate::files::VenueKeyFile;

pub use api::files::{
    OpenedRecord as Opened, REQUEST_FORMAT, RESPONSE_FORMAT, RefusedRecord as Refused,
    VaultRequest as Request, VaultResponse as Response,
};

/// Most records one request may carry.
pub use protocol::unwrap_request::MAX_REQUEST_RECORDS;

/// Counts for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnwrapSummary {
    /// Records stripped.
    pub stripped: usize,
    /// Records refused because they are another venue's (they do not open with this venue's
    /// key; a damaged record looks the same) or this venue's for an hour not asked about.
    pub not_this_venue: usize,
    /// Records refused because they are not records at all (wrong length, not base64url).
    pub damaged: usize,
}

/// A request that passed every check, ready to show to the venue owner.
#[derive(Debug)]
pub struct CheckedRequest {
    /// The request as read.
    pub request: Request,
    /// The tracer's certificate, verified under the pinned root.
    pub certificate: protocol::Certificate,
}

impl CheckedRequest {
    /// What is asked, in words, for the venue owner.
    pub fn describe(&self, authority: &str, venue: &Poster, tz: &jiff::tz::TimeZone) -> String {
        format!(
            "Tracer \"{}\", certified by {authority}, asks you to unwrap the contact records of\n\
             \n  Venue      {} (fingerprint {})\n  From       {}\n  To         {}\n  Hours      {}\n  \
             Records    {} filed under your bucket (your key opens only yours; only the \
             authority can read what is inside)\n",
            self.certificate.name(),
            venue.info().name,
            venue.fingerprint(),
            common::time::show(self.request.from, tz),
            common::time::show(self.request.to, tz),
            self.request.hours.len(),
            self.request.records.len(),
        )
    }
}

/// Everything a venue checks before unwrapping (spec section 14.4), in the spec's order:
/// the file (`path` names it in errors), that the poster is this venue's, the record count,
/// and the tracer's signed request, verified against the authority the venue pins (`trust`)
/// at `now`. Each refusal carries the spec's name ([`common::Error::code`]).
pub fn check_request(
    key: &VenueKeyFile,
    path: &std::path::Path,
    request_bytes: &[u8],
    trust: &protocol::TrustAnchor,
    now: u64,
) -> Result<CheckedRequest, Error> {
    let checked =
        common::exchange::check_vault_request(path, request_bytes, &key.poster, trust, now)?;
    Ok(CheckedRequest {
        request: checked.request,
        certificate: checked.certificate,
    })
}

/// Strips the outer layer of the records of this venue for the request's hours; refuses the
/// others, record by record.
pub fn unwrap_checked(
    key: &VenueKeyFile,
    checked: &CheckedRequest,
    request_bytes: &[u8],
) -> (Response, UnwrapSummary) {
    let req = &checked.request;
    let venue_id = key.poster.venue_id();
    let allowed: Vec<Tag> = req.hours.iter().map(|&h| vault_tag(&venue_id, h)).collect();
    let keys = key.secret.keys();
    let mut summary = UnwrapSummary {
        stripped: 0,
        not_this_venue: 0,
        damaged: 0,
    };
    let mut records = Vec::new();
    let mut refused = Vec::new();
    for (index, r) in req.records.iter().enumerate() {
        let outcome = URL_SAFE_NO_PAD
            .decode(r.as_bytes())
            .map_err(|_| VaultError::WrongLength {
                expected: protocol::vault::RECORD_LEN,
                got: 0,
            })
            .and_then(|bytes| protocol::vault::strip_outer(&keys, &allowed, &bytes));
        match outcome {
            Ok(inner) => {
                summary.stripped += 1;
                records.push(Opened {
                    index,
                    inner: URL_SAFE_NO_PAD.encode(inner),
                });
            }
            Err(e) => {
                if matches!(
                    e,
                    VaultError::NotForThisVenue | VaultError::DecryptionFailed
                ) {
                    summary.not_this_venue += 1;
                } else {
                    summary.damaged += 1;
                }
                refused.push(Refused {
                    index,
                    reason: e.to_string(),
                });
            }
        }
    }
    let response = Response {
        format: RESPONSE_FORMAT.into(),
        request: protocol::unwrap_request::request_file_hash(request_bytes),
        venue_id: common::hex(venue_id.as_bytes()),
        records,
        refused,
    };
    (response, summary)
}

//! The venue's step in opening consented contact records: strip the outer layer of the
//! records a tracer fetched, offline, and hand back what only the authority can open.
//!
//! Request file (written by `tracer vault fetch`), JSON:
//!
//! ```text
//! { "format": "checkin-vault-request/v1",
//!   "poster": "<poster payload, base64url>",
//!   "hours": [<epoch hour>, ...],                  // 1 to 1024
//!   "records": ["<368-byte vault record, base64url>", ...],
//!   "from": <Unix seconds>, "to": <Unix seconds> }  // optional: the window, for `vault open`
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

use std::path::Path;

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
pub const MAX_REQUEST_RECORDS: usize = 100_000;

/// Counts for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnwrapSummary {
    /// Records stripped.
    pub stripped: usize,
    /// Records refused because they are not this venue's for the requested hours.
    pub not_this_venue: usize,
    /// Records refused because they do not decrypt or are damaged.
    pub damaged: usize,
}

/// Strips the outer layer of every record in `request_bytes` with the venue key.
pub fn unwrap_request(
    key: &VenueKeyFile,
    request_bytes: &[u8],
) -> Result<(Response, UnwrapSummary), Error> {
    let req: Request = serde_json::from_slice(request_bytes)
        .map_err(|e| Error::BadRequest(format!("it is not a vault request file: {e}")))?;
    if req.format != REQUEST_FORMAT {
        return Err(Error::BadRequest(format!(
            "unknown format '{}'",
            req.format
        )));
    }
    let poster = Poster::from_payload(&req.poster)
        .map_err(|e| Error::BadRequest(format!("its poster is not valid: {e}")))?;
    if poster.venue_id() != key.poster.venue_id() {
        return Err(Error::BadRequest(format!(
            "it is for \"{}\" (fingerprint {}), but this key is for \"{}\" (fingerprint {})",
            poster.info().name,
            poster.fingerprint(),
            key.poster.info().name,
            key.poster.fingerprint()
        )));
    }
    if req.hours.is_empty() || req.hours.len() > protocol::query::MAX_QUERY_TAGS {
        return Err(Error::BadRequest(format!(
            "it must name 1 to {} hours, not {}",
            protocol::query::MAX_QUERY_TAGS,
            req.hours.len()
        )));
    }
    if req.records.len() > MAX_REQUEST_RECORDS {
        return Err(Error::BadRequest(format!(
            "it carries {} records, more than the limit of {MAX_REQUEST_RECORDS}",
            req.records.len()
        )));
    }
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
                if e == VaultError::NotForThisVenue {
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
        request: blake3::hash(request_bytes).to_hex().to_string(),
        venue_id: common::hex(venue_id.as_bytes()),
        records,
        refused,
    };
    Ok((response, summary))
}

/// `venue-keygen unwrap`: reads the key and the request, writes the response atomically.
pub fn unwrap_files(
    key_path: &Path,
    request: &Path,
    response: &Path,
    force: bool,
) -> Result<UnwrapSummary, Error> {
    let key = VenueKeyFile::read(key_path)?;
    let bytes = std::fs::read(request).map_err(|e| Error::io("read", request, e))?;
    let (resp, summary) = unwrap_request(&key, &bytes)?;
    let json = serde_json::to_string_pretty(&resp)
        .map_err(|e| Error::BadRequest(format!("cannot write the response: {e}")))?;
    crate::files::write(response, format!("{json}\n").as_bytes(), 0o600, force)?;
    Ok(summary)
}

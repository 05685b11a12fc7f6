//! The files parties hand each other (approval requests and approvals, vault requests and
//! responses: spec sections 11a.1 and 14.4), read strictly and refused under the spec's names:
//! a file of another kind says what it is and what was expected (`file_wrong_kind`), a damaged
//! one why (`file_malformed`, `file_bad_value`), before anything it asks is looked at.
//!
//! The checks here read bytes, never the disk, so that `spec/vectors/files.json` runs through
//! the very functions the programs use.

use std::path::Path;

use api::files::{
    APPROVAL_FORMAT, APPROVAL_REQUEST_FORMAT, REQUEST_FORMAT, RESPONSE_FORMAT, VaultRequest,
    VaultResponse,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::unwrap_request::{MAX_REQUEST_RECORDS, UnwrapStatement, request_file_hash};
use protocol::{
    CaseDiary, Certificate, FileError, Poster, TrustAnchor, UnwrapRequestError, VaultResponseError,
};

use crate::Error;

/// What `bytes` are, in words, when they are a file this system knows (or an image that a
/// poster file would be): said when a file of another kind is given.
pub fn kind_of(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(b"\x89PNG") {
        return Some("a PNG image (a printed poster's picture?)".into());
    }
    if bytes.starts_with(b"%PDF") {
        return Some("a PDF document (a printed poster?)".into());
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let format = value.get("format").and_then(serde_json::Value::as_str)?;
        return Some(match format {
            APPROVAL_REQUEST_FORMAT => "an approval request".into(),
            APPROVAL_FORMAT => "an approval".into(),
            REQUEST_FORMAT => "a vault request".into(),
            RESPONSE_FORMAT => "a vault response".into(),
            other => format!("a file of format '{}'", other.escape_debug()),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
        if first.starts_with("<svg") || first.starts_with("<?xml") {
            return Some("an SVG image (a poster's picture?)".into());
        }
        return match first {
            "checkin-trust v1" => Some("an authority trust file".into()),
            "checkin-tracer-pub v1" => Some("a tracer public key file".into()),
            "checkin-tracer-cert v1" => Some("a tracer certificate file".into()),
            h if h.starts_with("checkin-") && h.len() <= 40 && h.is_ascii() => {
                Some(format!("a '{h}' file"))
            }
            t if Poster::from_url_or_payload(t).is_ok() => {
                Some("a venue poster's URL or code".into())
            }
            _ => None,
        };
    }
    if CaseDiary::check_shape(bytes).is_ok() {
        return Some("a case file".into());
    }
    None
}

/// Reads `bytes` as the JSON file whose `format` is `format` (in words, `expected`), strictly:
/// unknown and missing fields are refused.
pub fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    bytes: &[u8],
    format: &str,
    expected: &'static str,
) -> Result<T, Error> {
    let refuse = |e: FileError| Error::refused(path, e.code(), &e);
    let wrong_kind = |given: String| refuse(FileError::WrongKind { expected, given });
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return Err(match kind_of(bytes) {
                Some(given) => wrong_kind(given),
                None => refuse(FileError::Malformed(format!("it is not JSON ({e})"))),
            });
        }
    };
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(f) if f == format => {}
        Some(_) => return Err(wrong_kind(kind_of(bytes).unwrap_or_default())),
        None => {
            return Err(refuse(FileError::Malformed(
                "it has no \"format\" field naming its kind".into(),
            )));
        }
    }
    serde_json::from_value(value).map_err(|e| refuse(FileError::Malformed(e.to_string())))
}

/// Decodes a base64url value of exactly `N` bytes, naming `what` when it is not one.
pub fn value<const N: usize>(path: &Path, what: &'static str, b64: &str) -> Result<[u8; N], Error> {
    URL_SAFE_NO_PAD
        .decode(b64.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            let e = FileError::BadValue(what);
            Error::refused(path, e.code(), &e)
        })
}

/// Decodes and verifies a certificate given in a file, under the `root` of the trust file.
pub fn certificate(path: &Path, b64: &str, trust: &TrustAnchor) -> Result<Certificate, Error> {
    let bytes = URL_SAFE_NO_PAD.decode(b64.as_bytes()).map_err(|_| {
        let e = FileError::BadValue("certificate");
        Error::refused(path, e.code(), &e)
    })?;
    let cert = Certificate::decode(&bytes)
        .map_err(|e| Error::refused(path, e.code(), format!("its tracer certificate: {e}")))?;
    cert.verify(&trust.root).map_err(|e| {
        Error::refused(
            path,
            e.code(),
            format!(
                "its tracer certificate was not issued by {} (the trust file's root): {e}; do \
                 not act on it",
                trust.authority
            ),
        )
    })?;
    Ok(cert)
}

/// A vault request that passed every check of spec section 14.4.
#[derive(Debug)]
pub struct CheckedVaultRequest {
    /// The request as read.
    pub request: VaultRequest,
    /// The tracer's certificate, verified under the pinned root.
    pub certificate: Certificate,
}

/// Everything a venue checks before unwrapping (spec section 14.4), in the spec's order: the
/// file, its poster and that it is this venue's (`own`), the record count, and the tracer's
/// signed request, verified against the authority the venue pins (`trust`) at `now`.
pub fn check_vault_request(
    path: &Path,
    bytes: &[u8],
    own: &Poster,
    trust: &TrustAnchor,
    now: u64,
) -> Result<CheckedVaultRequest, Error> {
    let req: VaultRequest = read_json(path, bytes, REQUEST_FORMAT, "a vault request")?;
    let poster = Poster::from_payload(&req.poster)
        .map_err(|e| Error::refused(path, e.code(), format!("its poster is not valid: {e}")))?;
    let unwrap_error = |e: UnwrapRequestError, detail: String| {
        Error::refused(path, e.code(), format!("{e}; {detail}"))
    };
    if poster.venue_id() != own.venue_id() {
        return Err(unwrap_error(
            UnwrapRequestError::NotOwnVenue,
            format!(
                "it is for \"{}\" (fingerprint {}), but this key is for \"{}\" (fingerprint {})",
                poster.info().name,
                poster.fingerprint(),
                own.info().name,
                own.fingerprint()
            ),
        ));
    }
    if req.records.len() > MAX_REQUEST_RECORDS {
        let e = UnwrapRequestError::TooManyRecords(req.records.len());
        return Err(Error::refused(path, e.code(), &e));
    }
    let cert_bytes = URL_SAFE_NO_PAD
        .decode(req.certificate.as_bytes())
        .map_err(|_| {
            let e = FileError::BadValue("certificate");
            Error::refused(path, e.code(), &e)
        })?;
    let signature: [u8; 64] = value(path, "signature", &req.signature)?;
    let certificate = Certificate::decode(&cert_bytes).map_err(|e| {
        Error::refused(
            path,
            e.code(),
            format!("the tracer's certificate is not valid: {e}"),
        )
    })?;
    let statement = UnwrapStatement {
        venue_id: poster.venue_id(),
        from: req.from,
        to: req.to,
        signed_at: req.signed_at,
        hours: req.hours.clone(),
    };
    statement
        .verify(&trust.root, &certificate, &signature, now)
        .map_err(|e| Error::refused(path, e.code(), format!("{e}; nothing was unwrapped")))?;
    Ok(CheckedVaultRequest {
        request: req,
        certificate,
    })
}

/// A venue's response, checked against the request file it answers (spec section 14.4).
#[derive(Debug)]
pub struct CheckedVaultResponse {
    /// The request the tracer wrote.
    pub request: VaultRequest,
    /// The request's poster.
    pub poster: Poster,
    /// The response, each index a record of the request, at most once.
    pub response: VaultResponse,
}

/// What a tracer checks of a vault response before opening its records: the two files are
/// what they claim, the response answers exactly this request file (`request_bytes`), names
/// its venue, and each index is one of the request's records, once.
pub fn check_vault_response(
    request_path: &Path,
    request_bytes: &[u8],
    response_path: &Path,
    response_bytes: &[u8],
) -> Result<CheckedVaultResponse, Error> {
    let request: VaultRequest = read_json(
        request_path,
        request_bytes,
        REQUEST_FORMAT,
        "a vault request",
    )?;
    let response: VaultResponse = read_json(
        response_path,
        response_bytes,
        RESPONSE_FORMAT,
        "a vault response",
    )?;
    let refuse = |e: VaultResponseError| Error::refused(response_path, e.code(), &e);
    if response.request != request_file_hash(request_bytes) {
        return Err(refuse(VaultResponseError::WrongRequest));
    }
    let poster = Poster::from_payload(&request.poster).map_err(|e| {
        Error::refused(
            request_path,
            e.code(),
            format!("its poster is not valid: {e}"),
        )
    })?;
    if response.venue_id != crate::hex(poster.venue_id().as_bytes()) {
        return Err(refuse(VaultResponseError::WrongVenue));
    }
    let mut seen = vec![false; request.records.len()];
    let indexes = response.records.iter().map(|r| r.index);
    for index in indexes.chain(response.refused.iter().map(|r| r.index)) {
        match seen.get_mut(index) {
            Some(s) if !*s => *s = true,
            _ => return Err(refuse(VaultResponseError::InvalidIndex(index))),
        }
    }
    Ok(CheckedVaultResponse {
        request,
        poster,
        response,
    })
}

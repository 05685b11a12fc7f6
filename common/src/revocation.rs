//! The authority's revocation list as the tools that approve for a venue read it (spec section
//! 10.3): from a file (`revocations.bin`) or, with feature `http`, from the notify server
//! (`GET /v1/revocations`). Either way it is verified under the pinned root before it counts.

use std::path::Path;

use protocol::{Certificate, RevocationList, TrustAnchor};

use crate::Error;

/// Reads and verifies a revocation list file (the list's bytes, spec section 10.3).
pub fn read(path: &Path, trust: &TrustAnchor, now: u64) -> Result<RevocationList, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    RevocationList::verify(&trust.root, &bytes, now).map_err(|e| {
        Error::BadFile(
            path.to_path_buf(),
            format!("not a revocation list of the authority you pin: {e}"),
        )
    })
}

/// Fetches the list the server at `server` (checked with [`crate::http::server_url`]) holds
/// and verifies it: `Ok(None)` when the server holds none.
#[cfg(feature = "http")]
pub fn fetch(server: &str, trust: &TrustAnchor, now: u64) -> Result<Option<RevocationList>, Error> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let base = crate::http::server_url(server)?;
    let url = format!("{base}/v1/revocations");
    let agent = crate::http::agent(
        std::time::Duration::from_secs(10),
        std::time::Duration::from_secs(30),
    );
    let unreachable = |e: String| {
        Error::Invalid(format!(
            "could not fetch the revocation list from {url}: {e}"
        ))
    };
    let mut res = agent
        .get(&url)
        .call()
        .map_err(|e| unreachable(e.to_string()))?;
    let status = res.status().as_u16();
    if status == 404 {
        return Ok(None);
    }
    if status != 200 {
        return Err(unreachable(format!("the server answered {status}")));
    }
    let text = res
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()
        .map_err(|e| unreachable(e.to_string()))?;
    let body: api::http::Revocations = serde_json::from_str(&text)
        .map_err(|e| unreachable(format!("the answer is not a revocation list ({e})")))?;
    let Some(b64) = body.revocations else {
        return Ok(None);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(b64)
        .map_err(|_| unreachable("the list is not base64url".into()))?;
    RevocationList::verify(&trust.root, &bytes, now)
        .map(Some)
        .map_err(|e| {
            unreachable(format!(
                "the list does not verify under your trust file: {e}"
            ))
        })
}

/// Refuses the request in `path` when `list` names its certificate's tracer key, under the
/// name `code` (`approval_certificate_revoked` or `unwrap_request_certificate_revoked`).
pub fn refuse_revoked(
    list: &RevocationList,
    cert: &Certificate,
    path: &Path,
    code: &'static str,
) -> Result<(), Error> {
    if list.is_revoked(cert.tracer_key()) {
        return Err(Error::refused(
            path,
            code,
            format!(
                "the health authority has revoked the key of the tracer '{}' (revocation list \
                 of {}): refuse this request and tell the health authority who sent it",
                cert.name(),
                crate::time::show(list.issued_at(), &jiff::tz::TimeZone::UTC)
            ),
        ));
    }
    Ok(())
}

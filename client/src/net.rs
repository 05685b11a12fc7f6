//! Talking to the notify server: the HTTP agent, the server URL rule, and the two requests a
//! phone makes (a page of notice bundles; one sealed vault record). Nothing here touches the
//! diary: callers never hold its lock while these run.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Error;

/// Largest page of bundles a phone reads (the server sends at most 8 MiB by default).
pub const MAX_PAGE_BYTES: u64 = 16 << 20;

fn agent() -> ureq::Agent {
    // A phone with no network must not hang a command: give up quickly, retry later.
    common::http::agent(Duration::from_secs(5), Duration::from_secs(30))
}

/// Checks a notify server URL (`common::http::server_url`).
pub fn server_url(url: &str) -> Result<String, Error> {
    common::http::server_url(url).map_err(|e| Error::Invalid(e.to_string()))
}

pub use api::http::{Page, SyncBundle as PageBundle};

/// A bundle's bytes; `None` if they are not base64url.
pub fn bundle_bytes(b: &PageBundle) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(&b.bundle).ok()
}

/// The server, for one command.
pub struct Server {
    base: String,
    agent: ureq::Agent,
    /// Bytes of pages read so far.
    pub bytes_read: u64,
}

impl Server {
    /// A connection to `base` (already checked by [`server_url`]).
    pub fn new(base: &str) -> Server {
        Server {
            base: base.trim_end_matches('/').to_owned(),
            agent: agent(),
            bytes_read: 0,
        }
    }

    /// The page of at most `limit` bundles after `after`.
    pub fn page(&mut self, after: u64, limit: u32) -> Result<Page, Error> {
        let url = format!("{}/v1/bundles?after={after}&limit={limit}", self.base);
        let mut res = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| Error::Unreachable {
                what: self.base.clone(),
                source: Some(e.into()),
            })?;
        if res.status().as_u16() != 200 {
            return Err(Error::Unreachable {
                what: format!("{} answered {}", self.base, res.status()),
                source: None,
            });
        }
        let text = res
            .body_mut()
            .with_config()
            .limit(MAX_PAGE_BYTES)
            .read_to_string()
            .map_err(|e| {
                Error::ServerMisbehaved(format!(
                    "{}: a page of notices could not be read ({e}); pages larger than {} MiB \
                     are refused",
                    self.base,
                    MAX_PAGE_BYTES >> 20
                ))
            })?;
        self.bytes_read += text.len() as u64;
        serde_json::from_str(&text).map_err(|e| {
            Error::ServerMisbehaved(format!(
                "{} sent something that is not a page of notices ({e})",
                self.base
            ))
        })
    }

    /// The revocation list the server holds (`GET /v1/revocations`): `Ok(None)` when it holds
    /// none, or when it is a server that does not know the endpoint (404).
    pub fn revocations(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let url = format!("{}/v1/revocations", self.base);
        let mut res = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| Error::Unreachable {
                what: self.base.clone(),
                source: Some(e.into()),
            })?;
        match res.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            status => {
                return Err(Error::Unreachable {
                    what: format!("{} answered {status}", self.base),
                    source: None,
                });
            }
        }
        let text = res
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(|e| {
                Error::ServerMisbehaved(format!(
                    "{}: the revocation list could not be read ({e})",
                    self.base
                ))
            })?;
        self.bytes_read += text.len() as u64;
        let body: api::http::Revocations = serde_json::from_str(&text).map_err(|e| {
            Error::ServerMisbehaved(format!(
                "{} sent something that is not a revocation list ({e})",
                self.base
            ))
        })?;
        body.revocations
            .map(|t| {
                URL_SAFE_NO_PAD.decode(t).map_err(|_| {
                    Error::ServerMisbehaved(format!(
                        "{} sent a revocation list that is not base64url",
                        self.base
                    ))
                })
            })
            .transpose()
    }

    /// Sends one sealed record; true if the server stored it (201).
    pub fn upload(&self, record: &str) -> bool {
        let body = serde_json::to_string(&api::http::PostRecord {
            record: record.to_owned(),
        })
        .unwrap_or_default();
        self.agent
            .post(format!("{}/v1/vault", self.base))
            .header("content-type", "application/json")
            .send(body)
            .map(|r| r.status().as_u16() == 201)
            .unwrap_or(false)
    }
}

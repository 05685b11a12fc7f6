//! Talking to the notify server: the HTTP agent, the server URL rule, and the two requests a
//! phone makes (a page of notice bundles; one sealed vault record). Nothing here touches the
//! diary: callers never hold its lock while these run.

use std::net::IpAddr;
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

/// Checks a notify server URL and returns it without a trailing `/`: `https://HOST[:PORT]`,
/// or `http://` only for this machine (127.0.0.0/8, ::1, `localhost`), where nothing crosses
/// a network.
pub fn server_url(url: &str) -> Result<String, Error> {
    let url = url.trim_end_matches('/');
    let bad = || {
        Error::Invalid(format!(
            "'{url}' is not a notify server URL: use https://HOST (http:// only for \
             127.0.0.1, ::1 or localhost)"
        ))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']').map(|(h, _)| h).ok_or_else(bad)?
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    if host.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    match scheme {
        "https" => Ok(url.to_owned()),
        "http" => {
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(url.to_owned())
            } else {
                Err(Error::Invalid(format!(
                    "'{url}' is not encrypted: a notify server on another machine must be \
                     reached with https:// (http:// is allowed only for 127.0.0.1, ::1 or \
                     localhost)"
                )))
            }
        }
        _ => Err(bad()),
    }
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
            .map_err(|e| Error::Unreachable(format!("{}: {e}", self.base)))?;
        if res.status().as_u16() != 200 {
            return Err(Error::Unreachable(format!(
                "{} answered {}",
                self.base,
                res.status()
            )));
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn plain_http_only_on_this_machine() {
        for ok in [
            "https://checkin.example",
            "https://checkin.example:8443/",
            "http://127.0.0.1:8000",
            "http://127.5.0.1",
            "http://[::1]:8000",
            "http://localhost:8000",
        ] {
            assert!(server_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://checkin.example",
            "http://192.168.1.10:8000",
            "http://[fe80::1]:80",
            "http://127.0.0.1.evil.example",
            "http://localhost@evil.example",
            "ftp://127.0.0.1",
            "checkin.example",
            "https://",
        ] {
            assert!(server_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            server_url("https://checkin.example/").unwrap(),
            "https://checkin.example"
        );
    }
}

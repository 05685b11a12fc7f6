//! Talking to the notify server: the HTTP agent, the server URL rule, and the requests a phone
//! makes (the revocation list; an hour's batch of notice bundles; one sealed vault record). Nothing here touches the
//! diary: callers never hold its lock while these run.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Error;

/// Largest hour batch or day file a phone reads.
pub const MAX_BATCH_BYTES: u64 = 256 << 20;

/// What the server answered for an hour's batch, and when it produced the answer.
pub struct BatchAnswer {
    /// The answer.
    pub batch: Batch,
    /// Its `Date` header, Unix seconds (`None`: none, or not in the IMF-fixdate form); an
    /// hour is closed by the server's clock and the phone's together (spec section 12.3).
    pub date: Option<u64>,
}

/// What the server answered for an hour's batch.
pub enum Batch {
    /// The batch's bytes, still to be decoded and verified.
    Bytes(Vec<u8>),
    /// The hour has left the server's retention (410): nothing of it is left.
    Gone,
    /// The server says the hour has not begun (404 on a server whose clock is behind).
    NotYet,
}

fn agent() -> ureq::Agent {
    // A phone with no network must not hang a command: give up quickly, retry later.
    common::http::agent(Duration::from_secs(5), Duration::from_secs(30))
}

/// Checks a notify server URL (`common::http::server_url`).
pub fn server_url(url: &str) -> Result<String, Error> {
    common::http::server_url(url).map_err(|e| Error::Invalid(e.to_string()))
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

    /// A GET of `path` on the server; a status is an answer, not an error.
    fn get(&self, path: &str) -> Result<ureq::http::Response<ureq::Body>, Error> {
        self.agent
            .get(format!("{}{path}", self.base))
            .call()
            .map_err(|e| Error::Unreachable {
                what: self.base.clone(),
                source: Some(e.into()),
            })
    }

    /// The error for an answer the protocol does not expect.
    fn answered(&self, status: u16) -> Error {
        Error::Unreachable {
            what: format!("{} answered {status}", self.base),
            source: None,
        }
    }

    /// The batch of epoch hour `hour` (`GET /v1/batches/{hour}`, spec section 12.3).
    pub fn batch(&mut self, hour: u64) -> Result<BatchAnswer, Error> {
        self.binary(&format!("/v1/batches/{hour}"), &format!("hour {hour}"))
    }

    /// The file of closed UTC day `day` (`GET /v1/days/{day}`, spec section 12.3): its 24 hour
    /// batches, each still to be decoded and verified.
    pub fn day(&mut self, day: u64) -> Result<BatchAnswer, Error> {
        self.binary(&format!("/v1/days/{day}"), &format!("day {day}"))
    }

    /// A batch or day file at `path`; `what` names it in errors.
    fn binary(&mut self, path: &str, what: &str) -> Result<BatchAnswer, Error> {
        use std::io::Read as _;
        let mut res = self.get(path)?;
        let date = res
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(protocol::client::parse_http_date);
        let answer = |batch| Ok(BatchAnswer { batch, date });
        match res.status().as_u16() {
            200 => {}
            404 => return answer(Batch::NotYet),
            410 => return answer(Batch::Gone),
            status => return Err(self.answered(status)),
        }
        let mut bytes = Vec::new();
        res.body_mut()
            .with_config()
            .limit(MAX_BATCH_BYTES)
            .reader()
            .read_to_end(&mut bytes)
            .map_err(|e| {
                Error::ServerMisbehaved(format!(
                    "{}: the notices of {what} could not be read ({e}); batches larger \
                     than {} MiB are refused",
                    self.base,
                    MAX_BATCH_BYTES >> 20
                ))
            })?;
        self.bytes_read += bytes.len() as u64;
        answer(Batch::Bytes(bytes))
    }

    /// The revocation list the server holds (`GET /v1/revocations`): `Ok(None)` when it holds
    /// none, or when it is a server that does not know the endpoint (404).
    pub fn revocations(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let mut res = self.get("/v1/revocations")?;
        match res.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            status => return Err(self.answered(status)),
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

    /// Venues per bucket (`GET /v1/vault/buckets`, spec section 14.5), on a connection of its
    /// own: `None` if the server cannot be asked or answers something else than 1024 counts.
    pub fn vault_buckets(&self) -> Option<Vec<u32>> {
        let mut resp = agent()
            .get(format!("{}/v1/vault/buckets", self.base))
            .header("connection", "close")
            .call()
            .ok()?;
        if resp.status().as_u16() != 200 {
            return None;
        }
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 << 10)
            .read_to_string()
            .ok()?;
        let answer: api::http::VaultBuckets = serde_json::from_str(&text).ok()?;
        (answer.venues_per_bucket.len() == usize::from(protocol::derive::VAULT_BUCKETS))
            .then_some(answer.venues_per_bucket)
    }

    /// Sends one sealed record on a connection of its own, opened for it and closed after
    /// it, so that the server cannot tie records together by the connection they came on;
    /// true if the server stored it (201).
    pub fn upload(&self, record: &str) -> bool {
        let body = serde_json::to_string(&api::http::PostRecord {
            record: record.to_owned(),
        })
        .unwrap_or_default();
        agent()
            .post(format!("{}/v1/vault", self.base))
            .header("connection", "close")
            .header("content-type", "application/json")
            .send(body)
            .map(|r| r.status().as_u16() == 201)
            .unwrap_or(false)
    }
}

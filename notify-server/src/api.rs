//! The HTTP API (documented in `openapi.yaml`). Binary values travel as base64url without
//! padding inside JSON, everywhere. Every error is JSON `{"error", "detail"}` with a 4xx
//! status, except a failing disk (503), which is the server's fault and never the input's.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::{BundleVerifier, TrustAnchor};
use rocket::data::{ByteUnit, Data, ToByteUnit};
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Request, State, catch, get, post};
use serde::Serialize;

pub use api::http::{
    ErrorBody, Health, Page, PostBundle, PostQuery, PostRecord, Posted, QueryAnswer, Stored,
    SyncBundle, Trust,
};

use crate::config::Settings;
use crate::durable::Durability;
use crate::metrics::Metrics;
use crate::store::{Store, StoreError, StoredBundle};

/// Everything the handlers share.
pub struct App {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Group commit for the store.
    pub durable: Arc<Durability>,
    /// The pinned authority.
    pub trust: TrustAnchor,
    /// Settings.
    pub settings: Settings,
    /// Verifies bundles, caching certificates.
    pub verifier: Mutex<BundleVerifier>,
    /// Per-address upload and query counters.
    pub limiter: RateLimiter,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Rendered full sync pages.
    pub pages: Arc<PageCache>,
    /// The public addresses behind the connection guard's relayed connections.
    pub peers: Arc<crate::guard::Peers>,
}

/// Rendered sync pages that can no longer change: a page holding `limit` bundles after `after`
/// is fixed until a purge removes some of them, and the purge clears this cache. Bounded by
/// bytes; when full it starts again empty, which is cheap and simple.
#[derive(Default)]
pub struct PageCache {
    inner: Mutex<Pages>,
}

/// Pages by `(after, limit)`, and their total size in bytes.
type Pages = (HashMap<(u64, usize), Arc<str>>, usize);

impl PageCache {
    const MAX_BYTES: usize = 64 << 20;

    fn get(&self, key: (u64, usize)) -> Option<Arc<str>> {
        match self.inner.lock() {
            Ok(g) => g.0.get(&key).cloned(),
            Err(_) => None,
        }
    }

    fn put(&self, key: (u64, usize), body: Arc<str>) {
        if let Ok(mut g) = self.inner.lock() {
            if g.1 + body.len() > Self::MAX_BYTES {
                g.0.clear();
                g.1 = 0;
            }
            g.1 += body.len();
            g.0.insert(key, body);
        }
    }

    /// Forgets every page (after a purge).
    pub fn clear(&self) {
        if let Ok(mut g) = self.inner.lock() {
            g.0.clear();
            g.1 = 0;
        }
    }
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// An API error: a status, a stable machine-readable name, and a sentence for people.
#[derive(Debug)]
pub struct ApiError {
    status: Status,
    error: &'static str,
    detail: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: Status, error: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            error,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The stable machine-readable name, e.g. `bad_base64`.
    pub fn code(&self) -> &'static str {
        self.error
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let body = serde_json::to_string(&ErrorBody {
            error: self.error.to_owned(),
            detail: self.detail.clone(),
        })
        .unwrap_or_else(|_| "{\"error\":\"internal\",\"detail\":\"\"}".to_owned());
        let mut res = response::Response::build_from((ContentType::JSON, body).respond_to(req)?);
        res.status(self.status);
        if let Some(s) = self.retry_after {
            res.header(Header::new("Retry-After", s.to_string()));
        }
        Ok(res.finalize())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::new(
            Status::ServiceUnavailable,
            "storage_unavailable",
            e.to_string(),
        )
    }
}

fn b64(field: &'static str, value: &str) -> Result<Vec<u8>, ApiError> {
    URL_SAFE_NO_PAD.decode(value.as_bytes()).map_err(|_| {
        ApiError::new(
            Status::BadRequest,
            "bad_base64",
            format!("'{field}' must be base64url without padding"),
        )
    })
}

/// Largest vault upload body: one 368-byte record is 491 base64url characters.
pub const VAULT_BODY_LIMIT: u64 = 4 * 1024;
/// Largest vault query body: 1,024 tags and a certificate, in base64url, with room to spare.
pub const QUERY_BODY_LIMIT: u64 = 64 * 1024;

/// Reads a small JSON body, refusing anything over `limit` with a 413 before it is buffered.
async fn small_json<T: serde::de::DeserializeOwned>(
    data: Data<'_>,
    limit: ByteUnit,
) -> Result<T, ApiError> {
    let body = data.open(limit).into_string().await.map_err(|e| {
        ApiError::new(
            Status::BadRequest,
            "bad_request",
            format!("cannot read the body: {e}"),
        )
    })?;
    if !body.is_complete() {
        return Err(ApiError::new(
            Status::PayloadTooLarge,
            "too_large",
            format!("the body is larger than this endpoint accepts ({limit})"),
        ));
    }
    parse_body(&body.into_inner())
}

/// Parses a JSON request body: 400 for text that is not JSON, 422 for JSON of the wrong shape.
pub fn parse_body<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::new(
                Status::BadRequest,
                "bad_request",
                format!("the body is not valid JSON: {e}"),
            )
        } else {
            ApiError::new(
                Status::UnprocessableEntity,
                "unprocessable",
                format!("the JSON does not match the API: {e}"),
            )
        }
    })
}

/// The client's address, for rate limits.
pub struct ClientAddr(pub Option<IpAddr>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        // A configured proxy header first; then the public address the connection guard
        // relayed; then the peer itself.
        let guarded = || {
            let app = req.rocket().state::<App>()?;
            app.peers.lookup(req.remote()?)
        };
        Outcome::Success(ClientAddr(
            req.real_ip()
                .or_else(guarded)
                .or_else(|| req.remote().map(|a| a.ip())),
        ))
    }
}

/// What a rate limit counts.
#[derive(Clone, Copy)]
pub enum Purpose {
    /// Vault uploads.
    Upload,
    /// Vault queries.
    Query,
}

/// Counts one request against the address's limit for `purpose`; a 429 when over it.
fn limit(app: &App, addr: &ClientAddr, purpose: Purpose) -> Result<(), ApiError> {
    let (id, per_minute, what) = match purpose {
        Purpose::Upload => (0, app.settings.vault_uploads_per_minute, "uploads"),
        Purpose::Query => (1, app.settings.queries_per_minute, "queries"),
    };
    app.limiter.check(addr.0, id, per_minute).map_err(|wait| {
        app.metrics
            .rate_limited
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut e = ApiError::new(
            Status::TooManyRequests,
            "rate_limited",
            format!("too many {what} from this address: try again in {wait} seconds"),
        );
        e.retry_after = Some(wait);
        e
    })
}

/// Fixed one-minute windows per address and purpose.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(IpAddr, u8), (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one request; `Err(seconds)` when over `per_minute`.
    pub fn check(&self, ip: Option<IpAddr>, purpose: u8, per_minute: u32) -> Result<(), u64> {
        let Some(ip) = ip else { return Ok(()) };
        let mut w = crate::lock(&self.windows);
        let now = Instant::now();
        if w.len() > 100_000 {
            // Bound the table under an address flood: forget windows that have ended.
            w.retain(|_, (start, _)| now.duration_since(*start).as_secs() < 60);
        }
        let entry = w.entry((ip, purpose)).or_insert((now, 0));
        let elapsed = now.duration_since(entry.0).as_secs();
        if elapsed >= 60 {
            *entry = (now, 0);
        }
        if entry.1 >= per_minute {
            return Err(60u64.saturating_sub(elapsed).max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

// ------------------------------------------------------------------ bundles

fn bundle_error(e: &protocol::BundleError) -> ApiError {
    use protocol::BundleError as B;
    let status = match e {
        B::Certificate(_) | B::BadSignature | B::OutsideCertificateValidity => Status::Forbidden,
        B::FromTheFuture { .. } => Status::UnprocessableEntity,
        _ => Status::BadRequest,
    };
    ApiError::new(status, e.code(), e.to_string())
}

/// Everything `POST /v1/bundles` checks before storing: base64, the bundle's encoding,
/// certificate chain and signature, the certificate valid `now`, and `created_at` within
/// `skew` seconds of `now`. Every refusal is a 4xx.
///
/// `window` is how far before and after the server's clock a bundle's creation time may lie
/// (`bundle_clock_skew_secs`, `bundle_future_secs`). The future bound lies well inside the
/// 300 seconds phones allow, so that a bundle the server accepts is accepted by phones whose
/// clocks are a few minutes slow too.
pub fn check_bundle(
    body: &PostBundle,
    verifier: &mut BundleVerifier,
    now: u64,
    window: (u64, u64),
) -> Result<(Vec<u8>, protocol::Bundle), ApiError> {
    let (past, future) = window;
    let bytes = b64("bundle", &body.bundle)?;
    let bundle = verifier.verify(&bytes, now).map_err(|e| bundle_error(&e))?;
    if !bundle.certificate().is_valid_at(now) {
        return Err(ApiError::new(
            Status::Forbidden,
            "cert_not_valid_at",
            "the tracer certificate is not valid now: it has expired or is not yet valid; ask the authority for a new one",
        ));
    }
    let created = bundle.created_at();
    if created < now.saturating_sub(past) || created > now.saturating_add(future) {
        return Err(ApiError::new(
            Status::UnprocessableEntity,
            "bundle_out_of_time",
            format!(
                "the bundle was signed at {created} (Unix time); the server accepts bundles signed from {past} seconds before its clock ({now}) to {future} seconds after it: sign it again now, and check the clocks"
            ),
        ));
    }
    Ok((bytes, bundle))
}

/// Publishes a tracer-signed bundle.
#[post("/v1/bundles", format = "json", data = "<body>")]
pub async fn post_bundle(
    app: &State<App>,
    body: Json<PostBundle>,
) -> Result<(Status, Json<Posted>), ApiError> {
    let now = now();
    let checked = {
        let mut v = crate::lock(&app.verifier);
        check_bundle(
            &body,
            &mut v,
            now,
            (
                app.settings.bundle_clock_skew_secs,
                app.settings.bundle_future_secs,
            ),
        )
    };
    let (bytes, bundle) = checked.inspect_err(|_| {
        app.metrics
            .bundles_rejected
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })?;
    let id = bundle.id();
    let inserted = {
        let store = Arc::clone(&app.store);
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || store.insert_bundle(&id, now, &bytes))
            .await
            .map_err(|e| StoreError(e.to_string()))??
    };
    app.durable.wait().await?;
    let status = if inserted.new {
        Status::Created
    } else {
        Status::Ok
    };
    Ok((
        status,
        Json(Posted {
            seq: inserted.seq,
            id: id.iter().map(|b| format!("{b:02x}")).collect(),
            entries: bundle.len(),
            duplicate: !inserted.new,
        }),
    ))
}

fn page(bundles: Vec<StoredBundle>, after: u64, more: bool) -> Page {
    let next_after = bundles.last().map(|b| b.seq).unwrap_or(after);
    Page {
        bundles: bundles
            .into_iter()
            .map(|b| SyncBundle {
                seq: b.seq,
                published_at: b.published_at,
                bundle: URL_SAFE_NO_PAD.encode(&b.bytes),
            })
            .collect(),
        next_after,
        more,
    }
}

/// A JSON answer with extra headers.
pub struct WithHeaders<T> {
    body: T,
    headers: Vec<Header<'static>>,
    status: Status,
}

impl<'r, T: Serialize> Responder<'r, 'static> for WithHeaders<T> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = response::Response::build_from(Json(self.body).respond_to(req)?);
        res.status(self.status);
        for h in self.headers {
            res.header(h);
        }
        Ok(res.finalize())
    }
}

/// The request's `If-None-Match`.
pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(IfNoneMatch(
            req.headers().get_one("If-None-Match").map(str::to_owned),
        ))
    }
}

/// A pre-rendered JSON body with headers.
pub struct RawJson {
    body: Option<Arc<str>>,
    headers: Vec<Header<'static>>,
    status: Status,
}

impl<'r> Responder<'r, 'static> for RawJson {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = response::Response::build();
        res.status(self.status);
        if let Some(body) = self.body {
            res.header(ContentType::JSON);
            let bytes = body.as_bytes().to_vec();
            res.sized_body(bytes.len(), std::io::Cursor::new(bytes));
        }
        for h in self.headers {
            res.header(h);
        }
        Ok(res.finalize())
    }
}

/// A query parameter that must be a whole number, if given.
fn query_number<T: std::str::FromStr>(
    name: &'static str,
    value: Option<&str>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| {
            v.parse().map_err(|_| {
                ApiError::new(
                    Status::BadRequest,
                    "bad_parameter",
                    format!("'{name}' must be a whole number of zero or more, not '{v}'"),
                )
            })
        })
        .transpose()
}

/// Incremental sync: bundles after a sequence number.
///
/// Reads run on the request task: redb serves hot pages from its cache, and a `spawn_blocking`
/// hop per read costs more than the read.
#[get("/v1/bundles?<after>&<limit>")]
pub fn get_bundles(
    app: &State<App>,
    after: Option<&str>,
    limit: Option<&str>,
    inm: IfNoneMatch,
) -> Result<RawJson, ApiError> {
    let after: u64 = query_number("after", after)?.unwrap_or(0);
    let limit: usize = query_number("limit", limit)?
        .unwrap_or(app.settings.max_page)
        .clamp(1, app.settings.max_page);
    let (body, last, count) = match app.pages.get((after, limit)) {
        Some(body) => (body, after + limit as u64, limit),
        None => {
            let bundles = app
                .store
                .bundles_after(after, limit, app.settings.max_page_bytes)?;
            let last = bundles.last().map(|b| b.seq).unwrap_or(after);
            let count = bundles.len();
            // `more`: the page is full (or cut by size), so ask again after `next_after`.
            let more =
                count == limit || (count > 0 && !app.store.bundles_after(last, 1, 1)?.is_empty());
            let body: Arc<str> = serde_json::to_string(&page(bundles, after, more))
                .map_err(|e| StoreError(e.to_string()))?
                .into();
            // Sequence numbers have no gaps, so a page with `limit` bundles is complete and
            // fixed. (A page cut short by max_page_bytes is fixed too, but rare: not cached.)
            if count == limit && last == after + limit as u64 {
                app.pages.put((after, limit), Arc::clone(&body));
            }
            (body, last, count)
        }
    };
    let etag = format!("\"{after}-{last}-{limit}-{count}\"");
    let headers = vec![
        Header::new("ETag", etag.clone()),
        Header::new("Cache-Control", "no-cache"),
    ];
    if inm.0.as_deref() == Some(etag.as_str()) {
        return Ok(RawJson {
            body: None,
            headers,
            status: Status::NotModified,
        });
    }
    Ok(RawJson {
        body: Some(body),
        headers,
        status: Status::Ok,
    })
}

/// Every bundle published in one epoch hour; immutable once the hour has closed.
#[get("/v1/batches/<hour>")]
pub fn get_batch(app: &State<App>, hour: u64) -> Result<WithHeaders<Page>, ApiError> {
    let now = now();
    let current = now / 3600;
    if hour > current {
        return Err(ApiError::new(
            Status::NotFound,
            "hour_in_future",
            format!("hour {hour} has not begun (the current hour is {current})"),
        ));
    }
    let oldest = current.saturating_sub(app.settings.notice_retention_days * 24);
    if hour < oldest {
        return Err(ApiError::new(
            Status::Gone,
            "hour_purged",
            format!("hour {hour} is older than the retention period; its notices are deleted"),
        ));
    }
    let bundles = app.store.bundles_in_hour(hour)?;
    let cache = if hour < current {
        "public, max-age=31536000, immutable".to_owned()
    } else {
        // The open hour can still grow: let caches keep it only until it closes.
        format!("public, max-age={}", ((current + 1) * 3600 - now).min(60))
    };
    Ok(WithHeaders {
        body: page(bundles, 0, false),
        headers: vec![Header::new("Cache-Control", cache)],
        status: Status::Ok,
    })
}

// ------------------------------------------------------------------ vault

/// Everything `POST /v1/vault` checks before storing: base64 and the record's length. The
/// server cannot open a record, so it cannot check more. Returns the tag and the record.
pub fn check_vault_record(body: &PostRecord) -> Result<(protocol::Tag, Vec<u8>), ApiError> {
    let record = b64("record", &body.record)?;
    if record.len() != protocol::vault::RECORD_LEN {
        return Err(ApiError::new(
            Status::BadRequest,
            "vault_wrong_length",
            format!(
                "a vault record is {} bytes, not {}",
                protocol::vault::RECORD_LEN,
                record.len()
            ),
        ));
    }
    let tag = protocol::vault::record_tag(&record).ok_or_else(|| {
        ApiError::new(Status::BadRequest, "vault_wrong_length", "record too short")
    })?;
    Ok((tag, record))
}

/// Stores one consented vault record, durably, before answering.
#[post("/v1/vault", format = "json", data = "<data>")]
pub async fn post_vault(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<(Status, Json<Stored>), ApiError> {
    limit(app, &addr, Purpose::Upload)?;
    let body: PostRecord = small_json(data, VAULT_BODY_LIMIT.bytes()).await?;
    let (tag, record) = check_vault_record(&body)?;
    let now = now();
    let store = Arc::clone(&app.store);
    tokio::task::spawn_blocking(move || store.insert_vault_record(&tag, now, &record))
        .await
        .map_err(|e| StoreError(e.to_string()))??;
    app.durable.wait().await?;
    Ok((Status::Created, Json(Stored { stored: true })))
}

/// Everything `POST /v1/vault/query` checks before looking at the store: base64, the query's
/// encoding, certificate chain, validity, timestamp and signature. Replays are the store's
/// to refuse.
pub fn check_query(
    body: &PostQuery,
    root: &protocol::VerifyingKey,
    now: u64,
) -> Result<protocol::query::VaultQuery, ApiError> {
    let bytes = b64("query", &body.query)?;
    protocol::query::verify_query(root, &bytes, now).map_err(|e| {
        use protocol::QueryError as Q;
        let status = match e {
            Q::Certificate(_) | Q::BadSignature => Status::Forbidden,
            Q::Stale { .. } => Status::UnprocessableEntity,
            _ => Status::BadRequest,
        };
        ApiError::new(status, e.code(), e.to_string())
    })
}

/// A tracer-signed query for the records under some vault tags; each query works once.
#[post("/v1/vault/query", format = "json", data = "<data>")]
pub async fn post_query(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<Json<QueryAnswer>, ApiError> {
    limit(app, &addr, Purpose::Query)?;
    let body: PostQuery = small_json(data, QUERY_BODY_LIMIT.bytes()).await?;
    let now = now();
    let q = check_query(&body, &app.trust.root, now)?;
    // Remember the nonce for twice the allowed skew: after that its timestamp is stale anyway.
    let expires = now + 2 * protocol::query::MAX_QUERY_SKEW_SECS;
    let store = Arc::clone(&app.store);
    let nonce = q.nonce;
    let fresh = tokio::task::spawn_blocking(move || store.remember_nonce(&nonce, expires))
        .await
        .map_err(|e| StoreError(e.to_string()))??;
    if !fresh {
        app.metrics
            .replays_refused
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(ApiError::new(
            Status::Conflict,
            "query_replayed",
            "this query was already answered: sign a fresh one",
        ));
    }
    // The nonce must be on disk before we answer, or a crash could let a replay through.
    app.durable.wait().await?;
    let store = Arc::clone(&app.store);
    let max = app.settings.max_query_records;
    let tags = q.tags.clone();
    let records = tokio::task::spawn_blocking(move || store.vault_records(&tags, max + 1))
        .await
        .map_err(|e| StoreError(e.to_string()))??;
    let truncated = records.len() > max;
    Ok(Json(QueryAnswer {
        records: records
            .iter()
            .take(max)
            .map(|r| URL_SAFE_NO_PAD.encode(r))
            .collect(),
        truncated,
    }))
}

// ------------------------------------------------------------------ operations

/// The pinned authority, for information: clients pin their own copy.
#[get("/v1/trust")]
pub fn get_trust(app: &State<App>) -> Json<Trust> {
    let t = &app.trust;
    Json(Trust {
        authority: t.authority.clone(),
        root: URL_SAFE_NO_PAD.encode(t.root.as_bytes()),
        sealing: URL_SAFE_NO_PAD.encode(t.sealing.0),
        trust_file: t.to_text(),
    })
}

/// Liveness and a look at the store.
#[get("/healthz")]
pub fn healthz(app: &State<App>) -> Result<Json<Health>, ApiError> {
    let c = app.store.counts()?;
    Ok(Json(Health {
        status: "ok".into(),
        bundles: c.bundles,
        vault_records: c.vault_records,
        last_seq: c.last_seq,
    }))
}

/// Prometheus metrics.
#[get("/metrics")]
pub fn metrics(app: &State<App>) -> Result<(ContentType, String), ApiError> {
    let c = app.store.counts()?;
    let text = app.metrics.render(
        c.bundles,
        c.vault_records,
        c.last_seq,
        app.durable.flushes(),
    );
    Ok((
        ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        text,
    ))
}

// ------------------------------------------------------------------ catchers

/// Every error Rocket raises itself becomes JSON too.
#[catch(default)]
pub fn default_catcher(status: Status, _req: &Request<'_>) -> ApiError {
    let (error, detail) = match status.code {
        400 => (
            "bad_request",
            "the request is malformed: send JSON as the API documents",
        ),
        404 => (
            "not_found",
            "no such endpoint: see notify-server/openapi.yaml",
        ),
        405 => (
            "method_not_allowed",
            "this endpoint does not take that method",
        ),
        413 => ("too_large", "the body is larger than this endpoint accepts"),
        415 => (
            "unsupported_media_type",
            "send Content-Type: application/json",
        ),
        422 => (
            "unprocessable",
            "the JSON does not have the fields this endpoint needs, or has others",
        ),
        _ if status.code >= 500 => ("internal", "the server failed; nothing was stored"),
        _ => ("error", "the request was refused"),
    };
    ApiError::new(status, error, detail)
}

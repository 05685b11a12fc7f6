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
use rocket::http::{ContentType, Header, Method, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Request, State, catch, get, post};
use serde::Serialize;

pub use api::http::{
    CaseFile, CaseHeld, ErrorBody, FetchCase, Health, Page, PostBundle, PostCase, PostQuery,
    PostRecord, Posted, PushSubscribe, PushUnsubscribe, QueryAnswer, Revocations,
    RevocationsPosted, Stored, SyncBundle, Trust, VaultBuckets,
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
    /// The pinned trust file's text, as the authority signed it.
    pub trust_text: String,
    /// Settings.
    pub settings: Settings,
    /// Venues per bucket, from the posters of `venue_posters` (spec section 14.5).
    pub venues_per_bucket: Arc<Vec<u32>>,
    /// Verifies bundles, caching certificates; holds the revocation list in force.
    pub verifier: Mutex<BundleVerifier>,
    /// Taken while a revocation list is compared with the held one and stored, so that two
    /// posts cannot store an older list over a newer one.
    pub revocation_writes: tokio::sync::Mutex<()>,
    /// When `GET /v1/revocations` last looked for a newer list in a shared store.
    pub revocations_read: Mutex<Option<std::time::Instant>>,
    /// Per-address upload and query counters.
    pub limiter: RateLimiter,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Rendered full sync pages.
    pub pages: Arc<PageCache>,
    /// The public addresses behind the connection guard's relayed connections.
    pub peers: Arc<crate::guard::Peers>,
    /// Signs and sends push wake-ups; `None` when `push_enabled` is false.
    pub push: Option<Arc<crate::push::Pusher>>,
    /// KiB that large bodies being read may still take (`large_bodies_mib`).
    pub large_bodies: Arc<tokio::sync::Semaphore>,
    /// The reverse proxies whose `ip_header` is believed (`trusted_proxies`).
    pub proxies: Vec<ipnet::IpNet>,
    /// Bytes of case files held per address (`case_bytes_per_address`).
    pub case_holds: CaseHolds,
}

/// Rendered bodies that can no longer change: a sync page holding `limit` bundles after
/// `after` is fixed until a purge removes some of them, and so is the batch of a closed hour
/// or the file of a closed day; the purge clears this cache. The open hour's batch is kept
/// too, under the store's latest sequence number read before it was rendered: a publication
/// (on this instance or any other sharing the store) raises that number, so the next read
/// renders afresh, and until then every request is served the same bytes. Each kind is
/// bounded by bytes; when full it starts again empty, which is cheap and simple. Bodies are
/// shared, never copied, when served.
#[derive(Default)]
pub struct PageCache {
    inner: Mutex<Pages>,
    batches: Mutex<Batches>,
    gzipped: Mutex<Gzipped>,
    open: Mutex<Option<OpenHour>>,
}

/// A rendered batch or day file and its entity tag (spec section 16b: derived from the bytes
/// alone).
#[derive(Clone)]
pub struct Rendered {
    /// The body, uncompressed.
    pub body: Arc<[u8]>,
    /// Its tag's value without quotes: the first 16 bytes of BLAKE3 of `body`, in hex.
    pub tag: Arc<str>,
}

impl Rendered {
    /// Renders `body` with its tag.
    pub fn new(body: Vec<u8>) -> Rendered {
        let digest = blake3::hash(&body);
        Rendered {
            tag: common::hex(&digest.as_bytes()[..16]).into(),
            body: body.into(),
        }
    }
}

/// The open hour's batch: the hour, the store's latest sequence number read before it was
/// rendered, and the batch.
type OpenHour = (u64, u64, Rendered);

/// What the caches hold: a body, or a rendered batch.
trait CacheSize {
    fn size(&self) -> usize;
}

impl CacheSize for Arc<[u8]> {
    fn size(&self) -> usize {
        self.len()
    }
}

impl CacheSize for Rendered {
    fn size(&self) -> usize {
        self.body.len()
    }
}

/// Bodies by key, and their total size in bytes.
type Bodies<K, V = Arc<[u8]>> = (HashMap<K, V>, usize);
/// Pages by `(after, limit)`.
type Pages = Bodies<(u64, usize)>;
/// Closed hours' batches and closed days' files, by what they are.
type Batches = Bodies<Served, Rendered>;
/// Batches and day files compressed with gzip, by the tag of their uncompressed bytes.
type Gzipped = Bodies<Arc<str>>;

/// A batch the API serves: an hour's, or a closed day's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Served {
    /// `/v1/batches/{hour}`.
    Hour(u64),
    /// `/v1/days/{day}`.
    Day(u64),
}

fn cache_get<K: std::hash::Hash + Eq, V: Clone>(m: &Mutex<Bodies<K, V>>, key: &K) -> Option<V> {
    crate::lock(m).0.get(key).cloned()
}

fn cache_put<K: std::hash::Hash + Eq, V: CacheSize>(
    m: &Mutex<Bodies<K, V>>,
    key: K,
    body: V,
    max: usize,
) {
    let mut g = crate::lock(m);
    if g.1 + body.size() > max {
        g.0.clear();
        g.1 = 0;
    }
    g.1 += body.size();
    g.0.insert(key, body);
}

impl PageCache {
    const MAX_BYTES: usize = 64 << 20;

    fn get(&self, key: (u64, usize)) -> Option<Arc<[u8]>> {
        cache_get(&self.inner, &key)
    }

    fn put(&self, key: (u64, usize), body: Arc<[u8]>) {
        cache_put(&self.inner, key, body, Self::MAX_BYTES);
    }

    fn batch(&self, what: Served) -> Option<Rendered> {
        cache_get(&self.batches, &what)
    }

    fn put_batch(&self, what: Served, body: Rendered) {
        cache_put(&self.batches, what, body, Self::MAX_BYTES);
    }

    fn gzipped(&self, tag: &Arc<str>) -> Option<Arc<[u8]>> {
        cache_get(&self.gzipped, tag)
    }

    fn put_gzipped(&self, tag: Arc<str>, body: Arc<[u8]>) {
        cache_put(&self.gzipped, tag, body, Self::MAX_BYTES);
    }

    /// The open hour's batch, if it was rendered when the store's latest sequence number was
    /// `seq`.
    fn open(&self, hour: u64, seq: u64) -> Option<Rendered> {
        crate::lock(&self.open)
            .as_ref()
            .filter(|(h, s, _)| *h == hour && *s == seq)
            .map(|(_, _, r)| r.clone())
    }

    fn put_open(&self, hour: u64, seq: u64, body: Rendered) {
        *crate::lock(&self.open) = Some((hour, seq, body));
    }

    /// Forgets every page and batch (after a purge).
    pub fn clear(&self) {
        *crate::lock(&self.inner) = Default::default();
        *crate::lock(&self.batches) = Default::default();
        *crate::lock(&self.gzipped) = Default::default();
        *crate::lock(&self.open) = None;
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
    /// The server's own failure: logged in full for the operator, answered with a 503 that
    /// names no internal detail (paths, disk errors) to the client.
    fn from(e: StoreError) -> Self {
        log_storage_error(&e);
        ApiError::new(
            Status::ServiceUnavailable,
            "storage_unavailable",
            "the server cannot use its storage right now; nothing was stored: try again later",
        )
    }
}

/// Logs a storage error for the operator, at most once a second: a full disk fails every
/// request, and the log must not fill what space is left. The count of those not logged is
/// given with the next line.
fn log_storage_error(e: &StoreError) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    static QUIET: AtomicU64 = AtomicU64::new(0);
    let now = now();
    if LAST.swap(now, Ordering::Relaxed) == now {
        QUIET.fetch_add(1, Ordering::Relaxed);
        return;
    }
    match QUIET.swap(0, Ordering::Relaxed) {
        0 => eprintln!("notify-server: storage error: {e}"),
        n => eprintln!("notify-server: storage error: {e} (and {n} more in the last second)"),
    }
}

/// Runs a blocking store call off the async runtime. A call that fails, or a task that
/// panics, is a 503 (the store's failure, never the input's).
async fn blocking<T: Send + 'static>(
    app: &App,
    call: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = Arc::clone(&app.store);
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| StoreError(format!("a store task failed: {e}")))?
        .map_err(ApiError::from)
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

/// Largest vault upload body: one 384-byte record is 512 base64url characters.
pub const VAULT_BODY_LIMIT: u64 = 4 * 1024;
/// Largest vault query body: 1,024 tags and a certificate, in base64url, with room to spare.
pub const QUERY_BODY_LIMIT: u64 = 64 * 1024;

/// A request body of the API: an object with exactly the fields [`Body::FIELDS`] (spec 16b).
pub trait Body: serde::de::DeserializeOwned {
    /// The body's fields, every one required.
    const FIELDS: &'static [&'static str];
    /// Fields the body may leave out (a browser's own object, such as a push subscription).
    const OPTIONAL: &'static [&'static str] = &[];
}

impl Body for PostBundle {
    const FIELDS: &'static [&'static str] = &["bundle"];
}

impl Body for PostRecord {
    const FIELDS: &'static [&'static str] = &["record"];
}

impl Body for PostQuery {
    const FIELDS: &'static [&'static str] = &["query"];
}

impl Body for Revocations {
    const FIELDS: &'static [&'static str] = &["revocations"];
}

impl Body for PostCase {
    const FIELDS: &'static [&'static str] = &["case", "id", "tag"];
}

impl Body for FetchCase {
    const FIELDS: &'static [&'static str] = &["id"];
}

impl Body for PushSubscribe {
    const FIELDS: &'static [&'static str] = &["endpoint", "keys"];
    const OPTIONAL: &'static [&'static str] = &["expirationTime"];
}

impl Body for PushUnsubscribe {
    const FIELDS: &'static [&'static str] = &["endpoint", "auth"];
}

/// Reads a JSON body, refusing anything over `limit` with a 413 before it is buffered.
async fn small_json<T: Body>(data: Data<'_>, limit: ByteUnit) -> Result<T, ApiError> {
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

/// Reads a large JSON body (a bundle, a case file) as [`small_json`] does, holding its
/// endpoint's `limit` of the server's budget for large bodies while it is read and parsed: past
/// the budget, `503 server_busy` at once (with `Retry-After`), before a byte is buffered.
async fn large_json<T: Body>(app: &App, data: Data<'_>, limit: ByteUnit) -> Result<T, ApiError> {
    let kib = u32::try_from(limit.as_u64().div_ceil(1024)).unwrap_or(u32::MAX);
    let Ok(_held) = Arc::clone(&app.large_bodies).try_acquire_many_owned(kib) else {
        let mut e = ApiError::new(
            Status::ServiceUnavailable,
            "server_busy",
            "the server is reading as many large posts as it takes at once: send this again \
             in a few seconds",
        );
        e.retry_after = Some(2);
        return Err(e);
    };
    small_json(data, limit).await
}

/// Parses a JSON request body as spec 16b says: 400 `bad_request` for text that is not JSON
/// and for an object with an unknown or a missing field, 422 `unprocessable` for any other
/// shape (not an object, a field of the wrong type).
pub fn parse_body<T: Body>(text: &str) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ApiError::new(
            Status::BadRequest,
            "bad_request",
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    let unprocessable = |why: String| {
        ApiError::new(
            Status::UnprocessableEntity,
            "unprocessable",
            format!("the JSON does not match the API: {why}"),
        )
    };
    let Some(object) = value.as_object() else {
        return Err(unprocessable(format!(
            "the body must be an object with the field {}",
            fields_named(T::FIELDS)
        )));
    };
    let wrong_fields = |what: &str, name: &str| {
        ApiError::new(
            Status::BadRequest,
            "bad_request",
            format!(
                "{what} field `{name}`: this endpoint takes an object with exactly the field {}",
                fields_named(T::FIELDS)
            ),
        )
    };
    if let Some(name) = object
        .keys()
        .find(|k| !T::FIELDS.contains(&k.as_str()) && !T::OPTIONAL.contains(&k.as_str()))
    {
        return Err(wrong_fields("unknown", name));
    }
    if let Some(name) = T::FIELDS.iter().find(|f| !object.contains_key(**f)) {
        return Err(wrong_fields("missing", name));
    }
    serde_json::from_value(value).map_err(|e| unprocessable(e.to_string()))
}

/// `fields` as `` `a` `` or `` `a`, `b` ``.
fn fields_named(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The client's address, for rate limits.
pub struct ClientAddr(pub Option<IpAddr>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        // The peer: the public address the connection guard relayed, or the connection's
        // own. Only a trusted proxy's `ip_header` is believed, and of a list only the
        // rightmost address that is not a trusted proxy itself.
        let app = req.rocket().state::<App>();
        let peer = req
            .remote()
            .and_then(|r| app.and_then(|a| a.peers.lookup(r)))
            .or_else(|| req.remote().map(|a| a.ip()));
        let forwarded = || {
            let app = app?;
            if !crate::guard::is_proxy(&app.proxies, peer?) {
                return None;
            }
            let header = req.rocket().config().ip_header.as_ref()?;
            let value = req.headers().get(header.as_str()).last()?;
            crate::guard::forwarded_client(value, &app.proxies)
        };
        Outcome::Success(ClientAddr(forwarded().or(peer)))
    }
}

/// What a rate limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Bundles published.
    Publish,
    /// Vault uploads.
    Upload,
    /// Vault queries.
    Query,
    /// Revocation list posts.
    Revocations,
    /// Case files held and fetched.
    Cases,
    /// Push subscriptions made and deleted.
    Push,
}

/// Counts one request against the address's limit for `purpose`; a 429 when over it.
fn limit(app: &App, addr: &ClientAddr, purpose: Purpose) -> Result<(), ApiError> {
    let (per_minute, what) = match purpose {
        Purpose::Publish => (app.settings.publish_per_minute, "bundles"),
        Purpose::Upload => (app.settings.vault_uploads_per_minute, "uploads"),
        Purpose::Query => (app.settings.queries_per_minute, "queries"),
        Purpose::Revocations => (app.settings.queries_per_minute, "revocation lists"),
        Purpose::Cases => (app.settings.queries_per_minute, "case files"),
        Purpose::Push => (
            app.settings.push_subscriptions_per_minute,
            "push subscriptions",
        ),
    };
    app.limiter
        .check(addr.0, purpose, per_minute)
        .map_err(|wait| {
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
    windows: Mutex<HashMap<(IpAddr, Purpose), (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one request; `Err(seconds)` when over `per_minute`.
    pub fn check(&self, ip: Option<IpAddr>, purpose: Purpose, per_minute: u32) -> Result<(), u64> {
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

mod bundles;
mod cases;
mod ops;
mod push;
mod revocations;
mod vault;
mod web;

pub use bundles::*;
pub use cases::*;
pub use ops::*;
pub use push::*;
pub use revocations::*;
pub use vault::*;
pub use web::*;

// ------------------------------------------------------------------ catchers

/// Every error Rocket raises itself becomes JSON too.
/// Whether a route's path (such as `/v1/batches/<hour>`) matches `path`: a dynamic segment
/// matches any one non-empty segment.
fn route_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut q = path.split('/');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(d), Some(s)) if d.starts_with('<') && !s.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// A 404 from Rocket for a path the API has: the method or the content type was wrong.
fn misrouted(req: &Request<'_>) -> Option<ApiError> {
    // The methods the mounted routes take at this path: what Rocket itself routes, so the
    // answer can never disagree with the routes.
    let path = req.uri().path();
    let mut methods: Vec<Method> = Vec::new();
    for route in req.rocket().routes() {
        if route_matches(route.uri.path(), path.as_str()) && !methods.contains(&route.method) {
            methods.push(route.method);
        }
    }
    if methods.is_empty() {
        return None;
    }
    if !methods.contains(&req.method()) {
        let list: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
        return Some(ApiError::new(
            Status::MethodNotAllowed,
            "method_not_allowed",
            format!(
                "{} takes {}, not {}",
                req.uri().path(),
                list.join(" or "),
                req.method()
            ),
        ));
    }
    matches!(req.method(), Method::Post | Method::Delete).then(|| {
        ApiError::new(
            Status::UnsupportedMediaType,
            "unsupported_media_type",
            format!(
                "{} takes a JSON body: send Content-Type: application/json",
                req.uri().path()
            ),
        )
    })
}

#[catch(default)]
pub fn default_catcher(status: Status, req: &Request<'_>) -> ApiError {
    if status == Status::NotFound
        && let Some(e) = misrouted(req)
    {
        return e;
    }
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

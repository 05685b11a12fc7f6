//! Publishing notice bundles and serving them: in order (`/v1/bundles`) and by publication
//! hour (`/v1/batches/{hour}`).

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;

fn bundle_error(e: &protocol::BundleError) -> ApiError {
    use protocol::BundleError as B;
    let status = match e {
        B::Certificate(_)
        | B::BadSignature
        | B::OutsideCertificateValidity
        | B::CertificateCannotPublish
        | B::CertificateRevoked => Status::Forbidden,
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
#[post("/v1/bundles", format = "json", data = "<data>")]
pub async fn post_bundle(
    app: &State<App>,
    addr: ClientAddr,
    limits: &rocket::data::Limits,
    data: Data<'_>,
) -> Result<(Status, Json<Posted>), ApiError> {
    limit(app, &addr, Purpose::Publish)?;
    // Rocket's JSON limit (2 MiB by default: the largest bundle, 4,096 entries, is about
    // 1.6 MB as base64).
    let body: PostBundle =
        large_json(app, data, limits.get("json").unwrap_or(2.mebibytes())).await?;
    refresh_revocations(app, false).await?;
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
        let bytes = bytes.clone();
        blocking(app, move |store| store.insert_bundle(&id, now, &bytes)).await?
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
            id: common::hex(&id),
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
    pub(super) body: T,
    pub(super) headers: Vec<Header<'static>>,
    pub(super) status: Status,
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
pub struct IfNoneMatch(pub Option<String>);

impl IfNoneMatch {
    /// Whether the request names `etag` (a list of tags, or `*`; RFC 9110 section 13.1.2,
    /// weak comparison).
    pub fn matches(&self, etag: &str) -> bool {
        self.0.as_deref().is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
            })
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(IfNoneMatch(
            req.headers().get_one("If-None-Match").map(str::to_owned),
        ))
    }
}

/// Whether the request's `Accept-Encoding` takes gzip (RFC 9110 section 12.5.3): a `gzip`
/// (or `x-gzip`) coding, or `*`, whose weight is not zero.
pub struct AcceptsGzip(pub bool);

impl AcceptsGzip {
    /// Reads one `Accept-Encoding` value.
    pub fn from_header(value: &str) -> bool {
        value.split(',').any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let named = ["gzip", "x-gzip", "*"]
                .iter()
                .any(|c| coding.eq_ignore_ascii_case(c));
            // A weight of zero (`q=0`, `q=0.000`) refuses the coding; any other takes it.
            let refused = parts.any(|p| {
                let p = p.trim();
                p.get(..2).is_some_and(|k| k.eq_ignore_ascii_case("q="))
                    && p[2..].trim().parse::<f32>().is_ok_and(|q| q == 0.0)
            });
            named && !refused
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AcceptsGzip {
    type Error = ();
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(AcceptsGzip(
            req.headers()
                .get("Accept-Encoding")
                .any(AcceptsGzip::from_header),
        ))
    }
}

/// `body` compressed with gzip at the best level.
pub(crate) fn gzip(body: &[u8]) -> Result<Arc<[u8]>, StoreError> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 2),
        flate2::Compression::best(),
    );
    enc.write_all(body)
        .and_then(|()| enc.finish())
        .map(Arc::from)
        .map_err(|e| StoreError(format!("compressing a batch: {e}")))
}

/// A pre-rendered body (JSON, or binary for batches) with headers, served without a copy.
pub struct RawJson {
    body: Option<Arc<[u8]>>,
    headers: Vec<Header<'static>>,
    status: Status,
    binary: bool,
}

impl<'r> Responder<'r, 'static> for RawJson {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = response::Response::build();
        res.status(self.status);
        if let Some(body) = self.body {
            res.header(if self.binary {
                ContentType::Binary
            } else {
                ContentType::JSON
            });
            // One chunk for the whole body (Rocket's default is 4 KiB chunks): a closed hour's
            // batch is hundreds of KB, and each chunk costs a trip through hyper.
            // (Set after the body: setting a body resets it.)
            let len = body.len();
            res.sized_body(len, std::io::Cursor::new(body));
            res.max_chunk_size(len.max(4096));
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
            let body: Arc<[u8]> = serde_json::to_vec(&page(bundles, after, more))
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
    if inm.matches(&etag) {
        return Ok(RawJson {
            body: None,
            headers,
            status: Status::NotModified,
            binary: false,
        });
    }
    Ok(RawJson {
        body: Some(body),
        headers,
        status: Status::Ok,
        binary: false,
    })
}

/// The number a batch path names, read from the path as the request spelt it: only the
/// canonical form (ASCII digits, no sign, no leading zero, no percent-encoding, no query) is
/// a batch's URL, so that each batch has one and a cache in front cannot be bypassed with
/// another spelling of it (spec section 16b). Anything else is `404 not_found`.
pub struct CanonicalNumber(pub u64);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CanonicalNumber {
    type Error = ApiError;
    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let uri = req.uri();
        let raw = uri.path().as_str();
        let (prefix, last) = raw.rsplit_once('/').unwrap_or(("", raw));
        let canonical = uri.query().is_none()
            && !last.is_empty()
            && last.bytes().all(|b| b.is_ascii_digit())
            && (last == "0" || !last.starts_with('0'))
            && last.len() <= 19;
        match last.parse::<u64>().ok().filter(|_| canonical) {
            Some(n) => Outcome::Success(CanonicalNumber(n)),
            None => Outcome::Error((
                Status::NotFound,
                ApiError::new(
                    Status::NotFound,
                    "not_found",
                    format!(
                        "no such path: {prefix}/N takes N as a whole number in decimal digits, \
                         without a sign, leading zeros, escapes or a query, not '{}'",
                        uri
                    ),
                ),
            )),
        }
    }
}

/// The bytes of a batch or day file with the headers of spec section 16b: its tag, `Vary`, and
/// gzip where the client takes it and it is smaller (compressed once per content).
fn serve_binary(
    app: &App,
    rendered: Rendered,
    cache: String,
    inm: &IfNoneMatch,
    accepts: &AcceptsGzip,
) -> Result<RawJson, ApiError> {
    let gzipped = if accepts.0 {
        let gz = match app.pages.gzipped(&rendered.tag) {
            Some(gz) => gz,
            None => {
                let gz = gzip(&rendered.body)?;
                app.pages
                    .put_gzipped(Arc::clone(&rendered.tag), Arc::clone(&gz));
                gz
            }
        };
        (gz.len() < rendered.body.len()).then_some(gz)
    } else {
        None
    };
    let mut headers = vec![
        Header::new("Cache-Control", cache),
        Header::new("Vary", "Accept-Encoding"),
    ];
    // The tag names the uncompressed bytes; the compressed form has one of its own (RFC 9110
    // section 8.8.3).
    let (body, etag) = match gzipped {
        Some(gz) => {
            headers.push(Header::new("Content-Encoding", "gzip"));
            (gz, format!("\"{}-gzip\"", rendered.tag))
        }
        None => (rendered.body, format!("\"{}\"", rendered.tag)),
    };
    headers.push(Header::new("ETag", etag.clone()));
    if inm.matches(&etag) {
        return Ok(RawJson {
            body: None,
            headers,
            status: Status::NotModified,
            binary: true,
        });
    }
    Ok(RawJson {
        body: Some(body),
        headers,
        status: Status::Ok,
        binary: true,
    })
}

/// The oldest hour still within retention at `now`.
fn oldest_hour(app: &App, now: u64) -> u64 {
    (now / 3600).saturating_sub(app.settings.notice_retention_days * 24)
}

/// Renders the batch of `hour` from the store.
fn render_hour(app: &App, hour: u64) -> Result<Rendered, ApiError> {
    let bundles = app.store.bundles_in_hour(hour)?;
    let body = protocol::batch::encode_batch(hour, bundles.iter().map(|b| b.bytes.as_slice()))
        .map_err(|e| StoreError(format!("hour {hour}: {e}")))?;
    Ok(Rendered::new(body))
}

/// The batch of `hour` at `now`: a closed hour's rendered once; the open hour's rendered
/// again only after a publication (the store's latest sequence number changed).
pub fn hour_batch(app: &App, hour: u64, now: u64) -> Result<Rendered, ApiError> {
    if protocol::batch::is_closed(hour, now) {
        if let Some(r) = app.pages.batch(Served::Hour(hour)) {
            return Ok(r);
        }
        let r = render_hour(app, hour)?;
        app.pages.put_batch(Served::Hour(hour), r.clone());
        return Ok(r);
    }
    // Read before the batch: a publication in between is in the rendering, and the next
    // request, seeing a higher number, renders again.
    let seq = app.store.latest_seq()?;
    if let Some(r) = app.pages.open(hour, seq) {
        return Ok(r);
    }
    let r = render_hour(app, hour)?;
    app.pages.put_open(hour, seq, r.clone());
    Ok(r)
}

/// The day file of closed UTC day `day`, rendered once from its 24 hours' batches.
pub fn day_file(app: &App, day: u64, now: u64) -> Result<Rendered, ApiError> {
    if let Some(r) = app.pages.batch(Served::Day(day)) {
        return Ok(r);
    }
    let hours = protocol::batch::hours_of_day(day)
        .map(|h| hour_batch(app, h, now))
        .collect::<Result<Vec<_>, _>>()?;
    let body = protocol::batch::encode_day(day, hours.iter().map(|r| &r.body[..]))
        .map_err(|e| StoreError(format!("day {day}: {e}")))?;
    let r = Rendered::new(body);
    app.pages.put_batch(Served::Day(day), r.clone());
    Ok(r)
}

/// `Cache-Control` for a closed batch: it never changes, but it is deleted when `last_hour`
/// leaves the retention period, so no cache may keep it longer than that.
fn immutable_until_purged(app: &App, last_hour: u64, now: u64) -> String {
    let purged_at = (last_hour + app.settings.notice_retention_days * 24 + 1) * 3600;
    format!(
        "public, max-age={}, immutable",
        purged_at.saturating_sub(now)
    )
}

/// Every bundle published in one epoch hour, as the binary batch of spec section 12.3;
/// immutable once the hour has closed (120 seconds after its end), and then rendered once and
/// served from memory; the open hour is rendered again only after a publication. A client
/// that takes gzip gets the batch compressed (once per content), where that is smaller.
#[get("/v1/batches/<_hour>")]
pub fn get_batch(
    app: &State<App>,
    _hour: &str,
    hour: Result<CanonicalNumber, ApiError>,
    inm: IfNoneMatch,
    accepts: AcceptsGzip,
) -> Result<RawJson, ApiError> {
    let hour = hour?.0;
    let now = now();
    let current = now / 3600;
    if hour > current {
        return Err(ApiError::new(
            Status::NotFound,
            "hour_in_future",
            format!("hour {hour} has not begun (the current hour is {current})"),
        ));
    }
    if hour < oldest_hour(app, now) {
        return Err(ApiError::new(
            Status::Gone,
            "hour_purged",
            format!("hour {hour} is older than the retention period; its notices are deleted"),
        ));
    }
    let closed = protocol::batch::is_closed(hour, now);
    let rendered = hour_batch(app, hour, now)?;
    let cache = if closed {
        immutable_until_purged(app, hour, now)
    } else {
        // An open hour can still grow: let caches keep it only until it closes.
        let closes = (hour + 1) * 3600 + protocol::batch::CLOSE_GRACE_SECS;
        format!("public, max-age={}", closes.saturating_sub(now).min(60))
    };
    serve_binary(app, rendered, cache, &inm, &accepts)
}

/// The day file of a closed UTC day (spec section 12.3, "Day files"): its 24 hour batches in
/// one immutable body, so a phone's first sync is a few dozen requests instead of hundreds.
#[get("/v1/days/<_day>")]
pub fn get_day(
    app: &State<App>,
    _day: &str,
    day: Result<CanonicalNumber, ApiError>,
    inm: IfNoneMatch,
    accepts: AcceptsGzip,
) -> Result<RawJson, ApiError> {
    let day = day?.0;
    let now = now();
    if day > u64::MAX / 86_400 || !protocol::batch::is_day_closed(day, now) {
        return Err(ApiError::new(
            Status::NotFound,
            "day_not_closed",
            format!(
                "day {day} has not closed (a UTC day closes {} seconds after it ends): fetch \
                 its hours one by one",
                protocol::batch::CLOSE_GRACE_SECS
            ),
        ));
    }
    let last_hour = protocol::batch::hours_of_day(day).end - 1;
    if last_hour < oldest_hour(app, now) {
        return Err(ApiError::new(
            Status::Gone,
            "day_purged",
            format!("day {day} is older than the retention period; its notices are deleted"),
        ));
    }
    let rendered = day_file(app, day, now)?;
    let cache = immutable_until_purged(app, last_hour, now);
    serve_binary(app, rendered, cache, &inm, &accepts)
}

#[cfg(test)]
mod tests {
    use super::AcceptsGzip;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        for yes in [
            "gzip",
            "GZip",
            "br, gzip, deflate",
            "gzip;q=0.5",
            "deflate, gzip ; q=1.0",
            "*",
            "x-gzip",
        ] {
            assert!(AcceptsGzip::from_header(yes), "{yes}");
        }
        for no in [
            "",
            "identity",
            "br, deflate",
            "gzip;q=0",
            "gzip; Q=0.000",
            "*;q=0",
            "gzipx",
        ] {
            assert!(!AcceptsGzip::from_header(no), "{no}");
        }
    }
}

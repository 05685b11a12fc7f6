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
pub struct IfNoneMatch(pub Option<String>);

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
    if inm.0.as_deref() == Some(etag.as_str()) {
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

/// Every bundle published in one epoch hour, as the binary batch of spec section 12.3;
/// immutable once the hour has closed (120 seconds after its end), and then rendered once and
/// served from memory. A client that takes gzip gets the batch compressed (once per content),
/// where that is smaller.
#[get("/v1/batches/<hour>")]
pub fn get_batch(
    app: &State<App>,
    hour: &str,
    inm: IfNoneMatch,
    accepts: AcceptsGzip,
) -> Result<RawJson, ApiError> {
    // Read here rather than by Rocket, so that "abc" is a bad parameter, not a JSON error.
    // Only the canonical form: `0499067` or `+499067` would name the same batch under another
    // URL, which a CDN caches apart (and a client could use to get past the cache).
    let canonical = hour == "0"
        || (hour.bytes().all(|b| b.is_ascii_digit()) && !hour.is_empty() && !hour.starts_with('0'));
    let hour: u64 = hour.parse().ok().filter(|_| canonical).ok_or_else(|| {
        ApiError::new(
            Status::BadRequest,
            "bad_parameter",
            format!(
                "the hour must be a whole number of hours since 1970-01-01 00:00 UTC, in \
                 decimal digits without a sign or leading zeros, not '{hour}'"
            ),
        )
    })?;
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
    let closed = protocol::batch::is_closed(hour, now);
    let body = match app.pages.batch(hour).filter(|_| closed) {
        Some(body) => body,
        None => {
            let bundles = app.store.bundles_in_hour(hour)?;
            let body: Arc<[u8]> =
                protocol::batch::encode_batch(hour, bundles.iter().map(|b| b.bytes.as_slice()))
                    .map_err(|e| StoreError(format!("hour {hour}: {e}")))?
                    .into();
            if closed {
                app.pages.put_batch(hour, Arc::clone(&body));
            }
            body
        }
    };
    let cache = if closed {
        // Closed: it never changes, but it is deleted when it leaves the retention period, so
        // no cache may keep it longer than that.
        let purged_at = (hour + app.settings.notice_retention_days * 24 + 1) * 3600;
        format!(
            "public, max-age={}, immutable",
            purged_at.saturating_sub(now)
        )
    } else {
        // An open hour can still grow: let caches keep it only until it closes.
        let closes = (hour + 1) * 3600 + protocol::batch::CLOSE_GRACE_SECS;
        format!("public, max-age={}", closes.saturating_sub(now).min(60))
    };
    // Bundles are only ever added to an hour, and purged with the whole hour: the size names
    // the content. The compressed form has a tag of its own (RFC 9110 section 8.8.3).
    let len = body.len();
    let gzipped = if accepts.0 {
        let gz = match app.pages.gzipped(hour, len) {
            Some(gz) => gz,
            None => {
                let gz = gzip(&body)?;
                app.pages.put_gzipped(hour, len, Arc::clone(&gz));
                gz
            }
        };
        (gz.len() < len).then_some(gz)
    } else {
        None
    };
    let mut headers = vec![
        Header::new("Cache-Control", cache),
        Header::new("Vary", "Accept-Encoding"),
    ];
    let (body, etag) = match gzipped {
        Some(gz) => {
            headers.push(Header::new("Content-Encoding", "gzip"));
            (gz, format!("\"h{hour}-{len}-gzip\""))
        }
        None => (body, format!("\"h{hour}-{len}\"")),
    };
    headers.push(Header::new("ETag", etag.clone()));
    if inm.0.as_deref() == Some(etag.as_str()) {
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

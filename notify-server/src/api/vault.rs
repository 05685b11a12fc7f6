//! The consented contact vault: uploads and tracer-signed queries.

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;

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
    blocking(app, move |store| {
        store.insert_vault_record(&tag, now, &record)
    })
    .await?;
    app.durable.wait().await?;
    Ok((Status::Created, Json(Stored { stored: true })))
}

/// Venues per bucket (spec section 14.5): phones draw their cover records' buckets from it.
/// It is the same for every phone and changes only when the operator restarts the server
/// with other posters.
#[get("/v1/vault/buckets")]
pub fn get_vault_buckets(app: &State<App>) -> Json<VaultBuckets> {
    Json(VaultBuckets {
        venues_per_bucket: app.venues_per_bucket.as_ref().clone(),
    })
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
    protocol::query::verify_query(root, &bytes, now).map_err(|e| query_error(&e))
}

fn query_error(e: &protocol::QueryError) -> ApiError {
    use protocol::QueryError as Q;
    let status = match e {
        Q::Certificate(_) | Q::BadSignature | Q::CertificateCannotQuery | Q::CertificateRevoked => {
            Status::Forbidden
        }
        Q::Stale { .. } => Status::UnprocessableEntity,
        _ => Status::BadRequest,
    };
    ApiError::new(status, e.code(), e.to_string())
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
    // The signature is checked without the verifier's lock, which bundle publishing shares;
    // the lock is held only for the revocation lookup.
    let q = check_query(&body, &app.trust.root, now)?;
    refresh_revocations(app, false).await?;
    q.check_not_revoked(crate::lock(&app.verifier).revocations())
        .map_err(|e| query_error(&e))?;
    // Remember the nonce for twice the allowed skew: after that its timestamp is stale anyway.
    let expires = now + 2 * protocol::query::MAX_QUERY_SKEW_SECS;
    let nonce = q.nonce;
    let fresh = blocking(app, move |store| store.remember_nonce(&nonce, expires)).await?;
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
    let max = app.settings.max_query_records;
    let tags = q.tags.clone();
    let records = blocking(app, move |store| store.vault_records(&tags, max + 1)).await?;
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

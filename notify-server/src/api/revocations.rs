//! The authority's revocation list (spec section 10.3): posted by anyone (only the root can
//! sign one), kept if newer, served to phones, and enforced on bundles and queries.

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;
use protocol::revocation::Replacement;

/// Largest revocation body: 4,096 keys in base64url, with room to spare.
pub const REVOCATIONS_BODY_LIMIT: u64 = 256 * 1024;

fn revocation_error(e: &protocol::RevocationError) -> ApiError {
    use protocol::RevocationError as R;
    let status = match e {
        R::BadSignature => Status::Forbidden,
        R::FromTheFuture { .. } => Status::UnprocessableEntity,
        R::NotNewer { .. } => Status::Conflict,
        _ => Status::BadRequest,
    };
    ApiError::new(status, e.code(), e.to_string())
}

/// What `POST /v1/revocations` checks on the list itself: the body holds one, base64, the
/// list's encoding, the root's signature and time. Whether it is newer than the held list is
/// the handler's check, under the lock. Every refusal is a 4xx.
pub fn check_revocations(
    body: &Revocations,
    root: &protocol::VerifyingKey,
    now: u64,
) -> Result<protocol::RevocationList, ApiError> {
    let Some(text) = &body.revocations else {
        return Err(ApiError::new(
            Status::UnprocessableEntity,
            "unprocessable",
            "'revocations' must hold a revocation list, not null",
        ));
    };
    let bytes = b64("revocations", text)?;
    protocol::RevocationList::verify(root, &bytes, now).map_err(|e| revocation_error(&e))
}

/// Takes a newer revocation list: verified against the pinned root, stored durably, then in
/// force for every bundle and query that follows.
#[post("/v1/revocations", format = "json", data = "<data>")]
pub async fn post_revocations(
    app: &State<App>,
    addr: ClientAddr,
    data: Data<'_>,
) -> Result<(Status, Json<RevocationsPosted>), ApiError> {
    limit(app, &addr, Purpose::Revocations)?;
    let body: Revocations = small_json(data, REVOCATIONS_BODY_LIMIT.bytes()).await?;
    let list = check_revocations(&body, &app.trust.root, now())?;
    let _writing = app.revocation_writes.lock().await;
    refresh_revocations(app, false).await?;
    let replacement = list
        .replaces(crate::lock(&app.verifier).revocations())
        .map_err(|e| revocation_error(&e))?;
    let answer = RevocationsPosted {
        issued_at: list.issued_at(),
        keys: list.keys().len(),
        replaced: replacement == Replacement::Newer,
    };
    if !answer.replaced {
        return Ok((Status::Ok, Json(answer)));
    }
    let bytes = list.to_bytes().to_vec();
    blocking(app, move |store| store.set_revocations(&bytes)).await?;
    app.durable.wait().await?;
    crate::lock(&app.verifier).set_revocations(list);
    Ok((Status::Created, Json(answer)))
}

/// With a store that other instances share, takes the newest revocation list stored, if it is
/// newer than the one in force here: a list posted to any instance is in force on every
/// instance by its next publication, query or list read. Reads for `GET /v1/revocations` look
/// at the store at most once a second.
pub async fn refresh_revocations(app: &App, for_read: bool) -> Result<(), ApiError> {
    if !app.store.shared() {
        return Ok(());
    }
    if for_read {
        let mut last = crate::lock(&app.revocations_read);
        if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1)) {
            return Ok(());
        }
        *last = Some(std::time::Instant::now());
    }
    let Some(bytes) = blocking(app, |store| store.revocations()).await? else {
        return Ok(());
    };
    let held = crate::lock(&app.verifier)
        .revocations()
        .map(|l| l.to_bytes().to_vec());
    if held.as_deref() == Some(bytes.as_slice()) {
        // The list in force: nothing to verify again.
        return Ok(());
    }
    // Checked when it was posted; checked again, as anything read back from the store is.
    let list = protocol::RevocationList::verify(&app.trust.root, &bytes, u64::MAX)
        .map_err(|e| StoreError(format!("the stored revocation list does not verify: {e}")))?;
    let mut verifier = crate::lock(&app.verifier);
    if list.replaces(verifier.revocations()) == Ok(Replacement::Newer) {
        verifier.set_revocations(list);
    }
    Ok(())
}

/// How long a cache may keep `GET /v1/revocations` (spec section 16b): a newly posted list
/// reaches phones behind a CDN within this, and a sync that runs every few minutes costs the
/// server one read a minute per edge.
pub const REVOCATIONS_MAX_AGE_SECS: u64 = 60;

/// The newest revocation list the server holds, or `null`. The same for everyone: any cache
/// may keep it for a minute.
#[get("/v1/revocations")]
pub async fn get_revocations(app: &State<App>) -> Result<WithHeaders<Revocations>, ApiError> {
    refresh_revocations(app, true).await?;
    let verifier = crate::lock(&app.verifier);
    Ok(WithHeaders {
        body: Revocations {
            revocations: verifier
                .revocations()
                .map(|l| URL_SAFE_NO_PAD.encode(l.to_bytes())),
        },
        headers: vec![Header::new(
            "Cache-Control",
            format!("public, max-age={REVOCATIONS_MAX_AGE_SECS}"),
        )],
        status: Status::Ok,
    })
}

//! Operations: the pinned authority, health and metrics.

#[allow(
    clippy::wildcard_imports,
    reason = "the area shares the API module's state, errors and extractors"
)]
use super::*;

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

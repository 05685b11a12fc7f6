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

/// Where the guard's private port sends requests that did not come through the guard.
pub const NOT_RELAYED: &str = "/.guard/not-relayed";

/// The answer on the private port to a connection the guard did not relay: 403, nothing done.
#[get("/.guard/not-relayed")]
pub fn not_relayed() -> ApiError {
    ApiError::new(
        Status::Forbidden,
        "not_relayed",
        "this port is the server's private side: connect to its public address",
    )
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

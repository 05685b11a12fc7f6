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
        emergency: t
            .emergency
            .keys()
            .iter()
            .map(|k| URL_SAFE_NO_PAD.encode(k.as_bytes()))
            .collect(),
        emergency_threshold: t.emergency.threshold(),
        case: URL_SAFE_NO_PAD.encode(t.case.0),
        sealing: t
            .sealing
            .iter()
            .map(|p| api::http::SealingPeriod {
                from: p.from,
                until: p.until,
                key: URL_SAFE_NO_PAD.encode(p.key.0),
            })
            .collect(),
        trust_file: app.trust_text.clone(),
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

/// Readiness (`/healthz` and `/readyz` say the same): 200 while the server can read and store,
/// 503 while it cannot. Storing is judged by the last flush to disk: after a failed flush with
/// no flush in the 10 seconds since (no traffic), it tries a flush of its own, so that health
/// turns back to ok once the disk can take writes again. Reading is a round trip to the store
/// (a database that is down or unreachable is found here, before a request meets it). It
/// tells nothing about what is stored.
#[get("/healthz")]
pub async fn healthz(app: &State<App>) -> (Status, Json<Health>) {
    health(&app.store, &app.durable, false).await
}

/// Readiness, under the name load balancers and orchestrators look for: as `/healthz`.
#[get("/readyz")]
pub async fn readyz(app: &State<App>) -> (Status, Json<Health>) {
    health(&app.store, &app.durable, false).await
}

/// Liveness: 200 whenever the process answers at all, whatever the store's state, so that a
/// supervisor restarts a server that hangs and not one that waits for its database.
#[get("/livez")]
pub fn livez() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        detail: None,
    })
}

/// The health answer for `store` and its group commit `durable`; with `full`, the reason
/// names the storage error (for operators), else only that the store fails (for the public).
pub async fn health(
    store: &Arc<dyn Store>,
    durable: &crate::durable::Durability,
    full: bool,
) -> (Status, Json<Health>) {
    let wait = std::time::Duration::from_secs(5);
    let mut state = durable.health();
    if state.is_err() && durable.since_last_flush() >= 10 {
        let probe = tokio::time::timeout(wait, durable.wait()).await;
        state = match probe {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => durable.health(),
            Err(_) => Err("a flush to disk did not finish within 5 seconds".into()),
        };
    }
    if state.is_ok() {
        let store = Arc::clone(store);
        let ping = tokio::task::spawn_blocking(move || store.ping());
        state = match tokio::time::timeout(wait, ping).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(format!("the store does not answer: {e}")),
            Ok(Err(e)) => Err(format!("a store task failed: {e}")),
            Err(_) => Err("the store did not answer within 5 seconds".into()),
        };
    }
    match state {
        Ok(()) => (
            Status::Ok,
            Json(Health {
                status: "ok".into(),
                detail: None,
            }),
        ),
        Err(why) => (
            Status::ServiceUnavailable,
            Json(Health {
                status: "unavailable".into(),
                detail: Some(if full {
                    format!("the server cannot store: {why}")
                } else {
                    "the server cannot read or store right now; its operator's health page \
                     (/healthz on the operators' listener) says why"
                        .into()
                }),
            }),
        ),
    }
}

/// What the operators' listener serves from: the public server's store, group commit and
/// counters.
pub struct Admin {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Group commit for the store.
    pub durable: Arc<Durability>,
    /// The public server's counters.
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// Health for operators: as the public `/healthz`, with the storage error named.
#[get("/healthz")]
pub async fn admin_healthz(admin: &State<Admin>) -> (Status, Json<Health>) {
    health(&admin.store, &admin.durable, true).await
}

/// Readiness for operators: as `/healthz` here.
#[get("/readyz")]
pub async fn admin_readyz(admin: &State<Admin>) -> (Status, Json<Health>) {
    health(&admin.store, &admin.durable, true).await
}

/// Prometheus metrics, on the operators' listener only: per-route counts and store sizes are
/// not for the public (vault-record counts in real time would tell when people consent).
/// While the store does not answer, the counters are still served (a scrape is never lost
/// whole), the store's sizes are left out, and `notify_store_up` is 0.
#[get("/metrics")]
pub fn metrics(admin: &State<Admin>) -> (ContentType, String) {
    let counts = admin.store.counts().ok();
    let text = admin.metrics.render(counts, admin.durable.flushes());
    (
        ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        text,
    )
}

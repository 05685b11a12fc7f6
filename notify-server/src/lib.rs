//! The notify server: stores and serves what it cannot read.
//!
//! - Notice bundles, verified against the pinned authority root before they are stored, and
//!   served in order (`/v1/bundles?after=`) and by publication hour (`/v1/batches/{hour}`,
//!   immutable once the hour has closed, so a CDN can serve every read).
//! - Consented vault records, stored durably before the 2xx, and released only to
//!   tracer-signed, fresh, never-replayed queries.
//! - Trust information, health and Prometheus metrics; a retention purge that runs by itself.
//! - Opt-in Web Push wake-ups: when an hour closes holding new bundles, every subscribed phone
//!   gets the same content-free push ([`push`]).
//!
//! `build` assembles the Rocket instance; `main.rs` only launches it.
#![forbid(unsafe_code)]

pub mod api;
pub mod batches;
pub mod config;
pub mod durable;
pub mod guard;
pub mod metrics;
pub mod push;
pub mod store;

/// Locks `m`, carrying on if a thread panicked while holding it: every value behind these
/// locks (counters, caches, windows) stays usable whatever was interrupted.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use protocol::{BundleVerifier, TrustAnchor};
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::{Build, Rocket, catchers, routes};

use crate::api::App;
use crate::config::Settings;
use crate::durable::Durability;
use crate::metrics::{Metrics, MetricsFairing};
use crate::store::{RedbStore, Store};

/// Why the server cannot start. Each says what to fix.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// Directory of the development authority inside the data directory.
pub const DEV_AUTHORITY: &str = "dev-authority";

/// Finds the trust anchor: the configured trust file, or else a development authority in the
/// data directory, created on first start and announced loudly.
/// Returns the anchor with the file's signed text, which the server serves as it is.
fn trust_anchor(settings: &Settings) -> Result<(TrustAnchor, String), StartError> {
    if let Some(path) = &settings.trust_file {
        return common::authority::read_trust_text(path)
            .map_err(|e| StartError(format!("cannot use the configured trust file: {e}")));
    }
    if settings.require_trust_file {
        return Err(StartError(
            "no trust file is configured (set trust_file in Rocket.toml or ROCKET_TRUST_FILE), \
             and require_trust_file forbids creating a development authority"
                .into(),
        ));
    }
    let dir = settings.data_dir.join(DEV_AUTHORITY);
    let trust = if dir.join(common::authority::TRUST_FILE).exists() {
        // Keep its sealing keys current, as an authority would every month.
        common::authority::rotate(&dir, common::time::now(), common::authority::DEFAULT_MONTHS)
            .and_then(|_| {
                common::authority::read_trust_text(&dir.join(common::authority::TRUST_FILE))
            })
            .map_err(|e| StartError(format!("the development authority is damaged: {e}")))?
    } else {
        common::authority::init_development(&dir, "Development authority (not for real use)")
            .and_then(|_| {
                common::authority::read_trust_text(&dir.join(common::authority::TRUST_FILE))
            })
            .map_err(|e| StartError(format!("cannot create a development authority: {e}")))?
    };
    let dev_root = protocol::Ed25519Secret::from_bytes(common::authority::DEV_ROOT_SEED);
    if trust.0.root != dev_root.verifying_key() {
        eprintln!(
            "Note: the development authority in {} was made before its root key was fixed, so \
             the web app this server serves (built for the fixed root) will refuse its trust \
             file; delete that directory to make a new one.",
            dir.display()
        );
    }
    let abs = std::fs::canonicalize(&dir).unwrap_or(dir);
    eprintln!(
        "\n*** DEVELOPMENT AUTHORITY ***\n\
         No trust file is configured, so this server trusts a development authority whose\n\
         secret keys are in {}\n\
         (root.key, case.key, release.key, sealing/; the three emergency officers' keys, two of\n\
         whom approve together, in officers/1 to officers/3; public trust file: trust.txt). Its\n\
         root and release keys are public and fixed: the committed web app is built and signed\n\
         for them, and anyone can sign as this authority. One directory holding every key can\n\
         make phones alert alone: use it for trying things out only. In a deployment, set\n\
         trust_file (ROCKET_TRUST_FILE) to the trust file of an authority whose officers made\n\
         their own keys ('tracer authority officer-init').\n",
        abs.display()
    );
    Ok(trust)
}

/// A bundle verifier for `trust`, with the revocation list the store holds in force. A stored
/// list that does not verify under the pinned root (the trust file changed) cannot be trusted
/// and stops the start: refusing nothing that the authority revoked matters more than starting.
fn verifier_with_revocations(
    trust: &TrustAnchor,
    store: &dyn Store,
) -> Result<BundleVerifier, StartError> {
    let mut verifier = BundleVerifier::new(trust.root);
    let stored = store
        .revocations()
        .map_err(|e| StartError(format!("cannot read the store: {e}")))?;
    if let Some(bytes) = stored {
        // Its time was checked when it was posted; the clock may have moved since.
        let list =
            protocol::RevocationList::verify(&trust.root, &bytes, u64::MAX).map_err(|e| {
                StartError(format!(
                    "the stored revocation list does not verify under the pinned authority ({e}): \
                 the trust file changed since it was posted; use the data directory of this \
                 authority, or a new one"
                ))
            })?;
        verifier.set_revocations(list);
    }
    Ok(verifier)
}

/// Rocket's configuration sources (`Rocket.toml`, then `ROCKET_*` variables) over the
/// server's defaults: JSON bodies up to 2 MiB, room for the largest bundle (4,096 entries,
/// about 1.6 MB as base64), and no client IP header.
pub fn figment() -> Figment {
    use rocket::figment::providers::{Env, Format, Serialized, Toml};
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("limits.json", "2 MiB"))
        // Rate limits key on the client's address. Trusting a client-supplied X-Real-IP
        // would let anyone pick their own; behind a proxy, set ip_header to its header.
        .merge(Serialized::default("ip_header", false))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        // As Rocket does: `ROCKET_PROFILE` picks the file's table (`[default]` under it);
        // a profile the file does not have is refused by `config::check_keys`.
        .select(rocket::figment::Profile::from_env_or(
            "ROCKET_PROFILE",
            rocket::Config::DEFAULT_PROFILE,
        ))
}

/// Counts the venues of each bucket from the posters in `venue_posters` (spec section 14.5):
/// all zeros when it is unset. A line that is not a valid poster stops the start, naming it.
fn venues_per_bucket(settings: &Settings) -> Result<Vec<u32>, StartError> {
    let mut counts = vec![0u32; usize::from(protocol::derive::VAULT_BUCKETS)];
    let Some(path) = &settings.venue_posters else {
        return Ok(counts);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        StartError(format!(
            "cannot read venue_posters {}: {e}; give a text file with one poster URL a line, \
             or remove the setting",
            path.display()
        ))
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let poster = protocol::Poster::from_url_or_payload(line).map_err(|e| {
            StartError(format!(
                "venue_posters {} line {}: {e}; give one poster URL or code a line",
                path.display(),
                i + 1
            ))
        })?;
        // A venue listed twice counts once.
        if seen.insert(poster.venue_id()) {
            counts[usize::from(protocol::derive::vault_bucket(&poster.venue_id()))] += 1;
        }
    }
    Ok(counts)
}

/// Opens the store, loads the trust anchor, and builds the Rocket instance from `figment`.
pub fn build(figment: Figment) -> Result<Rocket<Build>, StartError> {
    config::check_keys(&figment).map_err(|e| StartError(format!("bad configuration: {e}")))?;
    let settings: Settings = figment
        .extract()
        .map_err(|e| StartError(format!("bad configuration: {e}")))?;
    settings
        .check()
        .map_err(|e| StartError(format!("bad configuration: {e}")))?;
    // At Rocket's `debug` level every crate's `log` lines are written, and the PostgreSQL
    // driver's include each statement's parameters: vault records, case ids and files. The
    // server writes no such value to any log (spec 16b), so it does not start that way.
    if settings.store == config::StoreKind::Postgres
        && figment
            .extract::<rocket::Config>()
            .is_ok_and(|c| c.log_level == rocket::config::LogLevel::Debug)
    {
        return Err(StartError(
            "bad configuration: log_level = \"debug\" with store = \"postgres\" would write \
             every database statement's parameters (vault records, case ids and files) to the \
             log: use log_level = \"normal\" or lower"
                .into(),
        ));
    }
    let json_limit = figment
        .extract::<rocket::Config>()
        .ok()
        .and_then(|c| c.limits.get("json"))
        .map_or(2 << 20, |l| l.as_u64());
    if u64::from(settings.large_bodies_mib) << 20 < json_limit.max(api::CASE_BODY_LIMIT) {
        return Err(StartError(format!(
            "bad configuration: large_bodies_mib = {} cannot hold one largest post ({} bytes, \
             limits.json): raise it",
            settings.large_bodies_mib,
            json_limit.max(api::CASE_BODY_LIMIT)
        )));
    }
    create_data_dir(&settings.data_dir)?;
    let (trust, trust_text) = trust_anchor(&settings)?;
    let store = open_configured(&settings)?;
    let durable = Durability::new(Arc::clone(&store));
    let metrics = Arc::new(Metrics::default());
    let pages = Arc::new(api::PageCache::default());
    let verifier = verifier_with_revocations(&trust, store.as_ref())?;
    let push = if settings.push_enabled {
        let pusher = push::Pusher::new(store.as_ref(), &settings).map_err(|e| {
            StartError(format!(
                "cannot set up push wake-ups: {e}; restore the push key from the store's \
                     backup (a new key makes every subscription useless), or set \
                     push_enabled = false"
            ))
        })?;
        Some(Arc::new(pusher))
    } else {
        None
    };
    let guard_settings: guard::GuardSettings = figment
        .extract()
        .map_err(|e| StartError(format!("bad configuration: {e}")))?;
    // Checked with the other keys (`config::check_keys`).
    let proxies = guard_settings.proxies().unwrap_or_default();
    let app = App {
        proxies,
        pages: Arc::clone(&pages),
        store: Arc::clone(&store),
        durable: Arc::clone(&durable),
        verifier: std::sync::Mutex::new(verifier),
        revocation_writes: tokio::sync::Mutex::new(()),
        revocations_read: std::sync::Mutex::new(None),
        trust,
        trust_text,
        venues_per_bucket: Arc::new(venues_per_bucket(&settings)?),
        settings: settings.clone(),
        limiter: api::RateLimiter::default(),
        metrics: Arc::clone(&metrics),
        peers: Arc::new(guard::Peers::default()),
        push: push.clone(),
        large_bodies: Arc::new(tokio::sync::Semaphore::new(
            settings.large_bodies_mib as usize * 1024,
        )),
        case_holds: api::CaseHolds::default(),
    };
    if let Some(dir) = &settings.batch_dir {
        std::fs::create_dir_all(batches::batches_path(dir)).map_err(|e| {
            StartError(format!(
                "cannot create batch_dir {}: {e}; set batch_dir to a directory the server may \
                 write, or remove it",
                dir.display()
            ))
        })?;
    }
    let batch_job = settings
        .batch_dir
        .clone()
        .map(|dir| (Arc::clone(&store), dir, settings.notice_retention_days));
    let push_job = push.map(|p| (Arc::clone(&store), p));
    let purge_store = Arc::clone(&store);
    let purge_metrics = Arc::clone(&metrics);
    let shutdown_store = Arc::clone(&store);
    let admin = settings.admin_enabled.then(|| {
        admin_rocket(
            &figment,
            &settings,
            api::Admin {
                store: Arc::clone(&store),
                durable: Arc::clone(&durable),
                metrics: Arc::clone(&metrics),
            },
        )
    });
    let admin = std::sync::Mutex::new(admin);
    let web = api::WebApp::new(&settings.app_path, &app.trust_text)
        .map_err(|e| StartError(format!("the phone client: {e}")))?;
    let app_path = settings.app_path.clone();
    Ok(rocket::custom(figment)
        .manage(app)
        .manage(web)
        .manage(metrics)
        .attach(MetricsFairing)
        .attach(AdHoc::on_liftoff(
            "group commit and retention purge",
            move |rocket| {
                let admin = lock(&admin).take();
                let public = rocket.shutdown();
                Box::pin(async move {
                    tokio::spawn(durable.run());
                    tokio::spawn(purge_loop(purge_store, purge_metrics, pages, settings));
                    if let Some((store, dir, days)) = batch_job {
                        tokio::spawn(batch_loop(store, dir, days));
                    }
                    if let Some((store, pusher)) = push_job {
                        tokio::spawn(push::push_loop(store, pusher));
                    }
                    if let Some(admin) = admin {
                        tokio::spawn(launch_admin(admin, public));
                    }
                })
            },
        ))
        .attach(AdHoc::on_shutdown("flush the store", move |_| {
            Box::pin(async move {
                let _ = tokio::task::spawn_blocking(move || shutdown_store.flush()).await;
            })
        }))
        .mount(
            "/",
            routes![
                api::post_bundle,
                api::get_bundles,
                api::get_batch,
                api::get_day,
                api::post_vault,
                api::post_query,
                api::get_vault_buckets,
                api::post_revocations,
                api::get_revocations,
                api::post_case,
                api::fetch_case,
                api::get_push_key,
                api::post_push_subscription,
                api::delete_push_subscription,
                api::get_trust,
                api::healthz,
                api::readyz,
                api::livez,
                api::not_relayed,
            ],
        )
        .mount(app_path, routes![api::web_index, api::web_file])
        .register("/", catchers![api::default_catcher]))
}

/// The operators' listener: `/metrics` and the detailed `/healthz` on `admin_address` and
/// `admin_port` (loopback by default), apart from the public API. Rocket's own log lines for it
/// are off unless the operator chose a log level; the server says where it listens.
pub fn admin_rocket(figment: &Figment, settings: &Settings, admin: api::Admin) -> Rocket<Build> {
    let mut fig = figment
        .clone()
        .merge(("address", settings.admin_address))
        .merge(("port", settings.admin_port));
    if !config::set_by_operator(figment, "log_level") {
        fig = fig.merge(("log_level", rocket::config::LogLevel::Off));
    }
    rocket::custom(fig)
        .manage(admin)
        .mount(
            "/",
            routes![
                api::admin_healthz,
                api::admin_readyz,
                api::livez,
                api::metrics
            ],
        )
        .register("/", catchers![api::default_catcher])
}

/// The operators' listener for a server built by [`build`], sharing its store and counters
/// (for tests and tools that drive the server in-process).
pub fn admin_for<P: rocket::Phase>(server: &Rocket<P>) -> Option<Rocket<Build>> {
    let app = server.state::<App>()?;
    Some(admin_rocket(
        server.figment(),
        &app.settings,
        api::Admin {
            store: Arc::clone(&app.store),
            durable: Arc::clone(&app.durable),
            metrics: Arc::clone(&app.metrics),
        },
    ))
}

/// Set when the operators' listener failed: the process then exits non-zero.
pub static ADMIN_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Refuses to start when the operators' listener is enabled and its address is taken: a server
/// whose metrics and health nobody can read is not one to run unnoticed. Port 0 (any free
/// port) always works.
fn check_admin_port(figment: &Figment) -> Result<(), StartError> {
    let settings: Settings = figment
        .extract()
        .map_err(|e| StartError(format!("bad configuration: {}", config::explain(&e))))?;
    if !settings.admin_enabled || settings.admin_port == 0 {
        return Ok(());
    }
    let at = std::net::SocketAddr::new(settings.admin_address, settings.admin_port);
    std::net::TcpListener::bind(at).map(drop).map_err(|e| {
        StartError(format!(
            "the operators' listener (/metrics, /healthz) cannot listen on {at}: {e} (is \
             another server using the port?). Set admin_port (ROCKET_ADMIN_PORT) to a free \
             port, or admin_enabled = false (ROCKET_ADMIN_ENABLED=false) to run without it"
        ))
    })
}

/// Runs the operators' listener. If it cannot listen (its port taken after the check at
/// start), the whole server stops and exits non-zero, saying why.
async fn launch_admin(admin: Rocket<Build>, public: rocket::Shutdown) {
    let admin = admin.attach(AdHoc::on_liftoff("operators' listener", |rocket| {
        let c = rocket.config();
        println!(
            "notify-server: metrics and health for operators on http://{}:{}/metrics and /healthz",
            c.address, c.port
        );
        Box::pin(async {})
    }));
    if let Err(e) = admin.launch().await {
        eprintln!(
            "notify-server: error: the operators' listener (/metrics, /healthz) cannot run: \
             {e}; set admin_port (ROCKET_ADMIN_PORT) to a free port, or admin_enabled = false. \
             Stopping."
        );
        ADMIN_FAILED.store(true, std::sync::atomic::Ordering::SeqCst);
        public.notify();
    }
}

/// Creates the data directory if needed, durably: a new directory's entry in its parent is
/// synced, so a power cut after the first 2xx cannot lose the whole directory.
fn create_data_dir(dir: &Path) -> Result<(), StartError> {
    store::create_dirs(dir).map_err(|e| {
        StartError(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })
}

/// Opens the configured store: redb in `data_dir`, or the PostgreSQL database at
/// `database_url` (migrated to this version's schema).
pub fn open_configured(settings: &Settings) -> Result<Arc<dyn Store>, StartError> {
    match settings.store {
        config::StoreKind::Redb => Ok(Arc::new(open_store(&settings.data_dir)?)),
        config::StoreKind::Postgres => {
            let url = settings.database_url.clone().unwrap_or_default();
            let store = store::PgStore::open(&store::PgSettings {
                url,
                pool_size: settings.database_pool_size,
            })
            .map_err(|e| StartError(format!("cannot open the PostgreSQL store: {}", e.0)))?;
            Ok(Arc::new(store))
        }
    }
}

/// Opens the store in `data_dir`, refusing a store left by an earlier version (sled, in
/// `store/`) rather than starting empty beside it.
pub fn open_store(data_dir: &Path) -> Result<RedbStore, StartError> {
    let old = data_dir.join("store");
    if old.join("db").exists() {
        return Err(StartError(format!(
            "{} holds a store made by an earlier version (sled), which did not survive power \
             cuts; this version keeps its store in {}. Nothing was deployed on that version: \
             move {} away (or delete it) and start again",
            data_dir.display(),
            store::store_path(data_dir).display(),
            old.display()
        )));
    }
    let path = store::store_path(data_dir);
    RedbStore::open(&path)
        .map_err(|e| StartError(format!("cannot open the store {}: {e}", path.display())))
}

/// Runs one purge now.
pub fn purge_once(
    store: &dyn Store,
    settings: &Settings,
    metrics: &Metrics,
    now: u64,
) -> Result<store::Purged, store::StoreError> {
    // Bundles go by whole UTC days: a closed day's file (spec section 12.3) never changes
    // while it is served, so the day a bundle was published in stays until its last hour has
    // left retention (at most a day longer than the hour itself, which answers 410 by then).
    let bundles_before =
        now.saturating_sub(settings.notice_retention_days * 86_400) / 86_400 * 86_400;
    let vault_before = now.saturating_sub(settings.vault_retention_days * 86_400);
    let purged = store.purge(bundles_before, vault_before, now)?;
    store.flush()?;
    metrics.last_purge.store(now, Ordering::Relaxed);
    metrics.purged_total.fetch_add(
        purged.bundles + purged.vault_records + purged.nonces + purged.cases,
        Ordering::Relaxed,
    );
    Ok(purged)
}

/// Deletes the push subscriptions expired at `now`, durably; returns how many.
pub fn purge_push_once(store: &dyn Store, now: u64) -> Result<u64, store::StoreError> {
    let purged = store.push_purge(now)?;
    store.flush()?;
    Ok(purged)
}

async fn purge_loop(
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    pages: Arc<api::PageCache>,
    settings: Settings,
) {
    let every = Duration::from_secs(settings.purge_interval_secs.max(1));
    loop {
        let (s, m, cfg) = (Arc::clone(&store), Arc::clone(&metrics), settings.clone());
        let started = std::time::Instant::now();
        let result =
            tokio::task::spawn_blocking(move || purge_once(s.as_ref(), &cfg, &m, api::now())).await;
        match result {
            Ok(Ok(p)) if p == store::Purged::default() => {
                // Another instance may have purged: a shared store's pages are rendered afresh
                // after every round.
                if store.shared() {
                    pages.clear();
                }
            }
            Ok(Ok(p)) => {
                pages.clear();
                eprintln!(
                    "retention purge: removed {} bundles, {} vault records, {} nonces, {} case files in {} ms",
                    p.bundles,
                    p.vault_records,
                    p.nonces,
                    p.cases,
                    started.elapsed().as_millis()
                )
            }
            Ok(Err(e)) => eprintln!("retention purge failed: {e}"),
            Err(e) => eprintln!("retention purge failed: {e}"),
        }
        let s = Arc::clone(&store);
        match tokio::task::spawn_blocking(move || purge_push_once(s.as_ref(), api::now())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => eprintln!("retention purge: removed {n} expired push subscriptions"),
            Ok(Err(e)) => eprintln!("push subscription purge failed: {e}"),
            Err(e) => eprintln!("push subscription purge failed: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Writes closed hour batches to `dir` every minute ([`batches`]).
async fn batch_loop(store: Arc<dyn Store>, dir: std::path::PathBuf, retention_days: u64) {
    let mut failing = false;
    loop {
        let (s, d) = (Arc::clone(&store), dir.clone());
        let result = tokio::task::spawn_blocking(move || {
            batches::export(s.as_ref(), &d, retention_days, api::now())
        })
        .await;
        match result {
            Ok(Ok(done)) => {
                if done != batches::Exported::default() || failing {
                    eprintln!(
                        "batch files: wrote {} closed hours and {} closed days, removed {} hours and {} days past retention, in {}",
                        done.written,
                        done.days_written,
                        done.removed,
                        done.days_removed,
                        dir.display()
                    );
                }
                failing = false;
            }
            Ok(Err(e)) => {
                eprintln!("{e}; trying again in a minute");
                failing = true;
            }
            Err(e) => {
                eprintln!("batch files failed: {e}; trying again in a minute");
                failing = true;
            }
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// Builds the server for the network: as [`build`], but unless `max_connections` is 0, the
/// configured address and port are bound here by the connection guard ([`guard`]), and
/// Rocket listens on a private loopback port behind it.
pub fn build_for_network(figment: Figment) -> Result<Rocket<Build>, StartError> {
    config::check_keys(&figment).map_err(|e| StartError(format!("bad configuration: {e}")))?;
    check_admin_port(&figment)?;
    let mut guard_settings: guard::GuardSettings = figment
        .extract()
        .map_err(|e| StartError(format!("bad configuration: {e}")))?;
    if guard_settings.max_connections == 0 {
        return build(figment);
    }
    let config: rocket::Config = figment
        .extract()
        .map_err(|e| StartError(format!("bad configuration: {e}")))?;
    let public = std::net::SocketAddr::new(config.address, config.port);
    let listener = listen(public).map_err(|e| {
            StartError(format!(
                "cannot listen on {public}: {e} (is another server using the port? set ROCKET_PORT or ROCKET_ADDRESS)"
            ))
        })?;
    let public = listener.local_addr().unwrap_or(public);
    let asked = config::set_by_operator(&figment, "max_connections");
    guard_settings.max_connections = raise_file_limit(&guard_settings, asked);
    // Rocket listens on a private loopback port behind the guard. Its own start-up lines
    // (even at its "critical" level) would name that port as if it were the server's address,
    // so unless the operator chose a log level, Rocket's log is off; the server's own lines
    // (where it listens, storage errors, purges) are written by the server itself.
    let quiet = !config::set_by_operator(&figment, "log_level");
    let mut inner = figment
        .merge(("address", std::net::Ipv4Addr::LOCALHOST))
        .merge(("port", 0));
    if quiet {
        inner = inner.merge(("log_level", rocket::config::LogLevel::Off));
    }
    let rocket = build(inner)?;
    let (peers, metrics) = match rocket.state::<App>() {
        Some(app) => (Arc::clone(&app.peers), Arc::clone(&app.metrics)),
        None => return Err(StartError("the server state is missing".into())),
    };
    let listener = std::sync::Mutex::new(Some(listener));
    let relayed = Arc::clone(&peers);
    Ok(rocket
        // The private port answers only connections the guard relayed: anyone else on the
        // machine who finds it would skip the guard's limits and its record of the client's
        // address.
        .attach(AdHoc::on_request("relayed connections only", move |req, _| {
            let known = req.remote().and_then(|r| relayed.lookup(r)).is_some();
            Box::pin(async move {
                if !known {
                    req.set_method(rocket::http::Method::Get);
                    req.set_uri(rocket::http::uri::Origin::path_only(api::NOT_RELAYED));
                }
            })
        }))
        .attach(AdHoc::on_liftoff("connection guard", move |rocket| {
        let upstream = std::net::SocketAddr::new(rocket.config().address, rocket.config().port);
        let listener = lock(&listener).take();
        let shutdown = rocket.shutdown();
        Box::pin(async move {
            let Some(listener) = listener else { return };
            match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => {
                    println!(
                        "notify-server: listening on http://{public} (at most {} connections, {} per address, closed after {} s idle)",
                        guard_settings.max_connections,
                        guard_settings.max_connections_per_address,
                        guard_settings.idle_timeout_secs
                    );
                    tokio::spawn(guard::run(listener, upstream, guard_settings, peers, metrics));
                }
                Err(e) => {
                    eprintln!("notify-server: error: cannot listen on {public}: {e}");
                    shutdown.notify();
                }
            }
        })
    })))
}

/// Binds the public listener, with a backlog for bursts of connections (std's is 128).
fn listen(addr: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// Raises the soft limit on open files to what the guard may need (two per connection and
/// room for the store), as far as the hard limit allows, and returns how many connections the
/// guard may then hold. Where the limit is lower, the guard holds fewer rather than failing to
/// accept: silently for the default, with a warning when the operator set `max_connections`.
fn raise_file_limit(settings: &guard::GuardSettings, asked: bool) -> usize {
    const RESERVE: u64 = 1024;
    let want = (settings.max_connections as u64) * 2 + RESERVE;
    match rlimit::increase_nofile_limit(want) {
        Ok(got) if got < want => {
            let fits = usize::try_from(got.saturating_sub(RESERVE) / 2)
                .unwrap_or(usize::MAX)
                .max(1);
            if asked {
                eprintln!(
                    "notify-server: warning: the open-file limit is {got}, below the {want} that \
                     max_connections = {} needs: serving at most {fits} connections; raise the \
                     limit (ulimit -n, LimitNOFILE=) or lower max_connections",
                    settings.max_connections
                );
            }
            fits
        }
        Ok(_) => settings.max_connections,
        Err(e) => {
            eprintln!("notify-server: warning: cannot read the open-file limit: {e}");
            settings.max_connections
        }
    }
}

/// Builds the server from `figment` and runs it on a thread of its own, returning once it
/// accepts connections on its configured address and port. For tools and tests that need a
/// real server in-process; the server runs until the process exits.
pub fn spawn(figment: Figment) -> Result<String, StartError> {
    let config: rocket::Config = figment
        .extract()
        .map_err(|e| StartError(format!("bad configuration: {e}")))?;
    let rocket = build_for_network(figment)?;
    std::thread::spawn(move || {
        let _ = rocket::execute(rocket.launch());
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect((config.address, config.port)).is_err() {
        if std::time::Instant::now() > deadline {
            return Err(StartError(format!(
                "the server did not start on {}:{}",
                config.address, config.port
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(format!("http://{}:{}", config.address, config.port))
}

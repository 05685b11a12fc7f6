//! Prometheus metrics in the text exposition format (version 0.0.4).
//!
//! Request counts by route and status class, latency histograms by route, stored counts, and
//! the time of the last purge. Counters are atomics; the table of routes is behind a lock,
//! taken once per request for a map lookup (each route's counters are then atomics).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};

/// Histogram bucket bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Route {
    by_class: [AtomicU64; 6], // index: status / 100
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// The server's metrics.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, &'static Route>>,
    /// Unix time of the last completed purge (0: none yet).
    pub last_purge: AtomicU64,
    /// Items removed by purges since start.
    pub purged_total: AtomicU64,
    /// Bundles rejected, by any check.
    pub bundles_rejected: AtomicU64,
    /// Requests refused by a rate limit: vault uploads and vault queries alike.
    pub rate_limited: AtomicU64,
    /// Replayed vault queries refused.
    pub replays_refused: AtomicU64,
    /// Client connections open now (connection guard).
    pub connections_open: AtomicU64,
    /// Connections refused by a connection limit.
    pub connections_refused: AtomicU64,
    /// Connections closed for being idle.
    pub connections_idle_closed: AtomicU64,
    /// Connections closed to make room for a client from a less crowded prefix.
    pub connections_evicted: AtomicU64,
}

impl Metrics {
    fn route(&self, name: &str) -> &'static Route {
        let mut routes = crate::lock(&self.routes);
        // A route is leaked once, the first time it is seen: a fixed, small set of names.
        routes
            .entry(name.to_owned())
            .or_insert_with(|| Box::leak(Box::default()))
    }

    fn observe(&self, route: &str, status: u16, seconds: f64) {
        let r = self.route(route);
        r.by_class[usize::from(status / 100).min(5)].fetch_add(1, Ordering::Relaxed);
        r.count.fetch_add(1, Ordering::Relaxed);
        r.sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                r.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Renders the exposition text, with the store's counts (`None` while it does not answer:
    /// its gauges are then left out and `notify_store_up` is 0) and the flush count appended.
    pub fn render(&self, counts: Option<crate::store::Counts>, flushes: u64) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP notify_build_info The server's version.\n# TYPE notify_build_info gauge\n\
             notify_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            s,
            "# HELP notify_store_up Whether the store answered this scrape (1) or not (0).\n\
             # TYPE notify_store_up gauge\nnotify_store_up {}",
            u8::from(counts.is_some())
        );
        let routes = crate::lock(&self.routes);
        s.push_str("# HELP notify_http_requests_total HTTP requests by route and status class.\n");
        s.push_str("# TYPE notify_http_requests_total counter\n");
        for (name, r) in routes.iter() {
            for (class, c) in r.by_class.iter().enumerate().skip(1) {
                let _ = writeln!(
                    s,
                    "notify_http_requests_total{{route=\"{name}\",status=\"{class}xx\"}} {}",
                    c.load(Ordering::Relaxed)
                );
            }
        }
        s.push_str("# HELP notify_http_request_duration_seconds Request latency by route.\n");
        s.push_str("# TYPE notify_http_request_duration_seconds histogram\n");
        for (name, r) in routes.iter() {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "notify_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"{b}\"}} {}",
                    r.buckets[i].load(Ordering::Relaxed)
                );
            }
            let count = r.count.load(Ordering::Relaxed);
            let _ = writeln!(
                s,
                "notify_http_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                s,
                "notify_http_request_duration_seconds_sum{{route=\"{name}\"}} {}",
                r.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                s,
                "notify_http_request_duration_seconds_count{{route=\"{name}\"}} {count}"
            );
        }
        if let Some(c) = counts {
            let stored = [
                ("notify_bundles_stored", "Notice bundles stored.", c.bundles),
                (
                    "notify_vault_records_stored",
                    "Vault records stored.",
                    c.vault_records,
                ),
                (
                    "notify_last_sequence",
                    "Highest bundle sequence number.",
                    c.last_seq,
                ),
            ];
            for (name, help, v) in stored {
                let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            }
        }
        let gauges = [
            (
                "notify_last_purge_timestamp_seconds",
                "Unix time of the last retention purge.",
                self.last_purge.load(Ordering::Relaxed),
            ),
            (
                "notify_connections_open",
                "Client connections open through the connection guard.",
                self.connections_open.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        let counters = [
            (
                "notify_store_flushes_total",
                "Group-commit flushes to disk.",
                flushes,
            ),
            (
                "notify_purged_items_total",
                "Bundles, records and nonces removed by purges.",
                self.purged_total.load(Ordering::Relaxed),
            ),
            (
                "notify_bundles_rejected_total",
                "Bundles refused.",
                self.bundles_rejected.load(Ordering::Relaxed),
            ),
            (
                "notify_rate_limited_total",
                "Requests refused by a rate limit.",
                self.rate_limited.load(Ordering::Relaxed),
            ),
            (
                "notify_query_replays_refused_total",
                "Replayed vault queries refused.",
                self.replays_refused.load(Ordering::Relaxed),
            ),
            (
                "notify_connections_refused_total",
                "Connections closed at once by a connection limit.",
                self.connections_refused.load(Ordering::Relaxed),
            ),
            (
                "notify_connections_idle_closed_total",
                "Connections closed after the idle timeout.",
                self.connections_idle_closed.load(Ordering::Relaxed),
            ),
            (
                "notify_connections_evicted_total",
                "Connections closed, when the server was full, to make room for a client from a less crowded address prefix.",
                self.connections_evicted.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        }
        s
    }
}

/// Times every request and records it under its route.
pub struct MetricsFairing;

struct Started(Instant);

#[rocket::async_trait]
impl Fairing for MetricsFairing {
    fn info(&self) -> Info {
        Info {
            name: "metrics",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let started = req.local_cache(|| Started(Instant::now()));
        let route = req
            .route()
            .map(|r| r.uri.origin.path().to_string())
            .unwrap_or_else(|| "unmatched".to_owned());
        if let Some(m) = req.rocket().state::<std::sync::Arc<Metrics>>() {
            m.observe(&route, res.status().code, started.0.elapsed().as_secs_f64());
        }
    }
}

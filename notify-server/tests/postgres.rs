//! Several notify-server processes on one PostgreSQL database behave as one server.
//!
//! Runs when `NOTIFY_TEST_POSTGRES` names a PostgreSQL server (`.ci/run` sets it and starts
//! one); without it each test says it was skipped. `POSTGRES_REQUIRED=1` turns a skip into a
//! failure, as CI runs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::{Fixture, Server, agent, b64, now, post, start_with, store_settings, unb64};
use notify_server::store::{PgSettings, PgStore, Store};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The store settings of a fresh database, or `None` (and a note) when no server is named.
fn database() -> Option<Vec<(String, String)>> {
    let settings = store_settings();
    if settings.is_empty() {
        assert!(
            std::env::var("POSTGRES_REQUIRED").is_err(),
            "POSTGRES_REQUIRED is set but NOTIFY_TEST_POSTGRES names no PostgreSQL server"
        );
        eprintln!("skipped: set NOTIFY_TEST_POSTGRES (such as host=/var/run/postgresql)");
        return None;
    }
    Some(common::env_of(&settings))
}

fn url_of(db: &[(String, String)]) -> String {
    db.iter()
        .find(|(k, _)| k == "ROCKET_DATABASE_URL")
        .map(|(_, v)| v.clone())
        .unwrap()
}

fn instance(dir: &TempDir, name: &str, f: &Fixture, db: &[(String, String)]) -> Server {
    let mut env: Vec<(&str, &str)> = db.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("ROCKET_VAULT_UPLOADS_PER_MINUTE", "1000000"));
    env.push(("ROCKET_PUBLISH_PER_MINUTE", "1000000"));
    start_with(&dir.path().join(name), &f.trust_file, &env)
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let mut r = agent().get(url).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_to_vec().unwrap())
}

#[test]
fn two_instances_on_one_database_are_one_server() {
    let Some(db) = database() else { return };
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 31);
    let a = instance(&dir, "a", &f, &db);
    let b = instance(&dir, "b", &f, &db);
    let servers = [a.base.clone(), b.base.clone()];

    // Publications through both at once: numbers 1..=40, each once, no gaps.
    let t = now();
    let bundles: Vec<Vec<u8>> = (0..40)
        .map(|i| f.bundle_at(t, &format!("bundle {i}")))
        .collect();
    let bundles = Arc::new(bundles);
    let threads: Vec<_> = (0..2)
        .map(|k| {
            let (bundles, base) = (Arc::clone(&bundles), servers[k].clone());
            std::thread::spawn(move || {
                let ag = agent();
                (k..bundles.len())
                    .step_by(2)
                    .map(|i| {
                        let (s, v) = post(
                            &ag,
                            &format!("{base}/v1/bundles"),
                            &json!({"bundle": b64(&bundles[i])}),
                        );
                        assert_eq!(s, 201, "{v}");
                        (i, v["seq"].as_u64().unwrap())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs: Vec<(usize, u64)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let numbers: HashSet<u64> = seqs.iter().map(|s| s.1).collect();
    assert_eq!(numbers, (1..=40).collect::<HashSet<u64>>());
    // Re-posting through the other instance is idempotent: the first number comes back.
    seqs.sort();
    for &(i, seq) in seqs.iter().take(5) {
        let (s, v) = post(
            &agent(),
            &format!("{}/v1/bundles", servers[1 - i % 2]),
            &json!({"bundle": b64(&bundles[i])}),
        );
        assert_eq!(
            (s, v["seq"].as_u64(), v["duplicate"].as_bool()),
            (200, Some(seq), Some(true))
        );
    }

    // Sync through either gives the same answer, page by page and hour by hour.
    for path in [
        "/v1/bundles?after=0".to_string(),
        "/v1/bundles?after=17&limit=5".to_string(),
        format!("/v1/batches/{}", t / 3600),
    ] {
        let (sa, ba) = get(&format!("{}{path}", servers[0]));
        let (sb, bb) = get(&format!("{}{path}", servers[1]));
        assert_eq!((sa, sb), (200, 200), "{path}");
        assert!(ba == bb, "{path}: the two instances answer differently");
    }
    // The open hour each instance keeps in memory is stale as soon as the other publishes:
    // both read the shared store's latest sequence number before serving it.
    let hour = now() / 3600;
    let open = |k: usize| {
        let (s, body) = get(&format!("{}/v1/batches/{hour}", servers[k]));
        assert_eq!(s, 200);
        protocol::batch::decode_batch(&body, hour)
            .unwrap()
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
    };
    let before = open(0);
    let late = f.bundle_at(now(), "published through the other instance");
    assert_eq!(
        post(
            &agent(),
            &format!("{}/v1/bundles", servers[1]),
            &json!({"bundle": b64(&late)})
        )
        .0,
        201
    );
    if now() / 3600 == hour {
        let after = open(0);
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(after.last(), Some(&late));
        assert_eq!(after, open(1));
    }
    let (_, page) = get(&format!("{}/v1/bundles?after=0&limit=100", servers[1]));
    let page: Value = serde_json::from_slice(&page).unwrap();
    let served: Vec<u64> = page["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(served, (1..=41).collect::<Vec<u64>>());

    // Vault uploads through both; one query finds them all, through either instance.
    let hour = t / 3600 - 1;
    let mut sent = HashSet::new();
    for i in 0..60 {
        let r = f.record(hour, &format!("guest {i}"));
        let (s, v) = post(
            &agent(),
            &format!("{}/v1/vault", servers[i % 2]),
            &json!({"record": b64(&r)}),
        );
        assert_eq!(s, 201, "{v}");
        sent.insert(r);
    }
    let q = f.query(&[hour], now());
    let (s, v) = post(
        &agent(),
        &format!("{}/v1/vault/query", servers[0]),
        &json!({"query": b64(&q)}),
    );
    assert_eq!(s, 200, "{v}");
    let got: HashSet<Vec<u8>> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| unb64(r.as_str().unwrap()))
        .collect();
    assert_eq!(got, sent);
    // The same query replayed at the other instance is refused: nonces are shared.
    let (s, v) = post(
        &agent(),
        &format!("{}/v1/vault/query", servers[1]),
        &json!({"query": b64(&q)}),
    );
    assert_eq!((s, v["error"].as_str()), (409, Some("query_replayed")));

    // A revocation list posted to one instance is in force on the other at once.
    let list =
        protocol::RevocationList::sign(&f.root, now() - 5, &[*f.tracer.verifying_key().as_bytes()])
            .unwrap();
    let (s, v) = post(
        &agent(),
        &format!("{}/v1/revocations", servers[0]),
        &json!({"revocations": b64(list.to_bytes())}),
    );
    assert_eq!(s, 201, "{v}");
    let late = f.bundle_at(now(), "after the revocation");
    let (s, v) = post(
        &agent(),
        &format!("{}/v1/bundles", servers[1]),
        &json!({"bundle": b64(&late)}),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (403, Some("bundle_certificate_revoked")),
        "{v}"
    );
    let (_, held) = get(&format!("{}/v1/revocations", servers[1]));
    let held: Value = serde_json::from_slice(&held).unwrap();
    assert_eq!(
        held["revocations"].as_str(),
        Some(b64(list.to_bytes()).as_str())
    );
    let q = f.query(&[hour], now());
    let (s, v) = post(
        &agent(),
        &format!("{}/v1/vault/query", servers[1]),
        &json!({"query": b64(&q)}),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (403, Some("query_certificate_revoked"))
    );

    // Stopped, the database is consistent (notify-server --check).
    drop(a);
    drop(b);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .arg("--check")
        .env_remove("ROCKET_CONFIG")
        .envs(db.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("consistent (41 bundles, 60 vault records)"),
        "{text}"
    );
}

/// One purge at a time: while another session holds the purge's advisory lock, a purge waits;
/// once it is free, the purge removes what retention allows. And closed days of the
/// vault are rewritten so that transaction ids no longer order a day's records.
#[test]
fn one_purge_at_a_time_and_closed_days_lose_their_order() {
    let Some(db) = database() else { return };
    let url = url_of(&db);
    let store = PgStore::open(&PgSettings {
        url: url.clone(),
        pool_size: 4,
    })
    .unwrap();
    let day = now() / 86_400;
    let tag = [5u8; 16];
    // Records of the day before yesterday (closed, whatever the time now) in 20 flushes (20
    // transactions), and 3 expired ones.
    for i in 0..20u8 {
        let mut r = vec![i; protocol::vault::RECORD_LEN];
        r[..16].copy_from_slice(&tag);
        store
            .insert_vault_record(&tag, (day - 2) * 86_400 + u64::from(i) * 60, &r)
            .unwrap();
        store.flush().unwrap();
    }
    for i in 0..3u8 {
        let mut r = vec![100 + i; protocol::vault::RECORD_LEN];
        r[..16].copy_from_slice(&tag);
        store
            .insert_vault_record(&tag, (day - 30) * 86_400, &r)
            .unwrap();
    }
    store.flush().unwrap();
    let xmins = |sql: &str| -> usize {
        let out = std::process::Command::new("psql")
            .arg(&url)
            .args(["-Atc", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let closed_day = format!(
        "SELECT count(DISTINCT xmin::text) FROM vault WHERE day = {}",
        day - 2
    );
    assert_eq!(xmins(&closed_day), 20, "one transaction per flush");

    // Another session holds the purge lock for three seconds.
    let holder = std::process::Command::new("psql")
        .arg(&url)
        .args([
            "-Atc",
            "SELECT pg_advisory_lock(7163093307899269703); SELECT pg_sleep(3);",
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let vault_before = (day - 21) * 86_400;
    let started = std::time::Instant::now();
    let p = store.purge(0, vault_before, now()).unwrap();
    let waited = started.elapsed();
    let mut holder = holder;
    assert!(holder.wait().unwrap().success());
    assert!(
        waited >= std::time::Duration::from_millis(1500),
        "the purge ran while another held the lock (it returned after {waited:?})"
    );
    assert_eq!(p.vault_records, 3);
    assert_eq!(store.counts().unwrap().vault_records, 20);
    assert_eq!(
        xmins(&closed_day),
        1,
        "the closed day rewritten in one transaction"
    );
    assert!(store.check_integrity().unwrap().problems.is_empty());
    assert_eq!(store.vault_records(&[tag], 100).unwrap().len(), 20);
    // The expired day's partition is gone, and today's and tomorrow's exist.
    let tables = |like: &str| -> usize {
        xmins(&format!(
            "SELECT count(*) FROM pg_tables WHERE tablename = '{like}'"
        ))
    };
    assert_eq!(tables(&format!("vault_{}", day - 30)), 0);
    assert_eq!(tables(&format!("vault_{day}")), 1);
    assert_eq!(tables(&format!("vault_{}", day + 1)), 1);
}

/// Sessions always commit synchronously, whatever the URL, the database or the role ask for
/// (which is why the server does not check `synchronous_commit` at start: see
/// docs/deployment.md), and a database migrated by a newer version is refused.
#[test]
fn unsafe_or_newer_databases_are_refused() {
    let Some(db) = database() else { return };
    let url = url_of(&db);
    let name = url.rsplit("dbname=").next().unwrap().to_owned();
    let out = std::process::Command::new("psql")
        .arg(&url)
        .args([
            "-c",
            &format!("ALTER DATABASE {name} SET synchronous_commit = off"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = std::process::Command::new("psql")
        .arg(&url)
        .args(["-Atc", "SHOW synchronous_commit"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&plain.stdout).trim(), "off");
    for url in [
        url.clone(),
        format!("{url} options='-c synchronous_commit=off'"),
    ] {
        let store = PgStore::open(&PgSettings { url, pool_size: 1 }).unwrap();
        assert_eq!(store.setting("synchronous_commit").unwrap(), "on");
    }
    let store = PgStore::open(&PgSettings {
        url: url.clone(),
        pool_size: 1,
    })
    .unwrap();
    assert_eq!(store.migrations().unwrap(), vec![1, 2, 3, 4, 5]);
    drop(store);
    let out = std::process::Command::new("psql")
        .arg(&url)
        .args([
            "-c",
            "INSERT INTO schema_migrations VALUES (99, 'from the future', 0)",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = PgStore::open(&PgSettings { url, pool_size: 1 })
        .err()
        .unwrap();
    assert!(
        err.0
            .contains("schema version 99, from a newer notify-server"),
        "{err}"
    );
}

/// A connection PostgreSQL refuses is named with what is missing and what to do: peer
/// authentication over the socket for a role unlike the operating-system user, a password
/// the URL does not give, and a port where no database listens (named with host and port).
#[test]
fn refused_connections_say_what_is_missing_and_what_to_do() {
    if database().is_none() {
        return;
    }
    let server = std::env::var("NOTIFY_TEST_POSTGRES").unwrap();
    let err = PgStore::open(&PgSettings {
        url: format!("{server} dbname=postgres user=nt_not_this_os_user"),
        pool_size: 1,
    })
    .err()
    .expect("a role unlike the operating-system user is refused over the socket");
    let text = err.to_string();
    assert!(
        (text.contains("Peer authentication failed") && text.contains("operating-system user"))
            || (text.contains("role") && text.contains("createuser")),
        "{text}"
    );
    // Over TCP, Debian's pg_hba.conf asks for a password.
    let port = server
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("port="))
        .unwrap_or("5432");
    match PgStore::open(&PgSettings {
        url: format!("host=127.0.0.1 port={port} dbname=postgres user=postgres"),
        pool_size: 1,
    }) {
        Err(e) => {
            let text = e.to_string();
            assert!(
                !text.ends_with("invalid configuration"),
                "the error names nothing: {text}"
            );
            assert!(
                text.contains("asks for a password and database_url gives none")
                    || text.contains("pg_hba.conf"),
                "{text}"
            );
        }
        Ok(_) => eprintln!("skipped the password case: this PostgreSQL lets TCP in without one"),
    }
    // A wrong port: the error names where it tried, the cause and what to check.
    let unused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = PgStore::open(&PgSettings {
        url: format!("host=127.0.0.1 port={unused} dbname=postgres user=postgres"),
        pool_size: 1,
    })
    .err()
    .expect("nothing listens on a port just freed");
    let text = err.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{unused}"))
            && text.contains("Connection refused")
            && text.contains("Check host and port in database_url"),
        "{text}"
    );
}

/// Readiness follows the database: while it refuses connections, `/readyz` and `/healthz`
/// answer 503 (the operators' listener naming the store as the cause) and `/livez` stays 200,
/// so that a balancer stops sending requests and a supervisor does not restart the process;
/// once the database takes connections again, the server is ready again.
#[test]
fn readiness_follows_the_database_and_liveness_does_not() {
    let Some(db) = database() else { return };
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 71);
    let server = instance(&dir, "a", &f, &db);
    let url = url_of(&db);
    let name = url
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("dbname="))
        .unwrap()
        .to_string();
    let admin_sql = |sql: &str| {
        let base = std::env::var("NOTIFY_TEST_POSTGRES").unwrap();
        let out = std::process::Command::new("psql")
            .arg(format!("{base} dbname=postgres"))
            .args(["-q", "-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let status = |base: &str, path: &str| -> (u16, Value) {
        let (s, body) = get(&format!("{base}{path}"));
        (s, serde_json::from_slice(&body).unwrap_or(Value::Null))
    };
    for path in ["/readyz", "/livez", "/healthz"] {
        assert_eq!(status(&server.base, path).0, 200, "{path}");
    }
    admin_sql(&format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
    ));
    admin_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    for path in ["/readyz", "/healthz"] {
        let (s, v) = status(&server.base, path);
        assert_eq!(
            (s, v["status"].as_str()),
            (503, Some("unavailable")),
            "{path}: {v}"
        );
    }
    assert_eq!(status(&server.base, "/livez").0, 200);
    let (s, v) = status(&server.admin, "/readyz");
    assert_eq!(s, 503, "{v}");
    let detail = v["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("the store does not answer"), "{detail}");
    assert_eq!(status(&server.admin, "/livez").0, 200);
    // The scrape is not lost: counters are served, the store's sizes left out, and a gauge
    // says the store is down.
    let (s, text) = get(&format!("{}/metrics", server.admin));
    let text = String::from_utf8_lossy(&text);
    assert_eq!(s, 200, "{text}");
    assert!(text.contains("\nnotify_store_up 0\n"), "{text}");
    assert!(text.contains("notify_http_requests_total{"), "{text}");
    assert!(text.contains("notify_build_info{version="), "{text}");
    assert!(!text.contains("notify_bundles_stored"), "{text}");
    admin_sql(&format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while status(&server.base, "/readyz").0 != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "not ready again after the database came back"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_, text) = get(&format!("{}/metrics", server.admin));
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.contains("\nnotify_store_up 1\n") && text.contains("notify_bundles_stored"),
        "{text}"
    );
}

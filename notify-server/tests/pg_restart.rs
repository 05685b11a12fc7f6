//! The database restarted under load: the server answers 503 while it cannot store, never a
//! 500 or a hang, recovers by itself, and loses nothing it acknowledged.
//!
//! Runs when `NOTIFY_TEST_POSTGRES` names a PostgreSQL server and
//! `NOTIFY_TEST_POSTGRES_RESTART` is the command that restarts it (`.ci/run` sets both, as
//! `pg_ctlcluster 15 main restart`). Its own test binary, so that no other test shares the
//! database server while it restarts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Fixture, agent, b64, env_of, post, start_with, store_settings};
use notify_server::store::{PgSettings, PgStore, Store};
use serde_json::json;
use tempfile::TempDir;

#[test]
fn a_database_restart_under_load_loses_nothing_acknowledged() {
    let restart = std::env::var("NOTIFY_TEST_POSTGRES_RESTART").unwrap_or_default();
    let backend = store_settings();
    if backend.is_empty() || restart.is_empty() {
        assert!(
            std::env::var("POSTGRES_REQUIRED").is_err(),
            "POSTGRES_REQUIRED is set but NOTIFY_TEST_POSTGRES or NOTIFY_TEST_POSTGRES_RESTART \
             is not"
        );
        eprintln!("skipped: set NOTIFY_TEST_POSTGRES and NOTIFY_TEST_POSTGRES_RESTART");
        return;
    }
    let url = common::database_url(&backend).unwrap();
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 41);
    let env = env_of(&backend);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("ROCKET_VAULT_UPLOADS_PER_MINUTE", "10000000"));
    env.push(("ROCKET_PUBLISH_PER_MINUTE", "10000000"));
    let server = start_with(&dir.path().join("data"), &f.trust_file, &env);

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::<(Instant, Vec<u8>)>::new()));
    let refused = Arc::new(Mutex::new(Vec::<u16>::new()));
    let tag = [0x5A_u8; 16];
    let uploaders: Vec<_> = (0..4u64)
        .map(|t| {
            let (stop, acked, refused) =
                (Arc::clone(&stop), Arc::clone(&acked), Arc::clone(&refused));
            let url = format!("{}/v1/vault", server.base);
            std::thread::spawn(move || {
                let a = agent();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let mut r = vec![0u8; protocol::vault::RECORD_LEN];
                    r[..16].copy_from_slice(&tag);
                    r[16..24].copy_from_slice(&t.to_be_bytes());
                    r[24..32].copy_from_slice(&i.to_be_bytes());
                    i += 1;
                    match post(&a, &url, &json!({"record": b64(&r)})).0 {
                        201 => acked.lock().unwrap().push((Instant::now(), r)),
                        s => {
                            refused.lock().unwrap().push(s);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let before = acked.lock().unwrap().len();
    let out = std::process::Command::new("sh")
        .args(["-c", &restart])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{restart}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restarted = Instant::now();
    // The server recovers by itself: uploads are acknowledged again within 15 seconds.
    let deadline = restarted + Duration::from_secs(15);
    while Instant::now() < deadline
        && !acked
            .lock()
            .unwrap()
            .iter()
            .any(|(at, _)| *at > restarted + Duration::from_millis(200))
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1000));
    stop.store(true, Ordering::Relaxed);
    for u in uploaders {
        u.join().unwrap();
    }
    let acked = acked.lock().unwrap();
    let refused = refused.lock().unwrap();
    let after = acked.iter().filter(|(at, _)| *at > restarted).count();
    eprintln!(
        "database restart under load: {before} uploads acknowledged before, {after} after; \
         {} refused while the database was down (statuses {:?})",
        refused.len(),
        refused.iter().collect::<HashSet<_>>()
    );
    assert!(before > 0, "no upload was acknowledged before the restart");
    assert!(
        after > 0,
        "the server did not recover after the database restarted"
    );
    assert!(
        refused.iter().all(|&s| s == 503),
        "only 503 while the database is down: {refused:?}"
    );
    let health = agent()
        .get(format!("{}/healthz", server.base))
        .call()
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(health, 200);
    drop(server);
    let store = PgStore::open(&PgSettings { url, pool_size: 1 }).unwrap();
    let stored: HashSet<Vec<u8>> = store
        .vault_records(&[tag], usize::MAX)
        .unwrap()
        .into_iter()
        .collect();
    let lost = acked.iter().filter(|(_, r)| !stored.contains(r)).count();
    assert_eq!(lost, 0, "{lost} acknowledged records were lost");
    assert!(store.check_integrity().unwrap().problems.is_empty());
}

//! Power cuts under load: the real `notify-server` binary with its store on a throw-away ext4
//! file system that is shut down, journal uncommitted, at a random moment while vault
//! uploads, bundle publications and vault queries stream in (see `tests::powercut`). After
//! each cut the file system is mounted again, the store must open and be consistent, and every
//! record, bundle and query nonce that got a 2xx must be there, and the revocation list held
//! must be the last one acknowledged or a newer one.
//!
//! `POWERCUT_TRIALS` sets the number of cuts (default 3; `scripts/powercut.sh` runs 20);
//! `POWERCUT_SEED` replays a run. Needs root and a loop device; skips, saying so, without.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Fixture, agent, b64, free_port, now, post};
use notify_server::store::{RedbStore, Store};
use rand::{Rng as _, RngExt as _, SeedableRng as _};
use serde_json::json;
use tempfile::TempDir;

/// What the load got a 2xx for.
#[derive(Default)]
struct Acked {
    /// Each record with the round and the moment its 2xx arrived.
    records: Vec<(Vec<u8>, usize, Instant)>,
    bundles: Vec<Vec<u8>>,
    nonces: Vec<[u8; 16]>,
    /// `issued_at` of each revocation list that got a 201.
    revocations: Vec<u64>,
}

#[test]
fn power_cut_under_load_loses_nothing_acknowledged() {
    let work = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let Some(mut disk) = tests::powercut::disk_or_skip(work.path(), 512) else {
        return;
    };
    let seed: u64 = std::env::var("POWERCUT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(now);
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
    let mut f = Fixture::new(work.path(), 12);
    let data = disk.path().join("data");
    let live_tag = [0xCD_u8; 16];
    let mut all = Acked::default();
    let (mut before_load, mut opened) = (0usize, 0usize);
    let n = tests::powercut::trials(3);
    for round in 0..n {
        let records: Arc<Vec<Vec<u8>>> = Arc::new(
            (0..20_000)
                .map(|_| {
                    let mut r = vec![0u8; protocol::vault::RECORD_LEN];
                    rng.fill_bytes(&mut r);
                    r[..16].copy_from_slice(&live_tag);
                    r
                })
                .collect(),
        );
        let bundles: Arc<Vec<Vec<u8>>> = Arc::new(
            (0..200)
                .map(|i| f.bundle_at(now(), &format!("round {round} bundle {i}")))
                .collect(),
        );
        let queries: Arc<Vec<Vec<u8>>> = Arc::new((0..200).map(|_| f.query(&[1], now())).collect());
        // Revocation lists, each newer than every list of the rounds before; each names one
        // random key (never the fixture's tracer, whose bundles and queries must still pass).
        let lists: Arc<Vec<protocol::RevocationList>> = Arc::new(
            (0..300u64)
                .map(|i| {
                    let mut key = [0u8; 32];
                    rng.fill_bytes(&mut key);
                    let at = now() - 1_000_000 + round as u64 * 1_000 + i;
                    protocol::RevocationList::sign(&f.root, at, &[key]).unwrap()
                })
                .collect(),
        );
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_notify-server"))
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_DATA_DIR", &data)
            .env("ROCKET_TRUST_FILE", &f.trust_file)
            .env("ROCKET_LOG_LEVEL", "off")
            .env("ROCKET_VAULT_UPLOADS_PER_MINUTE", "10000000")
            .env("ROCKET_PUBLISH_PER_MINUTE", "10000000")
            .env("ROCKET_QUERIES_PER_MINUTE", "10000000")
            .env("ROCKET_ADMIN_ENABLED", "false")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not come up");
            std::thread::sleep(Duration::from_millis(5));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Acked::default()));
        let mut threads = Vec::new();
        // Four uploaders, one publisher and one querier; each stops at its first refusal
        // (after the cut every write fails with a 5xx) or when told.
        for t in 0..4 {
            let (records, acked, stop) = (records.clone(), acked.clone(), stop.clone());
            let url = format!("http://127.0.0.1:{port}/v1/vault");
            threads.push(std::thread::spawn(move || {
                let a = agent();
                let mut i = t;
                while !stop.load(Ordering::Relaxed) && i < records.len() {
                    match post(&a, &url, &json!({"record": b64(&records[i])})).0 {
                        201 => acked.lock().unwrap().records.push((
                            records[i].clone(),
                            round,
                            Instant::now(),
                        )),
                        400..=499 => panic!("vault upload refused"),
                        _ => break,
                    }
                    i += 4;
                }
            }));
        }
        {
            let (bundles, acked, stop) = (bundles.clone(), acked.clone(), stop.clone());
            let url = format!("http://127.0.0.1:{port}/v1/bundles");
            threads.push(std::thread::spawn(move || {
                let a = agent();
                for b in bundles.iter() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match post(&a, &url, &json!({"bundle": b64(b)})).0 {
                        201 => acked.lock().unwrap().bundles.push(b.clone()),
                        400..=499 => panic!("bundle refused"),
                        _ => break,
                    }
                }
            }));
        }
        {
            let (queries, acked, stop) = (queries.clone(), acked.clone(), stop.clone());
            let url = format!("http://127.0.0.1:{port}/v1/vault/query");
            let root = f.root.verifying_key();
            threads.push(std::thread::spawn(move || {
                let a = agent();
                for q in queries.iter() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match post(&a, &url, &json!({"query": b64(q)})).0 {
                        200 => {
                            let v = protocol::query::verify_query(&root, q, now()).unwrap();
                            acked.lock().unwrap().nonces.push(v.nonce);
                        }
                        400..=499 => panic!("query refused"),
                        _ => break,
                    }
                }
            }));
        }
        {
            let (lists, acked, stop) = (lists.clone(), acked.clone(), stop.clone());
            let url = format!("http://127.0.0.1:{port}/v1/revocations");
            threads.push(std::thread::spawn(move || {
                let a = agent();
                for l in lists.iter() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match post(&a, &url, &json!({"revocations": b64(l.to_bytes())})).0 {
                        201 => acked.lock().unwrap().revocations.push(l.issued_at()),
                        400..=499 => panic!("revocation list refused"),
                        _ => break,
                    }
                }
            }));
        }
        // The cut: anywhere from just after the server listens to 1.5 s into the load.
        std::thread::sleep(Duration::from_millis(rng.random_range(0..1500)));
        disk.cut();
        let cut_at = Instant::now();
        std::thread::sleep(Duration::from_millis(100));
        stop.store(true, Ordering::Relaxed);
        child.kill().unwrap();
        child.wait().unwrap();
        for t in threads {
            t.join().unwrap();
        }
        let new = std::mem::take(&mut *acked.lock().unwrap());
        if new.records.is_empty()
            && new.bundles.is_empty()
            && new.nonces.is_empty()
            && new.revocations.is_empty()
        {
            before_load += 1;
        }
        all.records.extend(new.records);
        all.bundles.extend(new.bundles);
        all.nonces.extend(new.nonces);
        all.revocations.extend(new.revocations);

        disk.remount();
        let store = RedbStore::open(&notify_server::store::store_path(&data)).unwrap_or_else(|e| {
            panic!("round {round} (seed {seed}): the store does not open after the cut: {e}")
        });
        opened += 1;
        let report = store.check_integrity().unwrap();
        assert!(
            report.problems.is_empty(),
            "round {round} (seed {seed}): inconsistent store: {:?}",
            report.problems
        );
        let live: HashSet<Vec<u8>> = store
            .vault_records(&[live_tag], usize::MAX)
            .unwrap()
            .into_iter()
            .collect();
        let lost: Vec<String> = all
            .records
            .iter()
            .filter(|(r, _, _)| !live.contains(r))
            .map(|(_, r, at)| {
                if *r == round {
                    format!(
                        "round {r}, acknowledged {:?} before the cut",
                        cut_at.saturating_duration_since(*at)
                    )
                } else {
                    format!("round {r}")
                }
            })
            .collect();
        assert!(
            lost.is_empty(),
            "round {round} (seed {seed}): {} of {} acknowledged records lost: {lost:?}",
            lost.len(),
            all.records.len()
        );
        let stored: HashSet<Vec<u8>> = store
            .bundles_after(0, usize::MAX, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|b| b.bytes)
            .collect();
        let lost = all.bundles.iter().filter(|b| !stored.contains(*b)).count();
        assert_eq!(
            lost, 0,
            "round {round} (seed {seed}): {lost} acknowledged bundles lost"
        );
        for nonce in &all.nonces {
            assert!(
                !store.remember_nonce(nonce, u64::MAX).unwrap(),
                "round {round} (seed {seed}): an answered query's nonce was forgotten"
            );
        }
        if let Some(&last) = all.revocations.iter().max() {
            let held = store.revocations().unwrap().unwrap_or_else(|| {
                panic!("round {round} (seed {seed}): the acknowledged revocation list was lost")
            });
            let held = protocol::RevocationList::verify(&f.root.verifying_key(), &held, now())
                .unwrap_or_else(|e| panic!("round {round} (seed {seed}): held list: {e}"));
            assert!(
                held.issued_at() >= last,
                "round {round} (seed {seed}): the store went back to an older revocation list"
            );
        }
        store.flush().unwrap();
    }
    eprintln!(
        "server power cuts, seed {seed}: {n} cuts under load, the store opened {opened} times; \
         {} acknowledged records, {} bundles, {} query nonces and {} revocation lists, none \
         lost ({before_load} cuts came before any acknowledgement)",
        all.records.len(),
        all.bundles.len(),
        all.nonces.len(),
        all.revocations.len()
    );
}

//! The real `notify-server` binary on a real loopback port: HTTP over TCP, and durability
//! under SIGKILL (every upload that got a 2xx survives, and the store reopens cleanly).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Fixture, agent, b64, free_port, now, post, start, unb64};
use serde_json::{Value, json};
use tempfile::TempDir;

#[test]
fn serves_over_real_tcp() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 10);
    let server = start(&dir.path().join("data"), &f.trust_file);
    let a = agent();
    let b = f.bundle_at(now(), "hello over TCP");
    let (s, v) = post(
        &a,
        &format!("{}/v1/bundles", server.base),
        &json!({"bundle": b64(&b)}),
    );
    assert_eq!(s, 201, "{v}");
    let mut r = a
        .get(format!("{}/v1/bundles?after=0", server.base))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(unb64(v["bundles"][0]["bundle"].as_str().unwrap()), b);
    let (s, v) = post(
        &a,
        &format!("{}/v1/vault", server.base),
        &json!({"record": "no!pe"}),
    );
    assert_eq!((s, v["error"].as_str().unwrap()), (400, "bad_base64"));
}

#[test]
fn version_and_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("notify-server {}", env!("CARGO_PKG_VERSION"))
    );
    let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--version"), "{help}");
    // Every setting is listed with its environment variable.
    for key in notify_server::config::known_keys().iter().filter(|k| {
        [
            "trust_file",
            "max_connections",
            "push_enabled",
            "store",
            "case_bytes_per_address",
            "case_bytes_total",
        ]
        .contains(&k.as_str())
    }) {
        assert!(
            help.contains(&format!("ROCKET_{}", key.to_ascii_uppercase())),
            "{key} is not in --help"
        );
    }
}

/// A configuration file or profile that was asked for and is missing stops the server (and
/// `--check` and `--print-config`) in words, instead of starting it on defaults with a
/// development authority; `--print-config` shows each effective value with where it came from,
/// the database URL masked.
#[test]
fn asked_for_configuration_that_is_missing_is_refused_and_the_effective_one_is_printed() {
    let dir = TempDir::new().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
            .current_dir(dir.path())
            .args(args)
            .env_remove("ROCKET_CONFIG")
            .env_remove("ROCKET_PROFILE")
            .env("ROCKET_PORT", free_port().to_string())
            .env("ROCKET_ADMIN_ENABLED", "false")
            .env("ROCKET_DATA_DIR", dir.path().join("data"))
            .envs(env.iter().copied())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let missing = dir.path().join("Rocket.tmol");
    let missing = missing.to_str().unwrap();
    for args in [&[][..], &["--check"], &["--print-config"]] {
        let (code, _, err) = run(args, &[("ROCKET_CONFIG", missing)]);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(
            err.contains("ROCKET_CONFIG names") && err.contains("does not exist"),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join("data").exists(), "nothing was created");
    std::fs::write(
        dir.path().join("Rocket.toml"),
        "[default]\nmax_page = 50\n[staging]\nmax_page = 70\n",
    )
    .unwrap();
    let (code, _, err) = run(&["--print-config"], &[("ROCKET_PROFILE", "stagign")]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("no [stagign] table") && err.contains("[staging]"),
        "{err}"
    );
    let (code, out, err) = run(
        &["--print-config"],
        &[
            ("ROCKET_PROFILE", "staging"),
            ("ROCKET_STORE", "postgres"),
            (
                "ROCKET_DATABASE_URL",
                "postgres://notify:s3cret@db.example/notify",
            ),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("profile: staging"), "{out}");
    assert!(out.contains("max_page = 70  # "), "{out}");
    assert!(out.contains("Rocket.toml"), "{out}");
    assert!(
        out.contains("store = \"postgres\"  # ROCKET_STORE"),
        "{out}"
    );
    assert!(out.contains("trust_file = null  # default"), "{out}");
    assert!(!out.contains("s3cret"), "{out}");
    let (_, out, _) = run(&["--print-config"], &[]);
    assert!(out.contains("max_page = 50  # "), "{out}");
}

fn iterations() -> usize {
    std::env::var("CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// Opens the store the crash loop's server uses: redb in `data`, or the PostgreSQL database
/// `backend` names ([`common::store_settings`]).
fn open_store(backend: &[(&str, String)], data: &Path) -> Box<dyn notify_server::store::Store> {
    use notify_server::store::{PgSettings, PgStore, RedbStore};
    match common::database_url(backend) {
        Some(url) => Box::new(PgStore::open(&PgSettings { url, pool_size: 2 }).unwrap()),
        None => {
            let path = notify_server::store::store_path(data);
            std::fs::create_dir_all(data).unwrap();
            Box::new(
                RedbStore::open(&path).unwrap_or_else(|e| panic!("the store does not open: {e}")),
            )
        }
    }
}

/// Fills the stopped server's store with `vault` expired vault records and `bundles` expired
/// bundles, so that the purge the server runs at start has work to be interrupted in.
fn seed_expired(
    store: &dyn notify_server::store::Store,
    rng: &mut impl rand::Rng,
    vault: usize,
    bundles: usize,
) {
    let old = now() - 30 * 86_400;
    for _ in 0..vault {
        let mut r = vec![0u8; protocol::vault::RECORD_LEN];
        rng.fill_bytes(&mut r);
        let tag: [u8; 16] = r[..16].try_into().unwrap();
        store.insert_vault_record(&tag, old, &r).unwrap();
    }
    for _ in 0..bundles {
        let mut b = vec![0u8; 600];
        rng.fill_bytes(&mut b);
        let id = blake3::derive_key(protocol::domain::BUNDLE_DIGEST, &b[..b.len() - 64]);
        store.insert_bundle(&id, old, &b).unwrap();
    }
    store.flush().unwrap();
}

/// The crash loop for the server: each iteration fills the store with expired data, starts
/// the server (which purges at once), streams vault uploads and bundle publications at it,
/// and SIGKILLs it at a random moment. The store must then open, be consistent, and hold
/// every upload and bundle that was acknowledged. `CRASH_ITERATIONS` sets the count
/// (`scripts/crash-loops.sh` runs 100); `CRASH_SEED` replays a run. With
/// `NOTIFY_TEST_POSTGRES` set, the server's store is a PostgreSQL database.
#[test]
fn crash_loop_server_mid_upload_and_mid_purge() {
    use rand::{Rng as _, RngExt as _, SeedableRng as _};
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(now);
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 11);
    let data = dir.path().join("data");
    let backend = common::store_settings();
    let backend_env = common::env_of(&backend);
    let backend_name = if backend.is_empty() {
        "redb"
    } else {
        "PostgreSQL"
    };
    // Every live record carries this tag, so one read finds them all.
    let live_tag = [0xAB_u8; 16];
    let mut acked_records: Vec<Vec<u8>> = Vec::new();
    let mut acked_bundles: Vec<Vec<u8>> = Vec::new();
    let (mut mid_purge, mut mid_upload, mut before_start) = (0, 0, 0);
    let mut purge_ms: Vec<u64> = Vec::new();
    const EXPIRED_VAULT: usize = 10_000;
    const EXPIRED_BUNDLES: usize = 200;
    let n = iterations();
    // On PostgreSQL a second instance on the same database stays up through every kill of
    // the first, and takes half the uploads.
    let companion = (!backend.is_empty()).then(|| {
        let mut env: Vec<(&str, &str)> = backend_env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        env.push(("ROCKET_VAULT_UPLOADS_PER_MINUTE", "1000000"));
        env.push(("ROCKET_PUBLISH_PER_MINUTE", "1000000"));
        common::start_with(&dir.path().join("companion"), &f.trust_file, &env)
    });
    for round in 0..n {
        let expired_before = {
            let s = open_store(&backend, &data);
            seed_expired(s.as_ref(), &mut rng, EXPIRED_VAULT, EXPIRED_BUNDLES);
            let live = s.vault_records(&[live_tag], usize::MAX).unwrap().len();
            s.check_integrity().unwrap().vault_records as usize - live
        };
        // Records and bundles for this round, made before the clock starts.
        let records: Vec<Vec<u8>> = (0..4000)
            .map(|_| {
                let mut r = vec![0u8; protocol::vault::RECORD_LEN];
                rng.fill_bytes(&mut r);
                r[..16].copy_from_slice(&live_tag);
                r
            })
            .collect();
        let bundles: Vec<Vec<u8>> = (0..100)
            .map(|i| f.bundle_at(now(), &format!("round {round} bundle {i}")))
            .collect();
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_notify-server"))
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_DATA_DIR", &data)
            .env("ROCKET_TRUST_FILE", &f.trust_file)
            .env("ROCKET_LOG_LEVEL", "off")
            .env("ROCKET_VAULT_UPLOADS_PER_MINUTE", "1000000")
            .env("ROCKET_PUBLISH_PER_MINUTE", "1000000")
            .env("ROCKET_PURGE_INTERVAL_SECS", "1")
            .env("ROCKET_ADMIN_ENABLED", "false")
            .envs(backend_env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let acked_r = Arc::new(Mutex::new(Vec::new()));
        let acked_b = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        let records = Arc::new(records);
        for t in 0..2 {
            let (records, acked, stop) = (
                Arc::clone(&records),
                Arc::clone(&acked_r),
                Arc::clone(&stop),
            );
            let url = match &companion {
                Some(c) if t == 1 => format!("{}/v1/vault", c.base),
                _ => format!("http://127.0.0.1:{port}/v1/vault"),
            };
            threads.push(std::thread::spawn(move || {
                let a = agent();
                let mut i = t;
                while !stop.load(Ordering::Relaxed) && i < records.len() {
                    match post(&a, &url, &json!({"record": b64(&records[i])})).0 {
                        201 => acked.lock().unwrap().push(i),
                        0 => std::thread::sleep(Duration::from_millis(2)), // not up yet, or gone
                        s => panic!("vault upload answered {s}"),
                    }
                    i += 2;
                }
            }));
        }
        {
            let bundles = bundles.clone();
            let (acked, stop) = (Arc::clone(&acked_b), Arc::clone(&stop));
            let url = format!("http://127.0.0.1:{port}/v1/bundles");
            threads.push(std::thread::spawn(move || {
                let a = agent();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) && i < bundles.len() {
                    match post(&a, &url, &json!({"bundle": b64(&bundles[i])})).0 {
                        201 => {
                            acked.lock().unwrap().push(i);
                            i += 1;
                        }
                        0 => std::thread::sleep(Duration::from_millis(2)),
                        s => panic!("bundle publication answered {s}"),
                    }
                }
            }));
        }
        // One round in five is killed anywhere in its first 800 ms, start-up included; the
        // others within 200 ms of the server listening, while the purge that starts with it
        // is still running.
        if round % 5 == 0 {
            std::thread::sleep(Duration::from_millis(rng.random_range(0..800)));
        } else {
            let deadline = Instant::now() + Duration::from_secs(30);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(rng.random_range(0..200)));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().unwrap();
        }
        let new_r: Vec<usize> = acked_r.lock().unwrap().clone();
        let new_b: Vec<usize> = acked_b.lock().unwrap().clone();
        acked_records.extend(new_r.iter().map(|&i| records[i].clone()));
        acked_bundles.extend(new_b.iter().map(|&i| bundles[i].clone()));

        // The store opens, is consistent, and holds everything acknowledged.
        let store = open_store(&backend, &data);
        let report = store.check_integrity().unwrap();
        assert!(
            report.problems.is_empty(),
            "round {round} (seed {seed}): inconsistent store: {:?}",
            report.problems
        );
        let live: std::collections::HashSet<Vec<u8>> = store
            .vault_records(&[live_tag], usize::MAX)
            .unwrap()
            .into_iter()
            .collect();
        for r in &acked_records {
            assert!(
                live.contains(r),
                "round {round} (seed {seed}): an acknowledged record was lost"
            );
        }
        let stored: std::collections::HashSet<Vec<u8>> = store
            .bundles_after(0, usize::MAX, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|b| b.bytes)
            .collect();
        for b in &acked_bundles {
            assert!(
                stored.contains(b),
                "round {round} (seed {seed}): an acknowledged bundle was lost"
            );
        }
        let expired_after = report.vault_records as usize - live.len();
        if new_r.is_empty() && new_b.is_empty() {
            before_start += 1;
        } else {
            mid_upload += 1;
        }
        if expired_after > 0 && expired_after < expired_before {
            mid_purge += 1;
        }
        // The purges that finished before the kill, as the server logged them.
        let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
        purge_ms.extend(log.lines().filter_map(|l| {
            l.strip_prefix("retention purge: ")?
                .rsplit_once(" in ")?
                .1
                .strip_suffix(" ms")?
                .parse::<u64>()
                .ok()
        }));
    }
    purge_ms.sort_unstable();
    eprintln!(
        "server crash loop ({backend_name}), seed {seed}: {n} SIGKILLs{}: {mid_upload} with uploads acknowledged, \
         {mid_purge} mid-purge ({} purges finished, median {} ms), {before_start} before any acknowledgement; \
         {} acknowledged records and {} acknowledged bundles, none lost, store consistent every time",
        if companion.is_some() {
            " of one of two instances on one database"
        } else {
            ""
        },
        purge_ms.len(),
        purge_ms.get(purge_ms.len() / 2).copied().unwrap_or(0),
        acked_records.len(),
        acked_bundles.len()
    );
    if let Some(c) = &companion {
        let status = agent()
            .get(format!("{}/healthz", c.base))
            .call()
            .map(|r| r.status().as_u16());
        assert_eq!(
            status.ok(),
            Some(200),
            "the surviving instance still serves"
        );
    }
    assert!(
        mid_upload > 0 || n < 3,
        "no kill landed while uploads were acknowledged"
    );
}

/// A misspelled key is refused at start, named with where it came from and what was meant,
/// instead of being ignored (a misspelled trust_file would start on a development authority);
/// a Rocket.toml without a profile table is explained, not a panic (issue 18, item 13).
#[test]
fn unknown_configuration_keys_are_refused() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let run = |cwd: &Path, env: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_notify-server"))
            .current_dir(cwd)
            .env("ROCKET_PORT", free_port().to_string())
            .env("ROCKET_DATA_DIR", &data)
            .env_remove("ROCKET_CONFIG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(
        dir.path(),
        &[("ROCKET_TRUSTFILE", "/etc/checkin/trust.txt")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("unknown key trustfile as the environment variable ROCKET_TRUSTFILE")
            && err.contains("did you mean trust_file, ROCKET_TRUST_FILE?"),
        "{err}"
    );
    assert!(!data.join("dev-authority").exists(), "nothing was set up");
    assert!(!err.contains("panicked"), "{err}");

    std::fs::write(
        dir.path().join("Rocket.toml"),
        "[default]\nport = 8123\nnotice_retention_day = 7\n",
    )
    .unwrap();
    let out = run(dir.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("unknown key notice_retention_day in ") && err.contains("Rocket.toml"),
        "{err}"
    );

    std::fs::write(dir.path().join("Rocket.toml"), "port = 8123\n").unwrap();
    let out = run(dir.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("keys go under a profile table: [default]"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// The ports `pid` listens on (IPv4), from /proc: its socket inodes matched against the
/// kernel's table of listening TCP sockets.
fn listening_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let port = u16::from_str_radix(f[1].split(':').nth(1)?, 16).ok()?;
            (f[3] == "0A" && inodes.iter().any(|i| i == f[9])).then_some(port)
        })
        .collect()
}

/// Behind the connection guard, Rocket's private loopback port refuses connections the guard
/// did not relay, and the log names only the public address (issue 18, item 16).
#[test]
fn the_private_port_answers_only_the_guard() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 1);
    let port = free_port();
    let admin_port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADMIN_PORT", admin_port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_DATA_DIR", dir.path().join("data"))
        .env("ROCKET_TRUST_FILE", &f.trust_file)
        .env_remove("ROCKET_LOG_LEVEL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let a = agent();
    let public = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while a.get(format!("{public}/healthz")).call().is_err() {
        assert!(Instant::now() < deadline, "notify-server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    let admin = format!("http://127.0.0.1:{admin_port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while a.get(format!("{admin}/healthz")).call().is_err() {
        assert!(
            Instant::now() < deadline,
            "the operators' listener did not come up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let private: Vec<u16> = listening_ports(child.id())
        .into_iter()
        .filter(|p| *p != port && *p != admin_port)
        .collect();
    assert_eq!(
        private.len(),
        1,
        "one private port besides {port}: {private:?}"
    );
    let inner = format!("http://127.0.0.1:{}", private[0]);
    for (path, body) in [
        ("/healthz", None),
        ("/v1/vault", Some("{\"record\":\"AAAA\"}")),
    ] {
        let r = match body {
            None => a.get(format!("{inner}{path}")).call(),
            Some(b) => a
                .post(format!("{inner}{path}"))
                .header("content-type", "application/json")
                .send(b),
        };
        let mut r = r.unwrap();
        assert_eq!(r.status(), 403, "{path} on the private port");
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(v["error"], "not_relayed");
    }
    // Through the guard, all is as usual; metrics are the operators' only (issue 18, item 15).
    // Liveness and readiness answer under the names orchestrators look for, on both listeners.
    for base in [&public, &admin] {
        for path in ["/healthz", "/readyz", "/livez"] {
            let mut r = a.get(format!("{base}{path}")).call().unwrap();
            assert_eq!(r.status(), 200, "{base}{path}");
            let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
            assert_eq!(v["status"], "ok", "{base}{path}");
        }
    }
    assert_eq!(
        a.get(format!("{public}/metrics")).call().unwrap().status(),
        404
    );
    let text = a
        .get(format!("{admin}/metrics"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(text.contains("notify_vault_records_stored 0"), "{text}");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains(&format!("for operators on {admin}/metrics"))
            && stdout.contains(&format!("listening on {public}")),
        "{stdout}"
    );
    for log in [&stdout, &stderr] {
        assert!(
            !log.contains(&format!(":{}", private[0])),
            "private port logged: {log}"
        );
        assert!(!log.contains("Rocket has launched"), "{log}");
        assert!(!log.contains("open-file limit"), "{log}");
    }
}

/// A second server on a data directory in use says so, not a raw storage error (issue 18,
/// item 16).
#[test]
fn a_store_in_use_is_named() {
    if !common::store_settings_are_redb() {
        eprintln!("skipped: the redb store's file lock (the tests run on PostgreSQL)");
        return;
    }
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 1);
    let data = dir.path().join("data");
    let _first = start(&data, &f.trust_file);
    let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .env("ROCKET_PORT", free_port().to_string())
        .env("ROCKET_ADMIN_ENABLED", "false")
        .env("ROCKET_DATA_DIR", &data)
        .env("ROCKET_TRUST_FILE", &f.trust_file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is in use by another notify-server"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .arg("--check")
        .env("ROCKET_DATA_DIR", &data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is in use by another notify-server"), "{err}");
}

/// An `LD_PRELOAD` library that makes the server's `fsync` and `fdatasync` wait while the file
/// `$SLOW_SYNC_DIR/hold` exists, after creating `$SLOW_SYNC_DIR/held`: a disk as slow as the
/// test wants, so that the moment between a write and the flush that makes it durable can be
/// held open and looked into. Built with the machine's C compiler.
const SLOW_SYNC_C: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_while_held(void) {
    const char *dir = getenv("SLOW_SYNC_DIR");
    char hold[4096], held[4096];
    if (!dir) return;
    snprintf(hold, sizeof hold, "%s/hold", dir);
    snprintf(held, sizeof held, "%s/held", dir);
    if (access(hold, F_OK) != 0) return;
    int fd = open(held, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) close(fd);
    while (access(hold, F_OK) == 0) usleep(5000);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_while_held();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_while_held();
    return real(fd);
}
"#;

/// Builds [`SLOW_SYNC_C`] in `dir`.
fn slow_sync_library(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("slow_sync.c");
    let lib = dir.join("slow_sync.so");
    std::fs::write(&src, SLOW_SYNC_C).unwrap();
    let out = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&lib)
        .arg(&src)
        .arg("-ldl")
        .output()
        .expect("a C compiler (cc) runs: it builds the slow-disk library");
    assert!(
        out.status.success(),
        "cc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    lib
}

/// Bundles as `GET /v1/bundles` lists them: (seq, bundle).
type Listed = Vec<(u64, Vec<u8>)>;

/// What `GET /v1/bundles?after=0` and the current hour's batch serve.
fn served(a: &ureq::Agent, base: &str) -> (Listed, Vec<Vec<u8>>) {
    let mut r = a.get(format!("{base}/v1/bundles?after=0")).call().unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let listed = v["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["seq"].as_u64().unwrap(),
                unb64(b["bundle"].as_str().unwrap()),
            )
        })
        .collect();
    let hour = now() / 3600;
    let mut r = a.get(format!("{base}/v1/batches/{hour}")).call().unwrap();
    assert_eq!(r.status(), 200);
    let batch = r.body_mut().read_to_vec().unwrap();
    let in_batch = protocol::batch::decode_batch(&batch, hour)
        .unwrap()
        .into_iter()
        .map(|b| b.to_vec())
        .collect();
    (listed, in_batch)
}

/// Nothing is served before the flush that covers it, and a sequence number once served is
/// never given to another bundle. The server's syncs are held (a slow disk) while bundle A is
/// published; what the API serves meanwhile is noted; the server is killed before the sync
/// ends and started again, and bundle B published. Everything served before the kill must
/// still be served, under the same number, and B must not take a number A was served under.
/// On PostgreSQL a commit is durable before it is visible, so A is served at once and kept.
#[test]
fn nothing_is_served_before_it_is_durable_and_no_number_is_given_twice() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 12);
    let data = dir.path().join("data");
    let gate = dir.path().join("gate");
    std::fs::create_dir(&gate).unwrap();
    let lib = slow_sync_library(dir.path());
    let backend = common::env_of(&common::store_settings());
    let mut env: Vec<(&str, &str)> = backend
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let first_env = {
        let mut e = env.clone();
        e.push(("LD_PRELOAD", lib.to_str().unwrap()));
        e.push(("SLOW_SYNC_DIR", gate.to_str().unwrap()));
        e
    };
    let mut server = common::start_with(&data, &f.trust_file, &first_env);
    let a = agent();
    // The purge that runs at start flushes too: wait for it, so that the held sync is the one
    // covering A.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = a
            .get(format!("{}/metrics", server.admin))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let purged = text
            .lines()
            .find_map(|l| l.strip_prefix("notify_last_purge_timestamp_seconds "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .is_some_and(|t| t > 0.0);
        if purged {
            break;
        }
        assert!(Instant::now() < deadline, "the start-up purge did not run");
        std::thread::sleep(Duration::from_millis(20));
    }

    let bundle_a = f.bundle_at(now(), "A, published while the disk is slow");
    std::fs::write(gate.join("hold"), b"").unwrap();
    let publish = {
        let (url, body) = (
            format!("{}/v1/bundles", server.base),
            json!({"bundle": b64(&bundle_a)}),
        );
        std::thread::spawn(move || post(&agent(), &url, &body).0)
    };
    // Either the sync covering A is held (redb), or A was answered (a store whose commits are
    // durable when they return).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !gate.join("held").exists() && !publish.is_finished() {
        assert!(Instant::now() < deadline, "neither a sync nor an answer");
        std::thread::sleep(Duration::from_millis(5));
    }
    let held = gate.join("held").exists();
    let (listed, in_batch) = served(&a, &server.base);
    if held {
        assert!(
            listed.is_empty() && in_batch.is_empty(),
            "a bundle not yet durable is served: {} listed, {} in the hour's batch",
            listed.len(),
            in_batch.len()
        );
    } else {
        assert_eq!(listed, vec![(1, bundle_a.clone())]);
    }

    server.child.kill().unwrap(); // SIGKILL, the sync still held
    server.child.wait().unwrap();
    std::fs::remove_file(gate.join("hold")).unwrap();
    let answered = publish.join().unwrap();
    if held {
        assert_ne!(
            answered / 100,
            2,
            "A was acknowledged before its sync ended"
        );
    } else {
        assert_eq!(answered, 201);
    }

    env.push(("ROCKET_VAULT_UPLOADS_PER_MINUTE", "1000"));
    env.push(("ROCKET_PUBLISH_PER_MINUTE", "1000"));
    let server = common::start_with(&data, &f.trust_file, &env);
    let bundle_b = f.bundle_at(now(), "B, after the restart");
    let (s, v) = post(
        &a,
        &format!("{}/v1/bundles", server.base),
        &json!({"bundle": b64(&bundle_b)}),
    );
    assert_eq!(s, 201, "{v}");
    let (after, after_batch) = served(&a, &server.base);
    for (seq, bytes) in &listed {
        assert!(
            after.contains(&(*seq, bytes.clone())),
            "bundle {seq} was served before the crash and is gone, or renumbered, after it"
        );
    }
    for bytes in &in_batch {
        assert!(
            after_batch.contains(bytes),
            "a batch lost a bundle it served"
        );
    }
    let seq_b = v["seq"].as_u64().unwrap();
    assert!(
        !listed.iter().any(|(seq, _)| *seq == seq_b),
        "B took number {seq_b}, served before the crash for another bundle"
    );
}

/// An operators' listener whose port is taken stops the server at start, in words, instead of
/// a warning and a server whose metrics and health nobody can read.
#[test]
fn a_taken_operators_port_stops_the_server() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 1);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let admin_port = taken.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .env("ROCKET_PORT", free_port().to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_ADMIN_PORT", admin_port.to_string())
        .env("ROCKET_DATA_DIR", dir.path().join("data"))
        .env("ROCKET_TRUST_FILE", &f.trust_file)
        .env_remove("ROCKET_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot listen on 127.0.0.1:{admin_port}"))
            && err.contains("ROCKET_ADMIN_PORT")
            && err.contains("admin_enabled = false"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// The bounds on held case files are checked at start (spec section 16b): one that cannot
/// hold a single longest case file, or a total under the per-address bound, stops the server
/// in words naming the setting and the least it may be.
#[test]
fn case_file_bounds_that_cannot_hold_one_file_are_refused_at_start() {
    let dir = TempDir::new().unwrap();
    for (key, value, says) in [
        (
            "ROCKET_CASE_BYTES_PER_ADDRESS",
            "100000",
            "case_bytes_per_address = 100000 must be at least 802969",
        ),
        (
            "ROCKET_CASE_BYTES_TOTAL",
            "1000000",
            "case_bytes_total = 1000000 at least case_bytes_per_address",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_notify-server"))
            .arg("--check")
            .current_dir(dir.path())
            .env("ROCKET_DATA_DIR", dir.path().join("data"))
            .env_remove("ROCKET_CONFIG")
            .env(key, value)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("bad configuration") && err.contains(says),
            "{err}"
        );
    }
}

/// The HTTP details a CDN and a phone rely on, through the real binary on a real port: the
/// revocation list may be cached a minute; the open hour carries a tag derived from its bytes
/// alone (the same for everyone), answers `304` to it, and is served afresh after a
/// publication; `HEAD` answers as `GET` without the body; every answer has a
/// `Content-Length`; a closed day is one file of its 24 hours; other spellings of a batch's
/// path name nothing. (Every request takes no coding, so that lengths are of the bytes read.)
#[test]
fn batches_and_days_carry_the_headers_a_cdn_and_a_phone_need() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 31);
    let server = start(&dir.path().join("data"), &f.trust_file);
    let a = agent();
    let base = &server.base;
    let tag_of = |body: &[u8]| format!("\"{}\"", common_hex(&blake3::hash(body).as_bytes()[..16]));
    let length = |r: &ureq::http::Response<ureq::Body>| -> usize {
        r.headers()
            .get("content-length")
            .expect("every answer has a Content-Length")
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };

    let mut r = a
        .get(format!("{base}/v1/revocations"))
        .header("accept-encoding", "identity")
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("cache-control").unwrap(),
        "public, max-age=60"
    );
    let n = length(&r);
    assert_eq!(r.body_mut().read_to_vec().unwrap().len(), n);

    // The open hour: its tag is BLAKE3 of the bytes, and it answers 304 to that tag.
    let hour = now() / 3600;
    let open = format!("{base}/v1/batches/{hour}");
    let b1 = f.bundle_at(now(), "first");
    assert_eq!(
        post(
            &a,
            &format!("{base}/v1/bundles"),
            &json!({"bundle": b64(&b1)})
        )
        .0,
        201
    );
    let mut r = a
        .get(&open)
        .header("accept-encoding", "identity")
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let etag = r
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let n = length(&r);
    let body = r.body_mut().read_to_vec().unwrap();
    assert_eq!(body.len(), n);
    assert_eq!(
        etag,
        tag_of(&body),
        "the tag is derived from the bytes alone"
    );
    let r = a
        .get(&open)
        .header("accept-encoding", "identity")
        .header("if-none-match", &etag)
        .call()
        .unwrap();
    assert_eq!(r.status(), 304);
    // HEAD: the same status and headers, Content-Length included, and no body.
    let mut r = a
        .head(&open)
        .header("accept-encoding", "identity")
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(length(&r), n);
    assert_eq!(r.headers().get("etag").unwrap().to_str().unwrap(), etag);
    assert!(r.body_mut().read_to_vec().unwrap_or_default().is_empty());
    // A publication changes the open hour at once (the batch kept in memory is stale), and
    // the old tag no longer answers 304.
    let b2 = f.bundle_at(now(), "second");
    assert_eq!(
        post(
            &a,
            &format!("{base}/v1/bundles"),
            &json!({"bundle": b64(&b2)})
        )
        .0,
        201
    );
    let mut r = a
        .get(&open)
        .header("accept-encoding", "identity")
        .header("if-none-match", &etag)
        .call()
        .unwrap();
    if now() / 3600 == hour {
        assert_eq!(r.status(), 200);
        let body = r.body_mut().read_to_vec().unwrap();
        let got = protocol::batch::decode_batch(&body, hour).unwrap();
        assert_eq!(got, vec![&b1[..], &b2[..]]);
        assert_eq!(
            r.headers().get("etag").unwrap().to_str().unwrap(),
            tag_of(&body)
        );
    }

    // Yesterday, closed: one day file, its hours those the hour paths serve, byte for byte.
    let day = now() / 86_400 - 1;
    let mut r = a
        .get(format!("{base}/v1/days/{day}"))
        .header("accept-encoding", "identity")
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let cc = r
        .headers()
        .get("cache-control")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cc.ends_with(", immutable"), "{cc}");
    let n = length(&r);
    let file = r.body_mut().read_to_vec().unwrap();
    assert_eq!(file.len(), n);
    let hours = protocol::batch::decode_day(&file, day).unwrap();
    for (h, batch) in &hours {
        let mut r = a
            .get(format!("{base}/v1/batches/{h}"))
            .header("accept-encoding", "identity")
            .call()
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(&r.body_mut().read_to_vec().unwrap()[..], *batch, "hour {h}");
    }
    let r = a
        .head(format!("{base}/v1/days/{day}"))
        .header("accept-encoding", "identity")
        .call()
        .unwrap();
    assert_eq!((r.status().as_u16(), length(&r)), (200, n));
    // Today has not closed; a day past retention is gone.
    for (path, status, error) in [
        (format!("/v1/days/{}", day + 1), 404, "day_not_closed"),
        (format!("/v1/days/{}", day - 15), 410, "day_purged"),
        (format!("/v1/days/0{day}"), 404, "not_found"),
        (format!("/v1/days/{day}?x"), 404, "not_found"),
        (format!("/v1/batches/+{hour}"), 404, "not_found"),
        (format!("/v1/batches/{hour}?"), 404, "not_found"),
    ] {
        let mut r = a
            .get(format!("{base}{path}"))
            .header("accept-encoding", "identity")
            .call()
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
        let n = length(&r);
        let text = r.body_mut().read_to_string().unwrap();
        assert_eq!(text.len(), n, "{path}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["error"], error, "{path}");
    }
}

fn common_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

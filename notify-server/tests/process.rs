//! The real `notify-server` binary on a real loopback port: HTTP over TCP, and durability
//! under SIGKILL (every upload that got a 2xx survives, and the store reopens cleanly).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Fixture, b64, now, unb64};
use protocol::hour_of;
use serde_json::{Value, json};
use tempfile::TempDir;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn start(data: &Path, trust: &Path) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_DATA_DIR", data)
        .env("ROCKET_TRUST_FILE", trust)
        .env("ROCKET_LOG_LEVEL", "off")
        .env("ROCKET_VAULT_UPLOADS_PER_MINUTE", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let a = agent();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut server = Server { child, base };
    loop {
        if let Ok(r) = a.get(format!("{}/healthz", server.base)).call()
            && r.status() == 200
        {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("notify-server exited with {status}: {err}");
        }
        assert!(Instant::now() < deadline, "notify-server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn post(a: &ureq::Agent, url: &str, body: &Value) -> (u16, Value) {
    match a
        .post(url)
        .header("content-type", "application/json")
        .send(body.to_string())
    {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let v = r
                .body_mut()
                .read_to_string()
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null);
            (status, v)
        }
        Err(_) => (0, Value::Null),
    }
}

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

/// Streams vault uploads from several threads, SIGKILLs the server mid-stream, restarts it,
/// and checks that every acknowledged upload is there. Repeated.
#[test]
fn acknowledged_uploads_survive_sigkill() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 11);
    let data = dir.path().join("data");
    let hour = hour_of(now()) - 1;
    // Pre-seal a pool of records (sealing is the slow part, and not what is tested).
    const PER_ROUND: usize = 1500;
    let rounds = 4;
    let pool: Vec<Vec<u8>> = (0..PER_ROUND * rounds)
        .map(|i| f.record(hour, &format!("P{i}")))
        .collect();
    let pool = Arc::new(pool);
    let acked: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(Vec::new()));
    let mut interrupted = 0;
    for round in 0..rounds {
        let before = acked.lock().unwrap().len();
        let server = start(&data, &f.trust_file);
        let url = format!("{}/v1/vault", server.base);
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for t in 0..4 {
            let (url, pool, acked, stop) = (
                url.clone(),
                Arc::clone(&pool),
                Arc::clone(&acked),
                Arc::clone(&stop),
            );
            threads.push(std::thread::spawn(move || {
                let a = agent();
                let mut i = round * PER_ROUND + t;
                while !stop.load(Ordering::Relaxed) && i < (round + 1) * PER_ROUND {
                    let (s, _) = post(&a, &url, &json!({"record": b64(&pool[i])}));
                    if s == 201 {
                        acked.lock().unwrap().push(i);
                    } else if s == 0 {
                        break; // connection refused: the server is gone
                    }
                    i += 4;
                }
            }));
        }
        // Kill while uploads are in flight.
        std::thread::sleep(Duration::from_millis(150 + 50 * round as u64));
        let mut server = server;
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            t.join().unwrap();
        }
        if acked.lock().unwrap().len() - before < PER_ROUND {
            interrupted += 1;
        }
    }
    assert!(
        interrupted > 0,
        "every round finished before the kill: nothing was killed mid-stream"
    );
    // Reopen and check every acknowledged record is there.
    let server = start(&data, &f.trust_file);
    let q = f.query(&[hour], now());
    let (s, v) = post(
        &agent(),
        &format!("{}/v1/vault/query", server.base),
        &json!({"query": b64(&q)}),
    );
    assert_eq!(s, 200, "{v}");
    let stored: std::collections::HashSet<Vec<u8>> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| unb64(r.as_str().unwrap()))
        .collect();
    let acked = acked.lock().unwrap();
    assert!(
        !acked.is_empty(),
        "no upload was acknowledged: the test measured nothing"
    );
    for i in acked.iter() {
        assert!(
            stored.contains(&pool[*i]),
            "acknowledged upload {i} was lost"
        );
    }
    eprintln!(
        "{} acknowledged uploads over {rounds} SIGKILLs ({interrupted} mid-stream), all present ({} stored)",
        acked.len(),
        stored.len()
    );
}

//! Shared test fixtures: an authority, a certified tracer, and helpers that build real
//! bundles, vault records and signed queries with the protocol library.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support"
)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::query::sign_query;
use protocol::vault::seal_record;
use protocol::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use serde_json::Value;

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub struct Fixture {
    pub root: Ed25519Secret,
    pub tracer: Ed25519Secret,
    pub cert: Certificate,
    pub sealing: SealingSecretKey,
    pub trust_file: PathBuf,
    pub poster: Poster,
    pub rng: ChaCha20Rng,
}

impl Fixture {
    pub fn new(dir: &Path, seed: u64) -> Fixture {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let root = Ed25519Secret::generate(&mut rng);
        let tracer = Ed25519Secret::generate(&mut rng);
        let sealing = SealingSecretKey::generate(&mut rng);
        let t = now();
        let cert = Certificate::issue(
            &root,
            &tracer.verifying_key(),
            "Test Board",
            t - 86_400,
            t + 86_400,
        )
        .unwrap();
        let trust = TrustAnchor {
            authority: "Test Authority".into(),
            serial: 1,
            root: root.verifying_key(),
            emergency: protocol::EmergencyOfficers::new(
                vec![
                    protocol::Ed25519Secret::generate(&mut rng).verifying_key(),
                    protocol::Ed25519Secret::generate(&mut rng).verifying_key(),
                ],
                2,
            )
            .unwrap(),
            case: protocol::SealingSecretKey::from_bytes([0xca; 32]).public_key(),
            release: None,
            // One sealing period from 1970 to 2100.
            sealing: vec![protocol::SealingPeriod {
                from: 0,
                until: 4_102_444_800,
                key: sealing.public_key(),
            }],
        };
        let trust_file = dir.join("trust.txt");
        std::fs::write(&trust_file, trust.sign(&root)).unwrap();
        let poster = Poster::sign(
            &VenueSecret::generate(&mut rng).keys(),
            PosterInfo {
                name: "The Crown".into(),
                address: "1 High St".into(),
                category: "pub".into(),
                default_stay_minutes: 60,
                validity: None,
            },
        )
        .unwrap();
        Fixture {
            root,
            tracer,
            cert,
            sealing,
            trust_file,
            poster,
            rng,
        }
    }

    /// A bundle notifying the fixture's venue for the two hours before `created_at`.
    pub fn bundle_at(&mut self, created_at: u64, message: &str) -> Vec<u8> {
        self.bundle_with(
            &self.tracer.clone(),
            &self.cert.clone(),
            created_at,
            message,
        )
    }

    pub fn bundle_with(
        &mut self,
        tracer: &Ed25519Secret,
        cert: &Certificate,
        created_at: u64,
        message: &str,
    ) -> Vec<u8> {
        let n = VenueNotice {
            venue_id: self.poster.venue_id(),
            payload: NoticePayload {
                start: created_at - 7200,
                end: created_at - 3600,
                severity: Severity::High,
                message: message.into(),
                // Sealed inside the entry: the server never sees it, so any value does here.
                approval: Approval::Venue([0; 64]),
            },
        };
        let entries = seal_notices(&mut self.rng, &[n]).unwrap();
        sign_bundle(tracer, cert, created_at, &entries).unwrap()
    }

    pub fn record(&mut self, hour: u64, name: &str) -> Vec<u8> {
        let c = ContactRecord {
            name: name.into(),
            phone: "+44 7700 900000".into(),
            email: String::new(),
            party_size: 1,
            arrival: hour * 3600,
            departure: hour * 3600 + 600,
        };
        seal_record(
            &mut self.rng,
            &self.poster,
            &self.sealing.public_key(),
            hour,
            &c,
        )
        .unwrap()
        .to_vec()
    }

    pub fn query(&mut self, hours: &[u64], timestamp: u64) -> Vec<u8> {
        // Records are filed by bucket and day: one tag per day the hours touch.
        let mut tags: Vec<Tag> = hours
            .iter()
            .map(|h| vault_file_tag(&self.poster.venue_id(), *h))
            .collect();
        tags.dedup();
        sign_query(&mut self.rng, &self.tracer, &self.cert, timestamp, &tags).unwrap()
    }
}

pub fn b64(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

pub fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

/// The real `notify-server` binary, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// The operators' listener (`/metrics`, detailed `/healthz`).
    pub admin: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub use tests::free_port;

/// The store settings for a server under test, as (key, value): none (redb in the data
/// directory) unless `NOTIFY_TEST_POSTGRES` names a PostgreSQL server (a libpq connection
/// string without a database, such as `host=/var/run/postgresql`). Then every call makes a
/// fresh database, `nt_<pid>_<n>`, so that tests running at once never share one. The first
/// call in a test process drops the databases of test processes that have ended (CI drops the
/// rest afterwards), so that runs on a developer's machine do not pile them up.
pub fn store_settings() -> Vec<(&'static str, String)> {
    let Some(server) = std::env::var("NOTIFY_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        return Vec::new();
    };
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| drop_databases_of_ended_runs(&server));
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "nt_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let out = Command::new("psql")
        .arg(format!("{server} dbname=postgres"))
        .args(["-q", "-c", &format!("DROP DATABASE IF EXISTS {name}")])
        .args(["-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql (postgresql-client) runs");
    assert!(
        out.status.success(),
        "cannot create the test database {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    vec![
        ("store", "postgres".to_string()),
        ("database_url", format!("{server} dbname={name}")),
    ]
}

/// Drops every `nt_<pid>_<n>` database whose process is gone (its server processes went
/// with it). Best effort: a failure here only leaves them for CI's sweep.
fn drop_databases_of_ended_runs(server: &str) {
    let Ok(out) = Command::new("psql")
        .arg(format!("{server} dbname=postgres"))
        .args([
            "-At",
            "-c",
            "SELECT datname FROM pg_database WHERE datname LIKE 'nt\\_%'",
        ])
        .output()
    else {
        return;
    };
    for name in String::from_utf8_lossy(&out.stdout).lines() {
        let pid = name.split('_').nth(1).and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = Command::new("psql")
            .arg(format!("{server} dbname=postgres"))
            .args([
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ])
            .output();
    }
}

/// The database URL among store settings, if they name PostgreSQL.
pub fn database_url(settings: &[(&str, String)]) -> Option<String> {
    settings
        .iter()
        .find(|(k, _)| *k == "database_url")
        .map(|(_, v)| v.clone())
}

/// Whether the servers under test keep their store in redb (`NOTIFY_TEST_POSTGRES` unset).
pub fn store_settings_are_redb() -> bool {
    std::env::var("NOTIFY_TEST_POSTGRES").map_or(true, |v| v.is_empty())
}

/// Settings as `ROCKET_*` variables for a server process.
pub fn env_of(settings: &[(&str, String)]) -> Vec<(String, String)> {
    settings
        .iter()
        .map(|(k, v)| (format!("ROCKET_{}", k.to_ascii_uppercase()), v.clone()))
        .collect()
}

/// [`store_settings`] as `ROCKET_*` variables for a server process.
pub fn store_env() -> Vec<(String, String)> {
    env_of(&store_settings())
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// Starts the binary on a free loopback port with `data` and `trust`, plus `env`, and waits
/// until `/healthz` answers. A port found free can be taken by a test running at the same time
/// before the server binds it: the server then stops, saying so, and is started again on
/// other ports.
pub fn start_with(data: &Path, trust: &Path, env: &[(&str, &str)]) -> Server {
    for _ in 0..4 {
        match try_start_with(data, trust, env) {
            Ok(server) => return server,
            Err(err) if err.contains("Address already in use") => continue,
            Err(err) => panic!("{err}"),
        }
    }
    panic!("notify-server found no free ports in four tries");
}

fn try_start_with(data: &Path, trust: &Path, env: &[(&str, &str)]) -> Result<Server, String> {
    let port = free_port();
    let admin_port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADMIN_PORT", admin_port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_DATA_DIR", data)
        .env("ROCKET_TRUST_FILE", trust)
        .env("ROCKET_LOG_LEVEL", "off")
        .envs(store_env())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let a = agent();
    let deadline = Instant::now() + Duration::from_secs(30);
    let admin = format!("http://127.0.0.1:{admin_port}");
    let mut server = Server { child, base, admin };
    loop {
        if let Ok(r) = a.get(format!("{}/healthz", server.base)).call()
            && r.status() == 200
        {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("notify-server exited with {status}: {err}"));
        }
        assert!(Instant::now() < deadline, "notify-server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn post(a: &ureq::Agent, url: &str, body: &Value) -> (u16, Value) {
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

/// As [`start_with`], with uploads unlimited.
pub fn start(data: &Path, trust: &Path) -> Server {
    start_with(
        data,
        trust,
        &[
            ("ROCKET_VAULT_UPLOADS_PER_MINUTE", "1000000"),
            ("ROCKET_PUBLISH_PER_MINUTE", "1000000"),
        ],
    )
}

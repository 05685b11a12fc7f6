//! End-to-end tests of the whole system, through the real binaries and a real server.
//!
//! The stories are in `tests/stories.rs`, the power cuts in `tests/powercut.rs`. The library
//! holds only test support: [`bin_dir`], the real binaries, and [`powercut`], a file system that
//! can lose its power, which the server's own power-cut test uses too.
#![forbid(unsafe_code)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test support: a set-up step that fails must fail the test that asked for it"
)]

pub mod powercut;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Builds the four binaries once (a no-op when they are fresh) and returns their directory.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(&root)
            .args([
                "build",
                "-q",
                "-p",
                "notify-server",
                "-p",
                "client",
                "-p",
                "tracer",
                "-p",
                "venue-keygen",
                "--bins",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "building the binaries failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("debug")
    })
}

/// Runs one of the binaries in `dir` (with `TZ=UTC` and no `CHECKIN_HOME`).
pub fn run(dir: &Path, bin: &str, args: &[&str]) -> Output {
    Command::new(bin_dir().join(bin))
        .current_dir(dir)
        .env("TZ", "UTC")
        .env_remove("CHECKIN_HOME")
        .args(args)
        .output()
        .unwrap()
}

/// Runs and requires success; returns stdout.
pub fn ok(dir: &Path, bin: &str, args: &[&str]) -> String {
    let out = run(dir, bin, args);
    assert!(
        out.status.success(),
        "{bin} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A `notify-server` process, killed when dropped.
pub struct Server {
    child: Child,
    /// Its base URL.
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the real `notify-server` in `dir`, pinning `trust`, on a free loopback port, and
/// waits until it listens.
pub fn start_server(dir: &Path, trust: &Path) -> Server {
    // A port found free can be taken by a test running at the same time before the server
    // binds it: the server then exits, and is started again on another port.
    for _ in 0..4 {
        if let Some(server) = try_start_server(dir, trust) {
            return server;
        }
    }
    panic!("notify-server did not start in four tries");
}

fn try_start_server(dir: &Path, trust: &Path) -> Option<Server> {
    let port = free_port();
    let mut child = Command::new(bin_dir().join("notify-server"))
        .current_dir(dir)
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_TRUST_FILE", trust)
        .env("ROCKET_ADMIN_ENABLED", "false")
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Exited: the port was taken (by another test) before it could bind.
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "notify-server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Whoever answered, it must be our server, still running.
    if let Ok(Some(_)) = child.try_wait() {
        return None;
    }
    Some(Server { child, url })
}

/// In `dir`, with the real tools: two emergency officers (`officers/1`, `officers/2`), an
/// authority "Example Health Board" (`authority/`, its trust file `authority/trust.txt`) that
/// needs both for an emergency approval, and a tracer "A. Tracer" (`tracer/`) certified for 30
/// days to publish and to query.
pub fn authority_and_tracer(dir: &Path) {
    for i in ["1", "2"] {
        ok(
            dir,
            "tracer",
            &[
                "authority",
                "officer-init",
                "--out",
                &format!("officers/{i}"),
            ],
        );
    }
    ok(
        dir,
        "tracer",
        &[
            "authority",
            "init",
            "--out",
            "authority",
            "--name",
            "Example Health Board",
            "--officer",
            "officers/1/officer.pub",
            "--officer",
            "officers/2/officer.pub",
            "--threshold",
            "2",
        ],
    );
    certified_tracer(dir);
}

/// In `dir`, beside an authority in `authority/`: a tracer "A. Tracer" (`tracer/`) it
/// certified for 30 days to publish and to query.
pub fn certified_tracer(dir: &Path) {
    ok(dir, "tracer", &["keygen", "--out", "tracer"]);
    ok(
        dir,
        "tracer",
        &[
            "authority",
            "certify",
            "--authority",
            "authority",
            "--tracer-pub",
            "tracer/tracer.pub",
            "--name",
            "A. Tracer",
            "--days",
            "30",
            "--role",
            "publish",
            "--role",
            "query",
        ],
    );
}

//! Shared set-up for the client's tests: a real notify-server in-process, an authority and
//! a certified tracer, and the `checkin` binary pointed at a diary in a temporary directory.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support"
)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use protocol::*;
use tempfile::TempDir;

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn rfc(t: u64) -> String {
    jiff::Timestamp::from_second(t as i64).unwrap().to_string()
}

/// A real notify-server (Rocket, sled, a free loopback port), in-process.
pub fn server(data: &Path, trust: &Path) -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fig = notify_server::figment()
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge(("data_dir", data))
        .merge(("trust_file", trust))
        .merge(("log_level", "off"))
        .merge(("admin_enabled", false));
    notify_server::spawn(fig).unwrap()
}

pub struct World {
    pub t: TempDir,
    pub authority: PathBuf,
    pub tracer: tracer::keys::TracerIdentity,
    pub server: String,
}

pub fn world() -> World {
    let t = TempDir::new().unwrap();
    let authority = t.path().join("authority");
    tracer::authority::init(&authority, "Test Health Board").unwrap();
    let auth = tracer::authority::load(&authority).unwrap();
    let key = Ed25519Secret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let cert = Certificate::issue(
        &auth.root,
        &key.verifying_key(),
        "Tracer",
        now() - 86_400,
        now() + 86_400,
    )
    .unwrap();
    let server = server(&t.path().join("data"), &authority.join("trust.txt"));
    World {
        t,
        authority,
        tracer: tracer::keys::TracerIdentity { key, cert },
        server,
    }
}

impl World {
    pub fn checkin(&self, who: &str) -> Command {
        let mut c = Command::new(tests::bin_dir().join("checkin"));
        c.env("TZ", "UTC")
            .env_remove("CHECKIN_HOME")
            .arg("--diary")
            .arg(self.t.path().join(who));
        c
    }

    pub fn init(&self, who: &str) {
        self.checkin(who)
            .args(["init", "--server", &self.server, "--trust"])
            .arg(self.authority.join("trust.txt"))
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "trusts notices from \"Test Health Board\"",
            ));
    }

    pub fn notify(&self, poster: &Poster, from: u64, to: u64, message: &str) {
        let plan = tracer::plan_notify(
            &self.tracer,
            vec![poster.clone()],
            from,
            to,
            Severity::High,
            message,
            false,
            now(),
        )
        .unwrap();
        tracer::post_bundle(&self.server, &plan).unwrap();
    }
}

pub fn poster(name: &str, stay: u16) -> Poster {
    let keys = VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng)).keys();
    Poster::sign(
        &keys,
        PosterInfo {
            name: name.into(),
            address: "1 High St".into(),
            category: "pub".into(),
            default_stay_minutes: stay,
            validity: None,
        },
    )
    .unwrap()
}

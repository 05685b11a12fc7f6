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

/// A real notify-server (Rocket, redb, a free loopback port), in-process.
pub fn server(data: &Path, trust: &Path) -> String {
    server_with(data, trust, &[])
}

/// [`server`] with some numeric settings changed, such as `("max_query_records", 5)`.
pub fn server_with(data: &Path, trust: &Path, settings: &[(&str, u64)]) -> String {
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
    let fig = settings
        .iter()
        .fold(fig, |fig, &(key, value)| fig.merge((key, value)));
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

    /// Publishes a notice for `poster` that its venue approved (the venue's key is the one
    /// [`poster`] made), as `tracer notify request`, `venue-keygen approve` and `tracer notify
    /// publish` do.
    pub fn notify(&self, poster: &Poster, from: u64, to: u64, message: &str) {
        let keys = venue_keys(poster);
        self.publish(poster, from, to, message, |s| s.approve_as_venue(&keys));
    }

    /// Publishes a notice for `poster` whose approval `approve` makes (another key, say).
    pub fn publish(
        &self,
        poster: &Poster,
        from: u64,
        to: u64,
        message: &str,
        approve: impl Fn(&ApprovalStatement) -> Approval,
    ) {
        let bundle = signed_bundle(&self.tracer, poster, from, to, message, approve);
        tracer::post_bundle(&self.server, &bundle).unwrap();
    }
}

/// A bundle by `id` for `poster`'s window `from`..`to`, checked as `tracer notify request`
/// checks it, with the approval that `approve` makes.
pub fn signed_bundle(
    id: &tracer::keys::TracerIdentity,
    poster: &Poster,
    from: u64,
    to: u64,
    message: &str,
    approve: impl Fn(&ApprovalStatement) -> Approval,
) -> Vec<u8> {
    {
        let plan = tracer::plan_notify(
            id,
            vec![poster.clone()],
            from,
            to,
            Severity::High,
            message,
            false,
            now(),
        )
        .unwrap();
        assert_eq!(plan.requests.len(), 1);
        let statement = ApprovalStatement {
            venue_id: poster.venue_id(),
            cert_digest: protocol::approval::cert_digest(&id.cert),
            start: plan.venues[0].from,
            end: plan.venues[0].to,
            severity: Severity::High,
            message: message.to_owned(),
        };
        let approval = approve(&statement);
        let notice = VenueNotice {
            venue_id: poster.venue_id(),
            payload: statement.into_payload(approval),
        };
        let entries = protocol::notice::seal_notices(
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
            &[notice],
        )
        .unwrap();
        protocol::notice::sign_bundle(&id.key, &id.cert, now(), &entries).unwrap()
    }
}

/// The venue keys of posters made by [`poster`], so that tests can approve their notices.
static VENUES: std::sync::Mutex<Vec<(VenueId, [u8; 32])>> = std::sync::Mutex::new(Vec::new());

/// The keys of a venue whose poster [`poster`] made.
pub fn venue_keys(poster: &Poster) -> VenueKeys {
    let venues = VENUES.lock().unwrap();
    let (_, seed) = venues
        .iter()
        .find(|(id, _)| *id == poster.venue_id())
        .expect("a poster made by common::poster");
    VenueSecret::from_bytes(*seed).keys()
}

pub fn poster(name: &str, stay: u16) -> Poster {
    let secret = VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let keys = secret.keys();
    let p = poster_with(&keys, name, stay);
    VENUES
        .lock()
        .unwrap()
        .push((p.venue_id(), *secret.to_bytes()));
    p
}

fn poster_with(keys: &VenueKeys, name: &str, stay: u16) -> Poster {
    Poster::sign(
        keys,
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

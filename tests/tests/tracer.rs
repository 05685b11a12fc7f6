//! The `tracer` binary against a real notify-server (Rocket, redb, a loopback port), with the
//! venue owner's step done by the venue-keygen library, as the three parties would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use protocol::case::CaseDiary;
use protocol::vault::seal_visit;
use protocol::*;
use tempfile::TempDir;

mod common;

fn tracer() -> Command {
    let mut c = Command::new(tests::bin_dir().join("tracer"));
    c.env("TZ", "UTC");
    c
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn rfc3339(t: u64) -> String {
    jiff::Timestamp::from_second(t as i64).unwrap().to_string()
}

struct World {
    _t: TempDir,
    dir: PathBuf,
    authority: PathBuf,
    key: PathBuf,
    server: String,
}

/// The directory of emergency officer `i` (1 to 3) of a world made in `dir`: apart from the
/// authority's directory, as on the officer's own machine.
fn officer_dir(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("officer{i}"))
}

/// `--officer officerN/officer.pub` for the three officers, threshold 2 (the default).
fn officer_args(dir: &Path) -> Vec<String> {
    (1..=3)
        .flat_map(|i| {
            [
                "--officer".to_owned(),
                officer_dir(dir, i)
                    .join("officer.pub")
                    .display()
                    .to_string(),
            ]
        })
        .collect()
}

fn world() -> World {
    let t = TempDir::new().unwrap();
    let dir = t.path().to_path_buf();
    let authority = dir.join("authority");
    let key = dir.join("tracer");
    // Three emergency officers, each with a key of their own made apart from the root.
    for i in 1..=3 {
        tracer()
            .args(["authority", "officer-init", "--out"])
            .arg(officer_dir(&dir, i))
            .assert()
            .success()
            .stdout(predicate::str::contains("stays on this machine"));
    }
    tracer()
        .args(["authority", "init", "--name", "Test Health Board", "--out"])
        .arg(&authority)
        .args(officer_args(&dir))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Created the authority \"Test Health Board\"",
        ))
        .stdout(predicate::str::contains("keep it offline"))
        .stdout(predicate::str::contains("2 of them must approve together"));
    tracer()
        .args(["keygen", "--out"])
        .arg(&key)
        .assert()
        .success();
    tracer()
        .args(["authority", "certify", "--authority"])
        .arg(&authority)
        .arg("--tracer-pub")
        .arg(key.join("tracer.pub"))
        .args([
            "--name",
            "Tracer One",
            "--days",
            "30",
            "--role",
            "publish",
            "--role",
            "query",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Certified \"Tracer One\" for 30 days",
        ));
    let server = common::server(&dir.join("data"), &authority.join("trust.txt"));
    World {
        _t: t,
        dir,
        authority,
        key,
        server,
    }
}

fn venue(name: &str) -> (VenueSecret, Poster) {
    let secret = VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let p = Poster::sign(
        &secret.keys(),
        PosterInfo {
            name: name.into(),
            address: "1 High St".into(),
            category: "pub".into(),
            default_stay_minutes: 60,
            validity: None,
        },
    )
    .unwrap();
    (secret, p)
}

/// Copies the files of directory `from` into a new directory `to` (and its parents).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn authority_keys_are_private_and_never_overwritten() {
    let w = world();
    #[cfg(unix)]
    for f in ["root.key", "case.key"]
        .map(|f| w.authority.join(f))
        .into_iter()
        .chain((1..=3).map(|i| officer_dir(&w.dir, i).join("officer.key")))
        .chain(
            std::fs::read_dir(w.authority.join("sealing"))
                .unwrap()
                .map(|e| e.unwrap().path()),
        )
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&f).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", f.display());
    }
    let before = std::fs::read(w.authority.join("root.key")).unwrap();
    tracer()
        .args(["authority", "init", "--out"])
        .arg(&w.authority)
        .args(officer_args(&w.dir))
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("refusing to overwrite"));
    tracer()
        .args(["authority", "officer-init", "--out"])
        .arg(officer_dir(&w.dir, 1))
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("refusing to overwrite"));
    // The root's directory never holds an officer's key.
    for e in std::fs::read_dir(&w.authority).unwrap() {
        let name = e.unwrap().file_name();
        assert!(!name.to_string_lossy().contains("officer"), "{name:?}");
    }
    assert_eq!(std::fs::read(w.authority.join("root.key")).unwrap(), before);
    tracer()
        .args(["keygen", "--out"])
        .arg(&w.key)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap()).unwrap();
}

fn venue_keygen() -> Command {
    let mut c = Command::new(tests::bin_dir().join("venue-keygen"));
    c.env("TZ", "UTC");
    c
}

/// A venue made by the real `venue-keygen new`: its directory and poster.
fn venue_dir(w: &World, name: &str) -> (PathBuf, Poster) {
    let dir = w.dir.join(name.replace(' ', "-"));
    venue_keygen()
        .args(["new", "--name", name, "--address", "1 High St", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let url = std::fs::read_to_string(dir.join("poster.url")).unwrap();
    let p = Poster::from_url_or_payload(url.trim()).unwrap();
    (dir, p)
}

/// The alerts a phone that pins `w`'s trust file would raise for a visit to `p` from `from`
/// to `to`, from every bundle on the server; and how many matching entries it ignored.
fn phone_alerts(w: &World, p: &Poster, from: u64, to: u64) -> (Vec<Alert>, usize) {
    let body: serde_json::Value = serde_json::from_str(
        &ureq::get(format!("{}/v1/bundles?after=0", w.server))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let mut verifier = BundleVerifier::new(trust.root);
    let matcher = Matcher::new(&[Visit::new(p, from, to).unwrap()], 900, trust.emergency).unwrap();
    let mut stats = ScanStats::default();
    let mut alerts = Vec::new();
    for b in body["bundles"].as_array().unwrap() {
        let bytes = base64_decode(b["bundle"].as_str().unwrap());
        let bundle = verifier.verify(&bytes, now()).unwrap();
        alerts.extend(matcher.scan(&bundle, &mut stats));
    }
    (alerts, stats.unapproved)
}

/// The two-party trigger with the real tools: the tracer asks, the venue owner sees what is
/// asked and approves (or refuses), the tracer publishes what was approved; a phone alerts
/// only then, and the alert names the tracer and who approved. Where the venue cannot be
/// reached, a threshold of the authority's emergency officers approves instead; a tracer alone cannot.
#[test]
fn a_notice_alerts_only_once_the_venue_or_a_threshold_of_officers_approves() {
    let w = world();
    let (crown_dir, crown) = venue_dir(&w, "The Crown");
    let (_, mill) = venue_dir(&w, "The Mill");
    let (_, other_dir_poster) = venue_dir(&w, "Elsewhere");
    let to = now() - 600;
    let from = to - 2 * 3600;
    let requests = w.dir.join("requests");
    let request = |p: &Poster, extra: &[&str]| {
        let mut c = tracer();
        c.args(["notify", "request", "--key"]).arg(&w.key).args([
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(from),
            "--to",
            &rfc3339(to),
            "--severity",
            "high",
            "--message",
            "Please book a test.",
        ]);
        c.args(extra);
        c
    };
    request(&crown, &["--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("venue    The Crown"))
        .stdout(predicate::str::contains("message  Please book a test."))
        .stdout(predicate::str::contains("Dry run: no request was written."));
    assert!(!requests.exists());
    request(&crown, &["--out", requests.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("venue-keygen approve"));
    let file = |p: &Poster| {
        requests.join(format!(
            "{}.request.json",
            p.fingerprint().to_lowercase().replace('-', "")
        ))
    };
    let crown_request = file(&crown);
    assert!(crown_request.exists());
    let trust = w.authority.join("trust.txt");
    let approve = |key: &std::path::Path, req: &std::path::Path, out: &std::path::Path| {
        let mut c = venue_keygen();
        c.args(["approve", "--key"])
            .arg(key)
            .arg("--trust")
            .arg(&trust)
            .arg("--in")
            .arg(req)
            .arg("--out")
            .arg(out);
        c
    };
    // The owner reads what is asked and says no: nothing is written.
    let approval = w.dir.join("crown.approval.json");
    approve(&crown_dir.join("venue.key"), &crown_request, &approval)
        .write_stdin("n\n")
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "Tracer \"Tracer One\", certified by Test Health Board",
        ))
        .stdout(predicate::str::contains("Venue      The Crown"))
        .stdout(predicate::str::contains("Severity   HIGH"))
        .stdout(predicate::str::contains("Message    Please book a test."))
        .stdout(predicate::str::contains(
            "Not approved: nothing was written.",
        ));
    assert!(!approval.exists());
    // Another venue's key cannot approve it.
    approve(
        &w.dir.join("Elsewhere").join("venue.key"),
        &crown_request,
        &approval,
    )
    .arg("--yes")
    .assert()
    .failure()
    .stderr(predicate::str::contains("approval_not_own_venue"));
    assert!(!approval.exists());
    let _ = other_dir_poster;

    // A tracer alone: a bundle whose "approval" the tracer signed itself. The server takes it
    // (it cannot read entries), but no phone alerts.
    let id = tracer::keys::load(&w.key).unwrap();
    let statement = ApprovalStatement {
        venue_id: crown.venue_id(),
        cert_digest: protocol::approval::cert_digest(&id.cert),
        start: from,
        end: to,
        severity: Severity::High,
        message: "Please book a test.".into(),
    };
    let forged = protocol::Approval::Venue(statement.sign_as_officer(0, &id.key).signature);
    let entries = protocol::notice::seal_notices(
        &mut rand_core::UnwrapErr(rand::rngs::SysRng),
        &[VenueNotice {
            venue_id: crown.venue_id(),
            payload: statement.clone().into_payload(forged),
        }],
    )
    .unwrap();
    let alone = protocol::notice::sign_bundle(&id.key, &id.cert, now(), &entries).unwrap();
    tracer::post_bundle(&w.server, &alone).unwrap();
    let (alerts, ignored) = phone_alerts(&w, &crown, from + 600, from + 3000);
    assert!(alerts.is_empty(), "a tracer alone made a phone alert");
    assert_eq!(
        ignored,
        hours_covered(from + 600, from + 3000).count(),
        "every entry for an hour of the visit is ignored"
    );

    // The owner approves; the tracer publishes; the phone alerts.
    approve(&crown_dir.join("venue.key"), &crown_request, &approval)
        .write_stdin("y\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Approved."));
    let publish = |approvals: &[&std::path::Path], server: &str| {
        let mut c = tracer();
        c.args(["notify", "publish", "--key"])
            .arg(&w.key)
            .args(["--server", server, "--trust"])
            .arg(&trust);
        for a in approvals {
            c.arg("--approval").arg(a);
        }
        c
    };
    publish(&[&approval], "http://127.0.0.1:9")
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot reach the server"));
    publish(&[&approval], &w.server)
        .assert()
        .success()
        .stdout(predicate::str::contains("approved by the venue"))
        .stdout(predicate::str::contains("sequence number 2."));
    // The same approval again: its bundle would differ (sealing is randomised), so the server
    // could not tell; the tracer's record beside its key stops it, and names the first post.
    publish(&[&approval], &w.server)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "the notice for The Crown was already published",
        ))
        .stderr(predicate::str::contains("as sequence number 2"))
        .stderr(predicate::str::contains("pass --again"));
    publish(&[&approval], &w.server)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("Note: the notice for The Crown"));
    let (alerts, _) = phone_alerts(&w, &crown, from + 600, from + 3000);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].notice.message, "Please book a test.");
    assert_eq!(alerts[0].issuer, "Tracer One");
    assert_eq!(alerts[0].approver, Approver::Venue);

    // An approval edited after signing (a longer window) is refused before posting.
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&approval).unwrap()).unwrap();
    edited["request"]["start"] = serde_json::json!(from - 3600);
    let edited_path = w.dir.join("edited.json");
    std::fs::write(&edited_path, edited.to_string()).unwrap();
    publish(&[&edited_path], &w.server)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "ask the venue to approve it again",
        ));

    // The Mill cannot be reached: two of the authority's three emergency officers approve in
    // its place, each with their own key, and their approvals are joined.
    request(&mill, &["--out", requests.to_str().unwrap()])
        .assert()
        .success();
    let mill_approval = w.dir.join("mill.approval.json");
    let mut shares = Vec::new();
    for i in [1, 3] {
        let share = w.dir.join(format!("mill.officer{i}.json"));
        tracer()
            .args(["authority", "approve", "--officer"])
            .arg(officer_dir(&w.dir, i))
            .arg("--trust")
            .arg(w.authority.join("trust.txt"))
            .arg("--in")
            .arg(file(&mill))
            .arg("--out")
            .arg(&share)
            .arg("--yes")
            .assert()
            .success()
            .stdout(predicate::str::contains("in place of the venue"));
        shares.push(share);
    }
    tracer()
        .args(["authority", "combine", "--trust"])
        .arg(w.authority.join("trust.txt"))
        .args([
            "--in",
            shares[0].to_str().unwrap(),
            "--in",
            shares[1].to_str().unwrap(),
        ])
        .arg("--out")
        .arg(&mill_approval)
        .assert()
        .success();
    publish(&[&mill_approval], &w.server)
        .assert()
        .success()
        .stdout(predicate::str::contains("approved by the authority"));
    let (alerts, _) = phone_alerts(&w, &mill, from + 600, from + 3000);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].approver, Approver::Authority);

    // Another tracer cannot publish an approval made for this one.
    let k2 = w.dir.join("k2");
    tracer()
        .args(["keygen", "--out"])
        .arg(&k2)
        .assert()
        .success();
    tracer()
        .args(["authority", "certify", "--authority"])
        .arg(&w.authority)
        .arg("--tracer-pub")
        .arg(k2.join("tracer.pub"))
        .args(["--name", "Tracer Two", "--role", "publish"])
        .assert()
        .success();
    tracer()
        .args(["notify", "publish", "--key"])
        .arg(&k2)
        .args(["--server", &w.server, "--trust"])
        .arg(&trust)
        .arg("--approval")
        .arg(&approval)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "only the tracer who asked can publish it",
        ));
}

/// Publishing and querying are separate roles: a publish-only tracer cannot fetch vault
/// records and a query-only one cannot ask for approvals; the tools say so before anything
/// is signed or sent (issue 14).
#[test]
fn publish_and_query_are_separate_roles() {
    let w = world();
    let (_, p) = venue("V");
    let t = now();
    let certify = |dir: &str, role: &str| {
        let k = w.dir.join(dir);
        tracer()
            .args(["keygen", "--out"])
            .arg(&k)
            .assert()
            .success();
        tracer()
            .args(["authority", "certify", "--authority"])
            .arg(&w.authority)
            .arg("--tracer-pub")
            .arg(k.join("tracer.pub"))
            .args(["--name", dir, "--role", role])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("role {role}")));
        k
    };
    let publisher = certify("publisher", "publish");
    let officer = certify("officer", "query");
    tracer()
        .args(["vault", "fetch", "--key"])
        .arg(&publisher)
        .args([
            "--server",
            &w.server,
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--out",
        ])
        .arg(w.dir.join("req.json"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("has the publish role only"));
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&officer)
        .args([
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--severity",
            "low",
            "--message",
            "m",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("has the query role only"));
    // The server holds the same line for a query signed under a publish-only certificate.
    let id = tracer::keys::load(&publisher).unwrap();
    let tags = [vault_file_tag(&p.venue_id(), hour_of(t))];
    let q = protocol::query::sign_query(
        &mut rand_core::UnwrapErr(rand::rngs::SysRng),
        &id.key,
        &id.cert,
        t,
        &tags,
    )
    .unwrap();
    let err = tracer::post_json::<_, api::http::QueryAnswer>(
        &w.server,
        "/v1/vault/query",
        &api::http::PostQuery {
            query: base64_encode(&q),
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, tracer::Error::Refused { status: 403, error, .. } if error == "query_certificate_cannot_query"),
        "{err}"
    );
}

/// A venue owner is stopped before approving a request whose tracer the pinned authority
/// never certified.
#[test]
fn a_request_from_an_uncertified_tracer_is_not_approved() {
    let w = world();
    let (dir, p) = venue_dir(&w, "The Crown");
    let other = w.dir.join("other-authority");
    tracer()
        .args(["authority", "init", "--out"])
        .arg(&other)
        .args(officer_args(&w.dir))
        .assert()
        .success();
    let k2 = w.dir.join("k2");
    tracer()
        .args(["keygen", "--out"])
        .arg(&k2)
        .assert()
        .success();
    tracer()
        .args(["authority", "certify", "--authority"])
        .arg(&other)
        .arg("--tracer-pub")
        .arg(k2.join("tracer.pub"))
        .args(["--name", "Impostor", "--days", "1", "--role", "publish"])
        .assert()
        .success();
    let t = now();
    let requests = w.dir.join("requests");
    tracer()
        .args(["notify", "request", "--key"])
        .arg(&k2)
        .args([
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--severity",
            "low",
            "--message",
            "m",
            "--out",
        ])
        .arg(&requests)
        .assert()
        .success();
    let req = std::fs::read_dir(&requests)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    venue_keygen()
        .args(["approve", "--yes", "--key"])
        .arg(dir.join("venue.key"))
        .arg("--trust")
        .arg(w.authority.join("trust.txt"))
        .arg("--in")
        .arg(&req)
        .arg("--out")
        .arg(w.dir.join("approval.json"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "was not issued by Test Health Board",
        ));
    assert!(!w.dir.join("approval.json").exists());
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[test]
fn bad_windows_and_keys_are_refused_before_anything_is_posted() {
    let w = world();
    let (_, p) = venue("V");
    let payload = p.payload();
    let t = now();
    let run = |from: u64, to: u64, extra: &[&str], msg: &str| {
        tracer()
            .args(["notify", "request", "--dry-run", "--key"])
            .arg(&w.key)
            .args([
                "--poster",
                &payload,
                "--from",
                &rfc3339(from),
                "--to",
                &rfc3339(to),
                "--severity",
                "low",
                "--message",
                "m",
            ])
            .args(extra)
            .assert()
            .failure()
            .code(1)
            .stderr(predicate::str::contains(msg));
    };
    run(t - 3600, t - 7200, &[], "--from must be before --to");
    run(t - 3600, t + 7200, &[], "--to is in the future");
    run(
        t - 15 * 86_400,
        t - 14 * 86_400,
        &[],
        "more than 14 days ago",
    );
    run(t - 30 * 3600, t - 3600, &[], "needs --long");
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&w.key)
        .args([
            "--poster",
            &payload,
            "--from",
            "yesterday",
            "--to",
            &rfc3339(t - 60),
            "--severity",
            "low",
            "--message",
            "m",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("'yesterday' is not a time"));
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&w.key)
        .args([
            "--poster",
            "https://example.org/menu",
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--severity",
            "low",
            "--message",
            "m",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a poster URL"));
    // A key without a certificate, and a server that is down.
    let bare = w.dir.join("bare");
    tracer()
        .args(["keygen", "--out"])
        .arg(&bare)
        .assert()
        .success();
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&bare)
        .args([
            "--poster",
            &payload,
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--severity",
            "low",
            "--message",
            "m",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("tracer.cert is missing"));
}

#[test]
fn an_expired_certificate_is_refused_before_anything_is_sent() {
    let w = world();
    let (_, p) = venue("V");
    let auth = tracer::authority::load(&w.authority).unwrap();
    let key = tracer::keys::load(&w.key).unwrap();
    let t = now();
    let expired = Certificate::issue(
        &auth.root,
        &key.key.verifying_key(),
        "Tracer One",
        t - 10 * 86_400,
        t - 86_400,
    )
    .unwrap();
    tracer::keys::write_cert(&w.key.join("tracer.cert"), &expired, true).unwrap();
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&w.key)
        .args([
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--severity",
            "low",
            "--message",
            "m",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("certificate is not valid now"));
    // The server refuses a vault query signed under it too. (--key names the key file here,
    // as venue-keygen's does: its certificate is read from beside it.)
    tracer()
        .args(["vault", "fetch", "--key"])
        .arg(w.key.join("tracer.key"))
        .args([
            "--server",
            &w.server,
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(t - 7200),
            "--to",
            &rfc3339(t - 60),
            "--out",
        ])
        .arg(w.dir.join("req.json"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("cert_not_valid_at"));
    assert!(!w.dir.join("req.json").exists());
}

/// `tracer case fetch` takes the code the citizen reads out, fetches by the code's id, and
/// keeps only the file the phone bound to that code (spec section 16.1): a file the server
/// swapped in, under the phone's tag or a tag of its own, is refused in words with
/// `case_code_mismatch` and nothing is saved; the phone's own file is saved.
#[test]
fn case_fetch_refuses_a_file_the_server_swapped_and_saves_the_phones() {
    let w = world();
    let (_, crown) = venue("The Crown");
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let t = now() - 3 * 3600;
    let seal = |rng: &mut rand_core::UnwrapErr<rand::rngs::SysRng>, n: u64| {
        CaseDiary {
            created_at: now(),
            visits: (0..n)
                .map(|i| CaseVisit {
                    poster: crown.clone(),
                    arrival: t + i * 60,
                    departure: t + i * 60 + 30,
                })
                .collect(),
        }
        .seal(rng, &trust.case)
        .unwrap()
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post_case = |code: &CaseCode, file: &[u8], tag: &[u8]| {
        let body = serde_json::json!({
            "case": base64_encode(file),
            "id": base64_encode(&code.id()),
            "tag": base64_encode(tag),
        });
        let r = agent
            .post(format!("{}/v1/cases", w.server))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    };
    let phones = seal(&mut rng, 1);
    let fabricated = seal(&mut rng, 5);
    let other = CaseCode::generate(&mut rng);
    for (i, tag) in [
        CaseCode::generate(&mut rng).tag(&phones),
        other.tag(&fabricated),
    ]
    .iter()
    .enumerate()
    {
        let code = CaseCode::generate(&mut rng);
        // What the server hands out under the phone's id is not the phone's file.
        post_case(&code, &fabricated, tag);
        let out = w.dir.join(format!("swapped{i}.bin"));
        tracer()
            .args([
                "case",
                "fetch",
                &code.to_string(),
                "--server",
                &w.server,
                "--out",
            ])
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains("case_code_mismatch"))
            .stderr(predicate::str::contains(
                "not the file the citizen's phone sent",
            ));
        assert!(!out.exists(), "a swapped file was saved");
    }
    let code = CaseCode::generate(&mut rng);
    post_case(&code, &phones, &code.tag(&phones));
    let out = w.dir.join("phones.bin");
    tracer()
        .args([
            "case",
            "fetch",
            &code.to_string().to_lowercase(),
            "--server",
            &w.server,
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(&out).unwrap(), phones);
    tracer()
        .args([
            "case",
            "fetch",
            "ABCD-EFGH-JKLM",
            "--server",
            &w.server,
            "--out",
        ])
        .arg(w.dir.join("short.bin"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("16 letters and digits"));
}

#[test]
fn case_review_and_notify_picked_venues() {
    let w = world();
    let (_, a) = venue("Café Zürich");
    let (_, b) = venue("東京ラーメン");
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let t = now() - 3 * 3600;
    let diary = CaseDiary {
        created_at: now(),
        visits: vec![
            CaseVisit {
                poster: a.clone(),
                arrival: t,
                departure: t + 3600,
            },
            CaseVisit {
                poster: b.clone(),
                arrival: t + 5400,
                departure: t + 7200,
            },
        ],
    };
    let case = w.dir.join("case.bin");
    std::fs::write(
        &case,
        diary
            .seal(&mut rand_core::UnwrapErr(rand::rngs::SysRng), &trust.case)
            .unwrap(),
    )
    .unwrap();
    // Case review needs only the case key and the trust file: not the root key, and not the
    // sealing keys that open contact records. The sealing keys alone do not open it.
    let records_desk = w.dir.join("records-desk");
    copy_dir(&w.authority.join("sealing"), &records_desk.join("sealing"));
    std::fs::copy(
        w.authority.join("trust.txt"),
        records_desk.join("trust.txt"),
    )
    .unwrap();
    tracer()
        .args(["case", "open"])
        .arg(&case)
        .arg("--authority")
        .arg(&records_desk)
        .assert()
        .failure()
        .stderr(predicate::str::contains("case.key"));
    let workstation = w.dir.join("case-workstation");
    std::fs::create_dir(&workstation).unwrap();
    for f in ["case.key", "trust.txt"] {
        std::fs::copy(w.authority.join(f), workstation.join(f)).unwrap();
    }
    tracer()
        .args(["case", "open"])
        .arg(&case)
        .arg("--authority")
        .arg(&workstation)
        .args(["--tz", "UTC"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 check-in(s)"))
        .stdout(predicate::str::contains("  1. Café Zürich"))
        .stdout(predicate::str::contains("  2. 東京ラーメン"));
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&w.key)
        .arg("--case")
        .arg(&case)
        .arg("--authority")
        .arg(&w.authority)
        .args([
            "--pick",
            "2",
            "--from",
            &rfc3339(t + 5400),
            "--to",
            &rfc3339(t + 7200),
            "--severity",
            "low",
            "--message",
            "Watch for symptoms.",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("venue    東京ラーメン"))
        .stdout(predicate::str::contains("Café Zürich").not());
    tracer()
        .args(["notify", "request", "--dry-run", "--key"])
        .arg(&w.key)
        .arg("--case")
        .arg(&case)
        .arg("--authority")
        .arg(&w.authority)
        .args([
            "--pick",
            "3",
            "--from",
            &rfc3339(t),
            "--to",
            &rfc3339(t + 60),
            "--severity",
            "low",
            "--message",
            "x",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no check-in number 3"));
    // A case sealed to another authority.
    let other = w.dir.join("other");
    tracer()
        .args(["authority", "init", "--out"])
        .arg(&other)
        .args(officer_args(&w.dir))
        .assert()
        .success();
    tracer()
        .args(["case", "open"])
        .arg(&case)
        .arg("--authority")
        .arg(&other)
        .assert()
        .failure()
        .stderr(predicate::str::contains("sealed to another authority"));
}

#[test]
fn vault_fetch_unwrap_open_yields_exactly_the_consented_contacts() {
    let w = world();
    let (venue_secret, p) = venue("The Crown");
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let base = (now() / 3600 - 6) * 3600;
    let contact = |name: &str, arr: u64, dep: u64| ContactRecord {
        name: name.into(),
        phone: "+44 7700 900111".into(),
        email: format!("{}@example.org", name.to_lowercase()),
        party_size: 2,
        arrival: arr,
        departure: dep,
    };
    let ada = contact("Ada", base + 600, base + 3600 + 2400); // inside, spans two hours
    let bob = contact("Bob", base + 4 * 3600, base + 5 * 3600); // later, outside the window
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    // A venue of The Crown's vault bucket (1 in 1024 venues): its records are filed under the
    // same tags, so the tracer's query returns them too, and The Crown cannot open them.
    let (_, anchor) = loop {
        let v = venue("The Anchor");
        if protocol::derive::vault_bucket(&v.1.venue_id())
            == protocol::derive::vault_bucket(&p.venue_id())
        {
            break v;
        }
    };
    let cy = contact("Cy", base + 600, base + 1200); // inside the window, at The Anchor
    for (c, venue) in [(&ada, &p), (&bob, &p), (&cy, &anchor)] {
        for r in seal_visit(&mut rng, venue, &trust, c).unwrap() {
            let body = serde_json::json!({"record": base64_encode(&r)}).to_string();
            let res = agent
                .post(format!("{}/v1/vault", w.server))
                .header("content-type", "application/json")
                .send(body)
                .unwrap();
            assert_eq!(res.status(), 201);
        }
    }
    let request = w.dir.join("request.json");
    tracer()
        .args(["vault", "fetch", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            &w.server,
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(base),
            "--to",
            &rfc3339(base + 2 * 3600),
            "--out",
        ])
        .arg(&request)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "filed under the venue's bucket from the first day of 2 hour(s) to today",
        ));
    let fetched: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&request).unwrap()).unwrap();
    let fetched = fetched["records"].as_array().unwrap().len();
    // Ada's two, Cy's one, and Bob's when his hour falls on the same day.
    assert!((3..=4).contains(&fetched), "{fetched}");
    // The venue owner's step, offline, with venue-keygen's own code.
    let key_file = venue_keygen::files::VenueKeyFile {
        secret: venue_secret,
        poster: p.clone(),
        base_url: String::new(),
    };
    let bytes = std::fs::read(&request).unwrap();
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let checked = venue_keygen::vault::check_request(
        &key_file,
        std::path::Path::new("request.json"),
        &bytes,
        &trust,
        now(),
    )
    .unwrap();
    assert_eq!(checked.certificate.name(), "Tracer One");
    let (response, summary) = venue_keygen::vault::unwrap_checked(&key_file, &checked, &bytes);
    assert_eq!(summary.stripped, 2);
    assert_eq!(
        summary.not_this_venue,
        fetched - 2,
        "Cy's and Bob's stay sealed"
    );
    let resp_path = w.dir.join("response.json");
    std::fs::write(&resp_path, serde_json::to_vec(&response).unwrap()).unwrap();
    let csv = w.dir.join("contacts.csv");
    // Opening needs the sealing key and the trust file only: the workstation that opens
    // records holds no root key (issue 15, key custody).
    let workstation = w.dir.join("workstation");
    copy_dir(&w.authority.join("sealing"), &workstation.join("sealing"));
    std::fs::copy(w.authority.join("trust.txt"), workstation.join("trust.txt")).unwrap();
    tracer()
        .args(["vault", "open", "--authority"])
        .arg(&workstation)
        .arg("--request")
        .arg(&request)
        .arg("--in")
        .arg(&resp_path)
        .arg("--csv")
        .arg(&csv)
        .args(["--tz", "UTC"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Opened 1 contact(s)"));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("name,phone,email,party_size,arrival,departure\n"),
        "{text}"
    );
    assert!(
        text.contains("Ada,+44 7700 900111,ada@example.org,2,"),
        "{text}"
    );
    assert!(!text.contains("Bob"), "{text}");
    assert_eq!(
        text.lines().count(),
        2,
        "one visit, even though it spans two hours: {text}"
    );
    // The CSV is not overwritten, and a response to another request is refused.
    tracer()
        .args(["vault", "open", "--authority"])
        .arg(&w.authority)
        .arg("--request")
        .arg(&request)
        .arg("--in")
        .arg(&resp_path)
        .arg("--csv")
        .arg(&csv)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    let other_req = w.dir.join("other-request.json");
    tracer()
        .args(["vault", "fetch", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            &w.server,
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(base),
            "--to",
            &rfc3339(base + 3600),
            "--out",
        ])
        .arg(&other_req)
        .assert()
        .success();
    tracer()
        .args(["vault", "open", "--authority"])
        .arg(&w.authority)
        .arg("--request")
        .arg(&other_req)
        .arg("--in")
        .arg(&resp_path)
        .arg("--csv")
        .arg(w.dir.join("x.csv"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not answer"));
    assert!(!w.dir.join("x.csv").exists());
    // The wrong authority opens nothing.
    let other = w.dir.join("other-auth");
    tracer()
        .args(["authority", "init", "--out"])
        .arg(&other)
        .args(officer_args(&w.dir))
        .assert()
        .success();
    tracer()
        .args(["vault", "open", "--authority"])
        .arg(&other)
        .arg("--request")
        .arg(&request)
        .arg("--in")
        .arg(&resp_path)
        .arg("--csv")
        .arg(w.dir.join("y.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Opened 0 contact(s)"))
        .stdout(predicate::str::contains("does not decrypt"));
}

/// A server answers a vault query with at most `max_query_records` records, and anyone can
/// upload junk under a venue's file tag (uploads are anonymous): `vault fetch` then refuses
/// the partial answer and writes nothing, instead of handing the venue a request that silently
/// lacks the record the tracer is looking for.
#[test]
fn a_vault_answer_cut_short_by_junk_records_is_refused_not_passed_on() {
    let w = world();
    let server = common::server_with(
        &w.dir.join("small"),
        &w.authority.join("trust.txt"),
        &[("max_query_records", 5)],
    );
    let (_, p) = venue("The Crown");
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let hour = now() / 3600 - 3;
    let ada = ContactRecord {
        name: "Ada".into(),
        phone: "+44 7700 900111".into(),
        email: String::new(),
        party_size: 1,
        arrival: hour * 3600 + 600,
        departure: hour * 3600 + 1800,
    };
    let mut records = seal_visit(&mut rng, &p, &trust, &ada).unwrap();
    assert_eq!(records.len(), 1);
    // Thirty junk records of the right length under the venue's file tag for that hour.
    let tag = vault_file_tag(&p.venue_id(), hour);
    for _ in 0..30 {
        let mut junk = [0u8; protocol::vault::RECORD_LEN];
        rand::Rng::fill_bytes(&mut rng, &mut junk);
        junk[..tag.len()].copy_from_slice(&tag);
        records.push(junk);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for r in &records {
        let body = serde_json::json!({"record": base64_encode(r)}).to_string();
        let res = agent
            .post(format!("{server}/v1/vault"))
            .header("content-type", "application/json")
            .send(body)
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let request = w.dir.join("request.json");
    tracer()
        .args(["vault", "fetch", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            &server,
            "--poster",
            &p.payload(),
            "--from",
            &rfc3339(hour * 3600),
            "--to",
            &rfc3339(hour * 3600 + 3600),
            "--out",
        ])
        .arg(&request)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "the server sent 5 vault records and says more matched",
        ))
        .stderr(predicate::str::contains("nothing was written"))
        .stderr(predicate::str::contains("max_query_records"));
    assert!(!request.exists(), "no request file that lacks records");
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The server URL is checked before anything is built or signed (issue 18, item 9).
#[test]
fn a_bad_server_url_is_refused_first() {
    let t = tempfile::TempDir::new().unwrap();
    assert_cmd::Command::new(tests::bin_dir().join("tracer"))
        .current_dir(t.path())
        .args([
            "notify",
            "publish",
            "--key",
            "no-such-key",
            "--server",
            "127.0.0.1:8000",
            "--trust",
            "no-such-trust",
            "--approval",
            "no-such-approval",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "'127.0.0.1:8000' is not a notify server URL",
        ));
}

/// `notify` stops the tracer before a mistake: an empty message, a window outside the
/// poster's validity; warns about a venue given twice; and with --case, gives each picked
/// venue the window of its own check-in, or warns when one window reaches far beyond it
/// (issue 18, item 10).
#[test]
fn notify_plans_each_venue_and_stops_mistakes() {
    let w = world();
    let (_, a) = venue("Café Zürich");
    let (_, b) = venue("The Crown");
    let t = now() - 6 * 3600;
    let notify = |extra: &[&str]| {
        let mut c = tracer();
        c.args(["notify", "request", "--dry-run", "--tz", "UTC", "--key"])
            .arg(&w.key)
            .args(["--severity", "low"])
            .args(extra);
        c.assert()
    };
    let window = ["--from", &rfc3339(t), "--to", &rfc3339(t + 3600)];
    // An empty message.
    notify(
        &[
            &["--poster", &a.payload(), "--message", "  "][..],
            &window[..],
        ]
        .concat(),
    )
    .failure()
    .stderr(predicate::str::contains("--message is empty"));
    // The same poster twice: notified once, with a warning.
    notify(
        &[
            &[
                "--poster",
                &a.payload(),
                "--poster",
                &a.payload(),
                "--message",
                "m",
            ][..],
            &window[..],
        ]
        .concat(),
    )
    .success()
    .stderr(predicate::str::contains(
        "tracer: warning: Café Zürich was given twice; it is notified once",
    ))
    .stdout(predicate::str::contains("venue    Café Zürich").count(1));
    // A window after the poster expired.
    let secret = VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let expired = Poster::sign(
        &secret.keys(),
        PosterInfo {
            name: "Old Poster".into(),
            address: "1 High St".into(),
            category: "pub".into(),
            default_stay_minutes: 60,
            validity: Some(protocol::poster::Validity {
                from: t - 86_400,
                until: t - 3600,
            }),
        },
    )
    .unwrap();
    notify(
        &[
            &["--poster", &expired.payload(), "--message", "m"][..],
            &window[..],
        ]
        .concat(),
    )
    .failure()
    .stderr(predicate::str::contains(
        "Old Poster: the window lies wholly outside the poster's validity",
    ));

    // A case with check-ins 10–11 and 14–15 (relative to t): each picked venue gets its own.
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let diary = CaseDiary {
        created_at: now(),
        visits: vec![
            CaseVisit {
                poster: a.clone(),
                arrival: t,
                departure: t + 3600,
            },
            CaseVisit {
                poster: b.clone(),
                arrival: t + 4 * 3600,
                departure: t + 5 * 3600,
            },
        ],
    };
    let case = w.dir.join("case.bin");
    std::fs::write(
        &case,
        diary
            .seal(&mut rand_core::UnwrapErr(rand::rngs::SysRng), &trust.case)
            .unwrap(),
    )
    .unwrap();
    let show = |x: u64| ::common::time::show(x, &jiff::tz::TimeZone::UTC);
    let case_args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = vec![
            "--case".into(),
            case.to_string_lossy().into_owned(),
            "--authority".into(),
            w.authority.to_string_lossy().into_owned(),
            "--pick".into(),
            "1,2".into(),
            "--message".into(),
            "m".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let args = case_args(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    notify(&args)
        .success()
        .stdout(predicate::str::contains(format!(
            "window {} to {}",
            show(t - 1800),
            show(t + 3600 + 3600)
        )))
        .stdout(predicate::str::contains(format!(
            "window {} to {}",
            show(t + 4 * 3600 - 1800),
            show(t + 5 * 3600 + 3600)
        )))
        .stderr(predicate::str::contains("warning").not());
    // One window for both, 08–16 against check-ins 10–11 and 14–15: warned for each.
    let from = rfc3339(t - 2 * 3600 - 60);
    let to = rfc3339(t + 6 * 3600);
    let args = case_args(&["--from", &from, "--to", &to]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    notify(&args)
        .success()
        .stderr(predicate::str::contains(
            "tracer: warning: Café Zürich: the window",
        ))
        .stderr(predicate::str::contains(
            "tracer: warning: The Crown: the window",
        ));
}

/// Tracer certificates are short-lived by default (30 days) and never longer than 90, so that
/// a lost or stolen tracer key stops working soon (issue 14).
#[test]
fn certificates_are_short_lived() {
    let w = world();
    let certify = |extra: &[&str]| {
        let mut c = tracer();
        c.args(["authority", "certify", "--authority"])
            .arg(&w.authority)
            .arg("--tracer-pub")
            .arg(w.key.join("tracer.pub"))
            .args(["--name", "Tracer Two", "--role", "publish", "--out"])
            .arg(w.dir.join("two.cert"))
            .args(extra);
        c.assert()
    };
    certify(&["--days", "400"])
        .failure()
        .stderr(predicate::str::contains("--days must be 1 to 90"));
    tracer()
        .args(["authority", "certify", "--authority"])
        .arg(&w.authority)
        .arg("--tracer-pub")
        .arg(w.key.join("tracer.pub"))
        .args(["--name", "Tracer Two", "--out"])
        .arg(w.dir.join("two.cert"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--role"));
    assert!(!w.dir.join("two.cert").exists());
    certify(&[]).success().stdout(predicate::str::contains(
        "Certified \"Tracer Two\" for 30 days",
    ));
    let text = std::fs::read_to_string(w.dir.join("two.cert")).unwrap();
    let b64 = text.lines().find_map(|l| l.strip_prefix("cert: ")).unwrap();
    use base64::Engine as _;
    let cert = Certificate::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64.trim())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(cert.not_after() - cert.not_before(), 30 * 86_400);
}

/// A venue owner (and the authority's emergency path) refuses to approve for a tracer whose
/// key the authority revoked: `venue-keygen approve --server` fetches the list the server
/// holds and checks it under the pinned root; `tracer authority approve` checks the
/// authority's own `revocations.bin`.
#[test]
fn approvers_refuse_a_revoked_tracer() {
    let w = world();
    let (crown_dir, crown) = venue_dir(&w, "The Crown");
    let to = now() - 600;
    let from = to - 3600;
    let requests = w.dir.join("requests");
    tracer()
        .args(["notify", "request", "--key"])
        .arg(&w.key)
        .args(["--poster", &crown.payload(), "--from", &rfc3339(from)])
        .args([
            "--to",
            &rfc3339(to),
            "--severity",
            "low",
            "--message",
            "Get tested.",
            "--out",
        ])
        .arg(&requests)
        .assert()
        .success();
    let request = requests.join(format!(
        "{}.request.json",
        crown.fingerprint().to_lowercase().replace('-', "")
    ));
    let trust = w.authority.join("trust.txt");
    let approval = w.dir.join("approval.json");
    let approve = |extra: &[&str]| {
        let mut c = venue_keygen();
        c.args(["approve", "--key"])
            .arg(crown_dir.join("venue.key"))
            .arg("--trust")
            .arg(&trust)
            .arg("--in")
            .arg(&request)
            .arg("--out")
            .arg(&approval)
            .args(["--yes", "--force"])
            .args(extra);
        c
    };
    // Before any revocation: the server holds no list, and the owner is told so.
    approve(&["--server", &w.server])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the server holds no revocation list",
        ));
    // Without a source the check cannot happen: the owner is told how to make it.
    approve(&[])
        .assert()
        .success()
        .stderr(predicate::str::contains("not checked against"));

    tracer()
        .args(["authority", "revoke", "--authority"])
        .arg(&w.authority)
        .arg("--tracer-pub")
        .arg(w.key.join("tracer.pub"))
        .args(["--server", &w.server])
        .assert()
        .success();
    std::fs::remove_file(&approval).unwrap();
    approve(&["--server", &w.server])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "has revoked the key of the tracer 'Tracer One'",
        ));
    assert!(
        !approval.exists(),
        "nothing is written for a revoked tracer"
    );
    approve(&[
        "--revocations",
        w.authority.join("revocations.bin").to_str().unwrap(),
    ])
    .assert()
    .failure()
    .stderr(predicate::str::contains("has revoked the key"));
    // A list another root signed is not the authority's: refused, not trusted.
    let forged = w.dir.join("forged.bin");
    let mut bytes = std::fs::read(w.authority.join("revocations.bin")).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    std::fs::write(&forged, bytes).unwrap();
    approve(&["--revocations", forged.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "not a revocation list of the authority",
        ));
    assert!(!approval.exists());
    tracer()
        .args(["authority", "approve", "--officer"])
        .arg(officer_dir(&w.dir, 1))
        .arg("--trust")
        .arg(w.authority.join("trust.txt"))
        .arg("--revocations")
        .arg(w.authority.join("revocations.bin"))
        .arg("--in")
        .arg(&request)
        .arg("--out")
        .arg(&approval)
        .arg("--yes")
        .assert()
        .failure()
        .stderr(predicate::str::contains("has revoked the key"));
    assert!(!approval.exists());
}

/// Issue 15, key custody: `tracer authority rotate` destroys each month's sealing key once its
/// records' retention has passed, after which a record sealed in that month no longer opens,
/// and adds months ahead; the root and case keys and the emergency officers stay as they were.
#[test]
fn rotation_destroys_expired_sealing_keys_and_their_records_stay_closed() {
    let t = TempDir::new().unwrap();
    let dir = t.path().join("authority");
    // An authority made 100 days ago with two months of sealing keys: both months ended
    // more than 21 days ago.
    let made = now() - 100 * 86_400;
    let officers = protocol::EmergencyOfficers::new(
        [1u8, 2]
            .map(|b| Ed25519Secret::from_bytes([b; 32]).verifying_key())
            .to_vec(),
        2,
    )
    .unwrap();
    let trust = tracer::authority::init_at(&dir, "Board", made, 2, officers).unwrap();
    let (venue, poster) = venue("Old Pub");
    let contact = ContactRecord {
        name: "Ada".into(),
        phone: "+44 7700 900111".into(),
        email: String::new(),
        party_size: 1,
        arrival: made,
        departure: made + 1800,
    };
    let record = seal_visit(
        &mut rand_core::UnwrapErr(rand::rngs::SysRng),
        &poster,
        &trust,
        &contact,
    )
    .unwrap()
    .remove(0);
    let hour = made / 3600;
    let tag = protocol::derive::vault_tag(&poster.venue_id(), hour);
    let inner = protocol::vault::strip_outer(&venue.keys(), &[tag], &record).unwrap();
    let (keys, _) = tracer::authority::load_sealing(&dir).unwrap();
    assert_eq!(
        protocol::vault::open_inner(keys.for_hour(hour).unwrap(), &inner).unwrap(),
        contact
    );
    let old_files: Vec<PathBuf> = std::fs::read_dir(dir.join("sealing"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(old_files.len(), 2);
    let fixed: Vec<Vec<u8>> = ["root.key", "case.key"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();

    let out = tracer()
        .args(["authority", "rotate", "--ahead", "2", "--authority"])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches("Destroyed the sealing key").count(), 2, "{out}");
    assert!(out.contains("Added a sealing key"), "{out}");
    assert!(out.contains("trust.txt changed"), "{out}");
    for f in &old_files {
        assert!(!f.exists(), "{} survived", f.display());
    }
    let rotated =
        TrustAnchor::parse(&std::fs::read_to_string(dir.join("trust.txt")).unwrap()).unwrap();
    assert!(rotated.sealing_key_at(now()).is_some());
    assert!(rotated.sealing_key_at(made).is_none());
    // The root signed the new file with the next serial, so phones take it in place of the old.
    assert_eq!(rotated.serial, trust.serial + 1);
    rotated.check_replaces(&trust).unwrap();
    let (keys, _) = tracer::authority::load_sealing(&dir).unwrap();
    let why = keys.for_hour(hour).map(|_| ()).unwrap_err();
    assert!(why.contains("destroyed"), "{why}");
    for (f, before) in ["root.key", "case.key"].iter().zip(&fixed) {
        assert_eq!(&std::fs::read(dir.join(f)).unwrap(), before, "{f}");
    }
    tracer::authority::load(&dir).unwrap();
    tracer::authority::load_case(&dir).unwrap();

    // A second run has nothing to do.
    tracer()
        .args(["authority", "rotate", "--ahead", "2", "--authority"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to rotate"));
}

#[test]
fn case_open_given_a_poster_says_it_expected_a_case_file() {
    let w = world();
    let (dir, _) = venue_dir(&w, "The Crown");
    for (file, given) in [
        (
            "poster.png",
            "it is a PNG image (a printed poster's picture?), not a case file",
        ),
        (
            "poster.url",
            "it is a venue poster's URL or code, not a case file",
        ),
    ] {
        tracer()
            .args(["case", "open"])
            .arg(dir.join(file))
            .arg("--authority")
            .arg(&w.authority)
            .assert()
            .failure()
            .stderr(predicate::str::contains(given))
            .stderr(predicate::str::contains("file_wrong_kind"))
            .stderr(predicate::str::contains("format version").not());
    }
    // A file that is no known kind at all is still refused as a case file, by its length.
    let short = w.dir.join("short.bin");
    std::fs::write(&short, [2u8; 1049]).unwrap();
    tracer()
        .args(["case", "open"])
        .arg(&short)
        .arg("--authority")
        .arg(&w.authority)
        .assert()
        .failure()
        .stderr(predicate::str::contains("case_truncated"));
}

/// No single party makes phones alert: with the authority's trust file and one emergency
/// officer's key, a tracer cannot make a phone alert for a venue that was never asked, not
/// through the tools (publishing and joining refuse one officer's approval, in words) nor by
/// forging a bundle with that one officer's signature (phones open it and ignore it); two of
/// the three officers, each signing on their own, can.
#[test]
fn one_emergency_officer_alone_cannot_make_a_phone_alert_and_the_threshold_can() {
    let w = world();
    let (_, mill) = venue_dir(&w, "The Mill");
    let to = now() - 600;
    let from = to - 2 * 3600;
    let requests = w.dir.join("requests");
    tracer()
        .args(["notify", "request", "--key"])
        .arg(&w.key)
        .args([
            "--poster",
            &mill.payload(),
            "--from",
            &rfc3339(from),
            "--to",
            &rfc3339(to),
            "--severity",
            "high",
            "--message",
            "Please book a test.",
            "--out",
            requests.to_str().unwrap(),
        ])
        .assert()
        .success();
    let request = requests.join(format!(
        "{}.request.json",
        mill.fingerprint().to_lowercase().replace('-', "")
    ));
    let trust = w.authority.join("trust.txt");
    let approve = |i: usize| {
        let out = w.dir.join(format!("officer{i}.approval.json"));
        tracer()
            .args(["authority", "approve", "--officer"])
            .arg(officer_dir(&w.dir, i))
            .arg("--trust")
            .arg(&trust)
            .arg("--in")
            .arg(&request)
            .arg("--out")
            .arg(&out)
            .arg("--yes")
            .assert()
            .success()
            .stdout(predicate::str::contains("Your approval alone"));
        out
    };
    let publish = |approval: &Path| {
        let mut c = tracer();
        c.args(["notify", "publish", "--key"])
            .arg(&w.key)
            .args(["--server", &w.server, "--trust"])
            .arg(&trust)
            .arg("--approval")
            .arg(approval);
        c
    };
    let combine = |inputs: &[&Path], out: &Path| {
        let mut c = tracer();
        c.args(["authority", "combine", "--trust"]).arg(&trust);
        for i in inputs {
            c.arg("--in").arg(i);
        }
        c.arg("--out").arg(out);
        c
    };

    // One officer alone: the tracer's tool refuses to publish it, and joining it refuses too.
    let one = approve(2);
    publish(&one)
        .assert()
        .failure()
        .stderr(predicate::str::contains("approval_too_few_officers"))
        .stderr(predicate::str::contains("one officer alone cannot approve"));
    let joined = w.dir.join("joined.json");
    combine(&[&one], &joined)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "ask another emergency officer to run 'tracer authority approve'",
        ));
    combine(&[&one, &one], &joined)
        .assert()
        .failure()
        .stderr(predicate::str::contains("signed in an earlier file too"));
    assert!(!joined.exists());

    // A tracer who forges the bundle around that one signature: the server takes it (it
    // cannot read notices), and the phone opens the notice but does not alert.
    let id = tracer::keys::load(&w.key).unwrap();
    let officer = tracer::authority::load_officer(&officer_dir(&w.dir, 2), &trust).unwrap();
    let statement = ApprovalStatement {
        venue_id: mill.venue_id(),
        cert_digest: protocol::approval::cert_digest(&id.cert),
        start: from,
        end: to,
        severity: Severity::High,
        message: "Please book a test.".into(),
    };
    let alone = Approval::Authority(vec![statement.sign_as_officer(officer.index, &officer.key)]);
    let twice = Approval::Authority(vec![
        statement.sign_as_officer(officer.index, &officer.key),
        statement.sign_as_officer(officer.index, &officer.key),
    ]);
    for approval in [alone, twice] {
        let entries = protocol::notice::seal_notices(
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
            &[VenueNotice {
                venue_id: mill.venue_id(),
                payload: statement.clone().into_payload(approval),
            }],
        )
        .unwrap();
        let bundle = protocol::notice::sign_bundle(&id.key, &id.cert, now(), &entries).unwrap();
        tracer::post_bundle(&w.server, &bundle).unwrap();
    }
    let (alerts, ignored) = phone_alerts(&w, &mill, from + 600, to);
    assert!(alerts.is_empty(), "one officer made a phone alert");
    assert!(ignored > 0);

    // A second officer signs on their own; the two approvals joined reach the threshold.
    let other = approve(3);
    combine(&[&one, &other], &joined)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Joined the approvals of 2 emergency officers",
        ));
    publish(&joined)
        .assert()
        .success()
        .stdout(predicate::str::contains("approved by the authority"));
    let (alerts, _) = phone_alerts(&w, &mill, from + 600, to);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].approver, Approver::Authority);
}

/// A certificate names one tracer: the authority refuses, in words, to certify a second key
/// under a name that a live certificate already uses, unless told that it replaces it.
#[test]
fn a_second_live_key_under_a_name_in_use_is_refused_unless_replacing() {
    let w = world();
    let k2 = w.dir.join("impostor");
    tracer()
        .args(["keygen", "--out"])
        .arg(&k2)
        .assert()
        .success();
    let certify = |extra: &[&str]| {
        let mut c = tracer();
        c.args(["authority", "certify", "--authority"])
            .arg(&w.authority)
            .arg("--tracer-pub")
            .arg(k2.join("tracer.pub"))
            .args(["--name", "Tracer One", "--role", "publish"])
            .args(extra);
        c
    };
    certify(&[])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "\"Tracer One\" already names another tracer key",
        ))
        .stderr(predicate::str::contains("--replace"));
    assert!(!k2.join("tracer.cert").exists());
    // The same key again (a renewal) needs nothing; another name is fine.
    tracer()
        .args(["authority", "certify", "--authority"])
        .arg(&w.authority)
        .arg("--tracer-pub")
        .arg(w.key.join("tracer.pub"))
        .args(["--name", "Tracer One", "--role", "publish", "--force"])
        .assert()
        .success();
    tracer()
        .args(["authority", "certify", "--authority"])
        .arg(&w.authority)
        .arg("--tracer-pub")
        .arg(k2.join("tracer.pub"))
        .args(["--name", "Tracer Two", "--role", "publish", "--out"])
        .arg(w.dir.join("two.cert"))
        .assert()
        .success();
    // Replacing is allowed when said.
    certify(&["--replace"]).assert().success();
    assert!(k2.join("tracer.cert").exists());
}

//! The `tracer` binary against a real notify-server (Rocket, redb, a loopback port), with the
//! venue owner's step done by the venue-keygen library, as the three parties would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::PathBuf;

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

fn world() -> World {
    let t = TempDir::new().unwrap();
    let dir = t.path().to_path_buf();
    let authority = dir.join("authority");
    let key = dir.join("tracer");
    tracer()
        .args(["authority", "init", "--name", "Test Health Board", "--out"])
        .arg(&authority)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Created the authority \"Test Health Board\"",
        ));
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
        .args(["--name", "Tracer One", "--days", "30"])
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

#[test]
fn authority_keys_are_private_and_never_overwritten() {
    let w = world();
    #[cfg(unix)]
    for f in ["root.key", "sealing.key"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(w.authority.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    let before = std::fs::read(w.authority.join("root.key")).unwrap();
    tracer()
        .args(["authority", "init", "--out"])
        .arg(&w.authority)
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("refusing to overwrite"));
    assert_eq!(std::fs::read(w.authority.join("root.key")).unwrap(), before);
    tracer()
        .args(["keygen", "--out"])
        .arg(&w.key)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap()).unwrap();
}

#[test]
fn notify_shows_a_summary_posts_and_phones_can_verify() {
    let w = world();
    let (_, p) = venue("The Crown");
    let url = p.to_url("https://checkin.example/v1/c").unwrap();
    let to = now() - 600;
    let from = to - 2 * 3600;
    let args = |dry: bool| {
        let mut c = tracer();
        c.args(["notify", "--key"]).arg(&w.key).args([
            "--server",
            &w.server,
            "--poster",
            &url,
            "--from",
            &rfc3339(from),
            "--to",
            &rfc3339(to),
            "--severity",
            "high",
            "--message",
            "Please book a test.",
        ]);
        if dry {
            c.arg("--dry-run");
        }
        c
    };
    args(true)
        .assert()
        .success()
        .stdout(predicate::str::contains("venue    The Crown"))
        .stdout(predicate::str::contains("message  Please book a test."))
        .stdout(predicate::str::contains("Dry run: nothing was posted."));
    args(false)
        .assert()
        .success()
        .stdout(predicate::str::contains("sequence number 1."));
    // The phone's view: fetch, verify against the pinned root, match.
    let body: serde_json::Value = serde_json::from_str(
        &ureq::get(format!("{}/v1/bundles?after=0", w.server))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let bytes = base64_decode(body["bundles"][0]["bundle"].as_str().unwrap());
    let trust =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    let bundle = BundleVerifier::new(trust.root)
        .verify(&bytes, now())
        .unwrap();
    assert_eq!(bundle.certificate().name(), "Tracer One");
    let visit = Visit::new(p.venue_id(), from + 600, from + 3000).unwrap();
    let alerts = Matcher::new(&[visit], 900)
        .unwrap()
        .scan(&bundle, &mut ScanStats::default());
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].notice.message, "Please book a test.");
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
            .args(["notify", "--key"])
            .arg(&w.key)
            .args([
                "--server",
                &w.server,
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
        .args(["notify", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            &w.server,
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
        .args(["notify", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            &w.server,
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
        .args(["notify", "--key"])
        .arg(&bare)
        .args([
            "--server",
            &w.server,
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
    tracer()
        .args(["notify", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            "http://127.0.0.1:9",
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
        .stderr(predicate::str::contains("cannot reach the server"));
    // A certificate from another authority: the server refuses the bundle.
    let other = w.dir.join("other-authority");
    tracer()
        .args(["authority", "init", "--out"])
        .arg(&other)
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
        .args(["--name", "Impostor", "--days", "1"])
        .assert()
        .success();
    tracer()
        .args(["notify", "--key"])
        .arg(&k2)
        .args([
            "--server",
            &w.server,
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
        .stderr(predicate::str::contains("cert_bad_signature"));
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
        .args(["notify", "--key"])
        .arg(&w.key)
        .args([
            "--server",
            &w.server,
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
            .seal(
                &mut rand_core::UnwrapErr(rand::rngs::SysRng),
                &trust.sealing,
            )
            .unwrap(),
    )
    .unwrap();
    tracer()
        .args(["case", "open"])
        .arg(&case)
        .arg("--authority")
        .arg(&w.authority)
        .args(["--tz", "UTC"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 check-in(s)"))
        .stdout(predicate::str::contains("  1. Café Zürich"))
        .stdout(predicate::str::contains("  2. 東京ラーメン"));
    tracer()
        .args(["notify", "--key"])
        .arg(&w.key)
        .args(["--server", &w.server])
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
        .args(["notify", "--key"])
        .arg(&w.key)
        .args(["--server", &w.server])
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
    for c in [&ada, &bob] {
        for r in seal_visit(&mut rng, &p, &trust.sealing, c).unwrap() {
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
        .stdout(predicate::str::contains("2 record(s) over 2 hour(s)"));
    // The venue owner's step, offline, with venue-keygen's own code.
    let key_file = venue_keygen::files::VenueKeyFile {
        secret: venue_secret,
        poster: p.clone(),
        base_url: String::new(),
    };
    let (response, summary) =
        venue_keygen::vault::unwrap_request(&key_file, &std::fs::read(&request).unwrap()).unwrap();
    assert_eq!(summary.stripped, 2);
    let resp_path = w.dir.join("response.json");
    std::fs::write(&resp_path, serde_json::to_vec(&response).unwrap()).unwrap();
    let csv = w.dir.join("contacts.csv");
    tracer()
        .args(["vault", "open", "--authority"])
        .arg(&w.authority)
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
            "--key",
            "no-such-key",
            "--server",
            "127.0.0.1:8000",
        ])
        .args([
            "--poster",
            "AAAA",
            "--from",
            "2026-01-01 10:00",
            "--to",
            "2026-01-01 11:00",
        ])
        .args(["--severity", "low", "--message", "x"])
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
        c.args(["notify", "--dry-run", "--tz", "UTC", "--key"])
            .arg(&w.key)
            .args(["--server", &w.server, "--severity", "low"])
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
            .seal(
                &mut rand_core::UnwrapErr(rand::rngs::SysRng),
                &trust.sealing,
            )
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
            .args(["--name", "Tracer Two", "--out"])
            .arg(w.dir.join("two.cert"))
            .args(extra);
        c.assert()
    };
    certify(&["--days", "400"])
        .failure()
        .stderr(predicate::str::contains("--days must be 1 to 90"));
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

//! The `checkin` binary against a real notify-server (Rocket, redb, a loopback port), with
//! notices made by the tracer library: the citizen's whole journey, and its error paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use protocol::*;

mod common;
use common::*;

#[test]
fn the_citizens_journey() {
    let w = world();
    w.init("a");
    w.init("b");
    let crown = poster("The Crown", 90);
    let cafe = poster("Café Zürich", 60);
    let url = crown.to_url("https://checkin.example/v1/c").unwrap();
    let day = (now() / 86_400 - 1) * 86_400; // yesterday 00:00 UTC
    // A: 12:10–13:40 at the Crown, by scanning then checking out.
    w.checkin("a")
        .args(["scan", &url, "--at", &rfc(day + 12 * 3600 + 600)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Checked in at The Crown"))
        .stdout(predicate::str::contains("Expected stay 90 minutes"))
        .stdout(predicate::str::contains("Nothing was sent anywhere."));
    w.checkin("a")
        .args(["out", "--at", &rfc(day + 13 * 3600 + 2400)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Checked out of The Crown"));
    // B: the Crown 16:00–17:00 (scanning it again changes nothing; `out --at` moves the
    // automatic check-out earlier), then the café, which checks out of nothing since B
    // already left.
    w.checkin("b")
        .args(["scan", &crown.payload(), "--at", &rfc(day + 16 * 3600)])
        .assert()
        .success();
    w.checkin("b")
        .args(["scan", &crown.payload(), "--at", &rfc(day + 16 * 3600 + 60)])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "You were checked in at The Crown from",
        ));
    w.checkin("b")
        .args(["out", "--at", &rfc(day + 17 * 3600)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Checked out of The Crown"));
    w.checkin("b")
        .args(["scan", &cafe.payload(), "--at", &rfc(day + 18 * 3600)])
        .assert()
        .success();
    // Scanning somewhere else while checked in checks out first, and says so.
    w.checkin("b")
        .args([
            "scan",
            &crown.payload(),
            "--at",
            &rfc(day + 18 * 3600 + 1800),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Checked you out of Café Zürich first.",
        ));
    w.checkin("b")
        .args(["out", "--at", &rfc(day + 18 * 3600 + 2000)])
        .assert()
        .success();

    w.notify(
        &crown,
        day + 12 * 3600,
        day + 14 * 3600,
        "You may have been exposed. Please book a test.",
    );
    w.checkin("a")
        .arg("sync")
        .assert()
        .success()
        .stdout(predicate::str::contains("1 new alert(s)"))
        .stdout(predicate::str::contains("you were at The Crown"))
        .stdout(predicate::str::contains("by 90 minutes"))
        .stdout(predicate::str::contains("Please book a test."));
    w.checkin("a")
        .arg("sync")
        .assert()
        .success()
        .stdout(predicate::str::contains("no new alerts"));
    w.checkin("b")
        .arg("sync")
        .assert()
        .success()
        .stdout(predicate::str::contains("no new alerts"));
    let out = w.checkin("a").args(["alerts", "--json"]).output().unwrap();
    let alerts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["venue"], "The Crown");
    assert_eq!(alerts[0]["overlap_minutes"], 90);

    // Diary, edit, forget.
    let out = w.checkin("b").args(["diary", "--json"]).output().unwrap();
    let visits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(visits.as_array().unwrap().len(), 3);
    let id = visits[0]["id"].as_str().unwrap().to_owned();
    w.checkin("b")
        .args([
            "edit",
            &id,
            "--arrive",
            &rfc(day + 15 * 3600),
            "--leave",
            &rfc(day + 15 * 3600 + 600),
        ])
        .assert()
        .success();
    w.checkin("b")
        .args([
            "edit",
            &id,
            "--arrive",
            &rfc(day + 15 * 3600),
            "--leave",
            &rfc(day + 14 * 3600),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("ends before it begins"));
    w.checkin("b")
        .args(["forget", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("Deleted your visit to The Crown"));
    w.checkin("b")
        .args(["forget", "zzzz"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no visit has the id"));
    let out = w.checkin("b").args(["diary", "--json"]).output().unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn consented_contact_uploads_reach_the_vault_and_open_for_the_authority() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 60);
    let t = (now() / 3600 - 3) * 3600;
    w.checkin("a")
        .args(["scan", &crown.payload(), "--share-contact", "--at", &rfc(t)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("set them first"));
    // A name alone reaches nobody: refused, and nothing is stored.
    w.checkin("a")
        .args(["contact", "set", "--name", "Ada Lovelace"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "neither a phone number nor an e-mail address",
        ));
    w.checkin("a")
        .args(["contact", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No contact details are stored."));
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "Ada Lovelace",
            "--phone",
            "+44 7700 900123",
            "--party",
            "2",
        ])
        .assert()
        .success();
    w.checkin("a")
        .args([
            "scan",
            &crown.payload(),
            "--share-contact",
            "--at",
            &rfc(t + 600),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "will be shared, sealed, when you leave",
        ));
    // The visit ends: its one record (it covers one hour) is queued, not sent at check-out,
    // and leaves in the diary's first upload slot, which is due at once.
    w.checkin("a")
        .args(["out", "--at", &rfc(t + 600 + 1800)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Sent").not());
    w.checkin("a")
        .args(["uploads", "send"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Sent 1 upload(s): 1 contact record(s) and 0 cover record(s).",
        ));
    // The next slot is not yet due.
    w.checkin("a")
        .args(["uploads", "send"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No upload slot is due."));
    // The tracer, the venue and the authority together can open it.
    let req = tracer::vault_fetch(&w.tracer, &w.server, &crown, t, t + 3600, now()).unwrap();
    assert_eq!(req.records.len(), 1);
    let health: serde_json::Value = serde_json::from_str(
        &ureq::get(format!("{}/healthz", w.server))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    // The public health answer tells nothing about what is stored.
    assert_eq!(health, serde_json::json!({"status": "ok"}));
}

#[test]
fn uploads_wait_while_the_server_is_down_and_are_never_lost() {
    let w = world();
    // A diary pointed at a server that is not there.
    w.checkin("a")
        .args(["init", "--server", "http://127.0.0.1:9", "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    w.checkin("a")
        .args(["contact", "set", "--name", "Ada", "--phone", "1"])
        .assert()
        .success();
    w.checkin("a")
        .args(["contact", "consent", "always"])
        .assert()
        .success();
    let crown = poster("The Crown", 60);
    let t = (now() / 3600 - 2) * 3600 + 60; // within one hour, whatever the clock says
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(t)])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(t + 600)])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 contact upload(s) are waiting"));
    w.checkin("a")
        .arg("sync")
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("cannot reach the server"))
        .stderr(predicate::str::contains("Your diary is unchanged"));
    w.checkin("a")
        .args(["uploads", "send"])
        .assert()
        .success()
        .stdout(predicate::str::contains("could not be reached"));
    // Against the real server: the queued upload goes out.
    w.checkin("a")
        .args(["uploads", "send", "--server", &w.server])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 contact record(s)"));
    w.checkin("a")
        .args(["diary"])
        .assert()
        .success()
        .stdout(predicate::str::contains("(contact shared)"));
}

#[test]
fn passphrase_diaries_and_bad_input() {
    let w = world();
    let pass = w.t.path().join("pass.txt");
    std::fs::write(&pass, "correct horse battery\n").unwrap();
    let wrong = w.t.path().join("wrong.txt");
    std::fs::write(&wrong, "incorrect horse\n").unwrap();
    w.checkin("p")
        .arg("--passphrase-file")
        .arg(&pass)
        .args(["init", "--passphrase", "--server", &w.server, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    let crown = poster("The Crown", 60);
    w.checkin("p")
        .arg("--passphrase-file")
        .arg(&pass)
        .args(["scan", &crown.payload()])
        .assert()
        .success();
    w.checkin("p")
        .arg("--passphrase-file")
        .arg(&wrong)
        .args(["diary"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase"));
    w.checkin("p")
        .args(["diary"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("passphrase"));
    // The diary holds no readable venue name on disk.
    let mut all = Vec::new();
    for e in walk(&w.t.path().join("p")) {
        all.extend(std::fs::read(e).unwrap());
    }
    assert!(
        !all.windows(9).any(|x| x == b"The Crown"),
        "a venue name is readable on disk"
    );

    w.checkin("nobody")
        .args(["diary"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("run 'checkin init' first"));
    w.init("a");
    // Tampered, foreign and expired posters are refused, and nothing is recorded.
    let mut bytes = crown.to_bytes().to_vec();
    bytes[70] ^= 1;
    use base64::Engine as _;
    let tampered = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
    w.checkin("a")
        .args(["scan", &tampered])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot check in"));
    w.checkin("a")
        .args(["scan", "https://example.org/menu"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a poster URL"));
    let keys = VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng)).keys();
    let expired = Poster::sign(
        &keys,
        PosterInfo {
            name: "Old".into(),
            address: String::new(),
            category: String::new(),
            default_stay_minutes: 30,
            validity: Some(Validity { from: 1, until: 2 }),
        },
    )
    .unwrap();
    w.checkin("a")
        .args(["scan", &expired.payload()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("expired"));
    w.checkin("a")
        .args(["diary"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Your diary is empty."));
    // A server serving a bundle from another authority: rejected, reported, not stored.
    let other = w.t.path().join("other");
    tracer::authority::init(&other, "Other").unwrap();
    let rogue = server(&w.t.path().join("rogue-data"), &other.join("trust.txt"));
    let auth = tracer::authority::load(&other).unwrap();
    let key = Ed25519Secret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let cert = Certificate::issue(
        &auth.root,
        &key.verifying_key(),
        "Rogue",
        now() - 100,
        now() + 100,
    )
    .unwrap();
    let crown_keys = venue_keys(&crown);
    let bundle = signed_bundle(
        &tracer::keys::TracerIdentity { key, cert },
        &crown,
        now() - 7200,
        now() - 3600,
        "fake",
        |s| s.approve_as_venue(&crown_keys),
    );
    tracer::post_bundle(&rogue, &bundle).unwrap();
    w.checkin("a")
        .args(["sync", "--server", &rogue])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 notice bundle(s) failed verification and were skipped",
        ))
        .stdout(predicate::str::contains("cert_bad_signature"));
    w.checkin("a")
        .args(["alerts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No alerts."));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn share_case_is_sealed_to_the_authority() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 60);
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(now() - 3600)])
        .assert()
        .success();
    let out = w.t.path().join("case.bin");
    w.checkin("a")
        .args(["share-case", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--yes"));
    assert!(!out.exists());
    w.checkin("a")
        .args(["share-case", "--yes", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("This shares 1 visit(s)"));
    let diary = tracer::open_case(&w.authority, &out).unwrap();
    assert_eq!(diary.visits[0].poster, crown);
}

/// The genuine trust file of `w` with one key swapped, its signature line kept: what a server
/// that swaps a key would serve.
fn with_swapped_key(w: &World, swap: &str) -> String {
    let genuine = std::fs::read_to_string(w.authority.join("trust.txt")).unwrap();
    let mut t = TrustAnchor::parse(&genuine).unwrap();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    match swap {
        "case" => t.case = SealingSecretKey::generate(&mut rng).public_key(),
        "emergency" => {
            let mut keys = t.emergency.keys().to_vec();
            keys[0] = Ed25519Secret::generate(&mut rng).verifying_key();
            t.emergency = protocol::EmergencyOfficers::new(keys, t.emergency.threshold()).unwrap()
        }
        "sealing" => t.sealing[0].key = SealingSecretKey::generate(&mut rng).public_key(),
        _ => unreachable!(),
    }
    let signature = genuine.lines().last().unwrap();
    assert!(signature.starts_with("signature: "));
    let tampered = format!("{}{signature}\n", t.body_text());
    assert_ne!(tampered, genuine);
    tampered
}

#[test]
fn a_trust_file_with_a_swapped_key_is_refused_and_case_diaries_stay_sealed_to_the_authority() {
    let w = world();
    w.init("a");
    let genuine = std::fs::read_to_string(w.authority.join("trust.txt")).unwrap();
    let pinned = w.t.path().join("a").join("trust.txt");
    for swap in ["case", "emergency", "sealing"] {
        let file = w.t.path().join(format!("swapped-{swap}.txt"));
        std::fs::write(&file, with_swapped_key(&w, swap)).unwrap();
        // The phone refuses it in words and keeps the genuine file.
        w.checkin("a")
            .arg("trust")
            .arg(&file)
            .assert()
            .failure()
            .stderr(predicate::str::contains("signature does not verify"))
            .stderr(predicate::str::contains("nothing was changed"));
        assert_eq!(std::fs::read_to_string(&pinned).unwrap(), genuine, "{swap}");
        // A new diary refuses it as its first pin.
        w.checkin(&format!("new-{swap}"))
            .args(["init", "--server", &w.server, "--trust"])
            .arg(&file)
            .assert()
            .failure()
            .stderr(predicate::str::contains("signature does not verify"));
        // A server refuses to start with it.
        let err = notify_server::spawn(
            notify_server::figment()
                .merge(("address", "127.0.0.1"))
                .merge(("port", 0))
                .merge(("data_dir", w.t.path().join(format!("data-{swap}"))))
                .merge(("trust_file", &file))
                .merge(("log_level", "off"))
                .merge(("admin_enabled", false)),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("signature does not verify"),
            "{err}"
        );
    }
    // The case diary is sealed to the authority's genuine case key: its case key opens it.
    let crown = poster("The Crown", 60);
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(now() - 3600)])
        .assert()
        .success();
    let out = w.t.path().join("case.bin");
    w.checkin("a")
        .args(["share-case", "--yes", "--out"])
        .arg(&out)
        .assert()
        .success();
    let diary = tracer::open_case(&w.authority, &out).unwrap();
    assert_eq!(diary.visits[0].poster, crown);
}

#[test]
fn a_pinned_trust_file_moves_only_forward() {
    let w = world();
    w.init("a");
    let first = w.t.path().join("serial-1.txt");
    std::fs::copy(w.authority.join("trust.txt"), &first).unwrap();
    // The authority adds a month: its trust file is signed again with the next serial.
    let rotated = tests::ok(
        w.t.path(),
        "tracer",
        &[
            "authority",
            "rotate",
            "--authority",
            w.authority.to_str().unwrap(),
            "--ahead",
            "13",
        ],
    );
    assert!(!rotated.is_empty());
    let newer =
        TrustAnchor::parse(&std::fs::read_to_string(w.authority.join("trust.txt")).unwrap())
            .unwrap();
    assert_eq!(newer.serial, 2);
    w.checkin("a")
        .arg("trust")
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Serial: 2"))
        .stdout(predicate::str::contains(newer.root_fingerprint()));
    // The older file of the same authority is refused, and the newer one stays pinned.
    w.checkin("a")
        .arg("trust")
        .arg(&first)
        .assert()
        .failure()
        .stderr(predicate::str::contains("older (serial 1)"));
    assert_eq!(
        std::fs::read_to_string(w.t.path().join("a").join("trust.txt")).unwrap(),
        std::fs::read_to_string(w.authority.join("trust.txt")).unwrap()
    );
}

/// A diary made before trust files were signed pinned an unsigned file: that pins its root key
/// only. The diary says what to do instead of calling its pin damaged, refuses a file of another
/// root or one altered after signing, and takes the first signed file of its root, in words.
#[test]
fn a_diary_that_pinned_an_unsigned_trust_file_takes_the_first_signed_file_of_its_root() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 60);
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(now() - 3600)])
        .assert()
        .success();
    let genuine = std::fs::read_to_string(w.authority.join("trust.txt")).unwrap();
    let anchor = TrustAnchor::parse(&genuine).unwrap();
    // The file as the authority wrote it before files were signed: no serial, no signature.
    let legacy: String = anchor
        .body_text()
        .lines()
        .filter(|l| !l.starts_with("serial:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let pinned = w.t.path().join("a").join("trust.txt");
    std::fs::write(&pinned, &legacy).unwrap();
    w.checkin("a")
        .arg("diary")
        .assert()
        .failure()
        .stderr(predicate::str::contains("before trust files were signed"))
        .stderr(predicate::str::contains(anchor.root_fingerprint()))
        .stderr(predicate::str::contains("'checkin trust FILE'"))
        .stderr(predicate::str::contains("damaged").not());
    // Another authority's signed file, and the genuine file with a key swapped, are refused.
    let other = w.t.path().join("other");
    tracer::authority::init(&other, "Other").unwrap();
    let swapped = w.t.path().join("swapped.txt");
    std::fs::write(&swapped, with_swapped_key(&w, "emergency")).unwrap();
    for (file, why) in [
        (other.join("trust.txt"), "another authority"),
        (swapped, "signature does not verify"),
    ] {
        w.checkin("a")
            .arg("trust")
            .arg(&file)
            .assert()
            .failure()
            .stderr(predicate::str::contains(why))
            .stderr(predicate::str::contains(
                "from before trust files were signed",
            ))
            .stderr(predicate::str::contains("nothing was changed"));
        assert_eq!(std::fs::read_to_string(&pinned).unwrap(), legacy);
    }
    // The authority's signed file replaces the unsigned one, and the diary works again.
    w.checkin("a")
        .arg("trust")
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "pinned the authority's trust file from before trust files were signed",
        ))
        .stdout(predicate::str::contains("Serial: 1"));
    assert_eq!(std::fs::read_to_string(&pinned).unwrap(), genuine);
    w.checkin("a")
        .arg("diary")
        .assert()
        .success()
        .stdout(predicate::str::contains("The Crown"));
}

/// A diary under a device key keeps the key beside it: `init` says where, that a copy of the
/// directory opens the diary, and how to use a passphrase instead.
#[test]
fn init_with_a_device_key_says_where_the_key_is_and_why_a_passphrase_is_better() {
    let w = world();
    let key = w.t.path().join("a").join("device.key");
    w.checkin("a")
        .args(["init", "--server", &w.server, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains(key.display().to_string()))
        .stdout(predicate::str::contains("a copy of this directory"))
        .stdout(predicate::str::contains("'checkin init --passphrase'"));
    assert!(key.exists());
}

/// Spec section 14.5, end to end with the real `checkin` binary: a phone that never visited
/// sends its cover record to a bucket a venue uses (here the one venue the server was given),
/// and a record of a visit two days ago, sent today, is filed under today, where the tracer
/// still finds it.
#[test]
fn covers_fall_in_the_buckets_of_the_servers_venues_and_late_records_are_filed_the_day_they_leave()
{
    let mut w = world();
    let crown = poster("The Crown", 60);
    // A server that was given the Crown's poster, and nothing else.
    let list = w.t.path().join("posters.txt");
    std::fs::write(&list, format!("{}\n", crown.payload())).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    w.server = notify_server::spawn(
        notify_server::figment()
            .merge(("address", "127.0.0.1"))
            .merge(("port", port))
            .merge(("data_dir", w.t.path().join("data2")))
            .merge(("trust_file", w.authority.join("trust.txt")))
            .merge(("venue_posters", &list))
            .merge(("log_level", "off"))
            .merge(("admin_enabled", false)),
    )
    .unwrap();
    // C never visits anywhere: its first slot, due at once, carries a cover.
    w.init("c");
    w.checkin("c")
        .args(["uploads", "send"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Sent 1 upload(s): 0 contact record(s) and 1 cover record(s).",
        ));
    let today = now() / 86_400;
    let window = (today * 24 - 48) * 3600 + 12 * 3600; // 12:00 two days ago
    let fetched = |w: &World| {
        tracer::vault_fetch(&w.tracer, &w.server, &crown, window, window + 3600, now()).unwrap()
    };
    // The cover lies in the Crown's bucket, today: the tracer's query for the Crown gets it.
    let req = fetched(&w);
    assert_eq!(req.records.len(), 1, "the cover is in the Crown's bucket");
    let bucket = protocol::derive::vault_bucket(&crown.venue_id());
    let today_tag = protocol::derive::bucket_tag(bucket, today);
    let tag_of = |r: &str| {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(r)
            .unwrap();
        protocol::vault::record_tag(&bytes).unwrap()
    };
    assert_eq!(tag_of(&req.records[0]), today_tag);
    // A visited the Crown two days ago, sharing contact details, and sends today.
    w.init("a");
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "Ada",
            "--phone",
            "+44 7700 900123",
        ])
        .assert()
        .success();
    w.checkin("a")
        .args([
            "scan",
            &crown.payload(),
            "--share-contact",
            "--at",
            &rfc(window + 600),
        ])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(window + 1800)])
        .assert()
        .success();
    w.checkin("a")
        .args(["uploads", "send"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Sent 1 upload(s): 1 contact record(s) and 0 cover record(s).",
        ));
    let req = fetched(&w);
    assert_eq!(req.records.len(), 2, "the cover and Ada's record");
    assert!(req.records.iter().all(|r| tag_of(r) == today_tag));
    // Filed under today, not under the visit's day: nothing lies under the visit's day.
    assert_ne!(
        protocol::vault_file_tag(&crown.venue_id(), window / 3600),
        today_tag
    );
}

//! Regression tests for the citizen's diary: each test names the defect it covers (the items
//! of the audit of version 1: missed exposures, consent, a poster that locked the diary,
//! sync, text and storage). Each drives the real `checkin` binary against a real
//! notify-server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use protocol::{Approval, Ed25519Secret};
use serde_json::Value;

mod common;
use common::*;

/// The `Date` of an upstream answer, for a proxy to pass on as HTTP proxies do: phones close
/// hours by it (spec section 12.3).
fn upstream_date(r: &ureq::http::Response<ureq::Body>) -> String {
    r.headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Yesterday 00:00 UTC.
fn day() -> u64 {
    (now() / 86_400 - 1) * 86_400
}

fn json(w: &World, who: &str, args: &[&str]) -> Value {
    let out = w.checkin(who).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stdout(w: &World, who: &str, args: &[&str]) -> String {
    let out = w.checkin(who).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "checkin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A diary whose server cannot be reached, so that contact uploads stay queued.
fn offline(w: &World, who: &str) {
    w.checkin(who)
        .args(["init", "--server", "http://127.0.0.1:9", "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    w.checkin(who)
        .args([
            "contact",
            "set",
            "--name",
            "Alice",
            "--phone",
            "+44 7700 900001",
        ])
        .assert()
        .success();
}

/// Item 1: a visit added or edited after a sync is matched against the notices that sync
/// already downloaded.
#[test]
fn visits_added_or_edited_after_a_sync_are_matched() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    let d = day();
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(d + 10 * 3600)])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(d + 10 * 3600 + 600)])
        .assert()
        .success();
    w.notify(
        &crown,
        d + 9 * 3600,
        d + 10 * 3600 + 1800,
        "Exposure at the Crown.",
    );
    // 10 minutes of overlap: below the threshold.
    assert!(stdout(&w, "a", &["sync"]).contains("no new alerts"));
    let id = json(&w, "a", &["diary", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The edit to 09:00–10:30 is matched at once against the downloaded notice.
    let out = stdout(
        &w,
        "a",
        &[
            "edit",
            &id,
            "--arrive",
            &rfc(d + 9 * 3600),
            "--leave",
            &rfc(d + 10 * 3600 + 1800),
        ],
    );
    assert!(
        out.contains("ALERT") && out.contains("by 90 minutes"),
        "{out}"
    );
    let alerts = json(&w, "a", &["alerts", "--json"]);
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["overlap_minutes"], 90);
    // The alert names who issued it (issue 14): the certified tracer and the pinned authority.
    assert_eq!(alerts[0]["issuer"], "Tracer");
    assert_eq!(alerts[0]["approved_by"], "venue");
    // The tracer's key fingerprint beside the name tells apart two tracers of one name.
    assert!(
        out.contains(&format!(
            "Issued by Tracer (tracer key {}), certified by Test Health Board, approved by the venue.",
            w.tracer.cert.tracer_fingerprint()
        )),
        "{out}"
    );

    // A past visit scanned (with --at) after a sync is matched too.
    w.init("b");
    assert!(stdout(&w, "b", &["sync"]).contains("no new alerts"));
    let out = stdout(
        &w,
        "b",
        &["scan", &crown.payload(), "--at", &rfc(d + 9 * 3600 + 600)],
    );
    assert!(out.contains("ALERT"), "{out}");
    assert_eq!(
        json(&w, "b", &["alerts", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Item 2: scanning the venue one is checked in to keeps the visit open.
#[test]
fn a_second_scan_keeps_the_visit_open() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    let t = now() - 600;
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(t)])
        .assert()
        .success();
    w.checkin("a")
        .args(["scan", &crown.payload()])
        .assert()
        .success()
        .stdout(predicate::str::contains("already checked in at The Crown"))
        .stdout(predicate::str::contains("stays open"));
    let visits = json(&w, "a", &["diary", "--json"]);
    assert_eq!(visits.as_array().unwrap().len(), 1);
    assert_eq!(visits[0]["departure"], Value::Null);
}

/// A scan elsewhere long after a forgotten check-out ends the first visit at its automatic
/// check-out time, not at the new scan.
#[test]
fn a_scan_elsewhere_ends_a_forgotten_visit_at_its_automatic_time() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    let cafe = poster("The Café", 30);
    let arrival = now() - 20 * 3600;
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(arrival)])
        .assert()
        .success();
    w.checkin("a")
        .args(["scan", &cafe.payload()])
        .assert()
        .success();
    let visits = json(&w, "a", &["diary", "--json"]);
    assert_eq!(visits[0]["departure"], arrival + 90 * 60);
}

/// Item 3: impossible times are refused with the range that is allowed, and nothing changes.
#[test]
fn impossible_times_are_refused_with_the_allowed_range() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(now() + 86_400)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("a check-in time must lie between"));
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(now() - 20 * 86_400)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("the diary keeps 14 days"));
    assert!(stdout(&w, "a", &["diary"]).contains("Your diary is empty."));
    let arrival = now() - 3600;
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(arrival)])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(arrival - 3 * 3600)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("must lie between its arrival"));
    let visits = json(&w, "a", &["diary", "--json"]);
    assert_eq!(visits[0]["departure"], Value::Null, "nothing was stored");
    // What is reported is what is stored.
    let out = stdout(&w, "a", &["out", "--at", &rfc(arrival + 1800)]);
    assert!(
        out.contains(&tracer::time::show(
            arrival + 1800,
            &jiff::tz::TimeZone::UTC
        )),
        "{out}"
    );
    assert_eq!(
        json(&w, "a", &["diary", "--json"])[0]["departure"],
        arrival + 1800
    );
}

/// Item 4: an alert for a visit that was open shows it as open, and gets the departure when
/// the visit ends.
#[test]
fn an_alert_for_an_open_visit_is_updated_when_it_ends() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 240);
    let arrival = now() - 3600;
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(arrival)])
        .assert()
        .success();
    w.notify(&crown, now() - 7200, now() - 60, "Exposure.");
    let out = stdout(&w, "a", &["sync"]);
    assert!(out.contains("you are still checked in"), "{out}");
    assert_eq!(
        json(&w, "a", &["alerts", "--json"])[0]["departure"],
        Value::Null
    );
    let leave = now() - 30;
    w.checkin("a")
        .args(["out", "--at", &rfc(leave)])
        .assert()
        .success();
    let alerts = json(&w, "a", &["alerts", "--json"]);
    assert_eq!(
        alerts.as_array().unwrap().len(),
        1,
        "updated, not a second alert"
    );
    assert_eq!(alerts[0]["departure"], leave);
}

/// Issue 15, key custody: a diary whose trust file names no sealing key for a visit's hours
/// still checks out, queues nothing, and says that the trust file must be updated.
#[test]
fn a_visit_no_sealing_period_covers_checks_out_and_says_why_nothing_was_queued() {
    let w = world();
    // The authority's file as it stood in 2020, signed by its root: one January period.
    let auth = tracer::authority::load(&w.authority).unwrap();
    let mut then = auth.trust.clone();
    then.sealing.truncate(1);
    then.sealing[0].from = 1_577_836_800; // 2020-01-01
    then.sealing[0].until = 1_580_515_200; // 2020-02-01
    let old = then.sign(&auth.root);
    let path = w.t.path().join("old-trust.txt");
    std::fs::write(&path, old).unwrap();
    w.checkin("a")
        .args(["init", "--server", "http://127.0.0.1:9", "--trust"])
        .arg(&path)
        .assert()
        .success();
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "Alice",
            "--phone",
            "+44 7700 900001",
        ])
        .assert()
        .success();
    let crown = poster("The Crown", 90);
    let d = day();
    w.checkin("a")
        .args([
            "scan",
            &crown.payload(),
            "--at",
            &rfc(d + 12 * 3600),
            "--share-contact",
        ])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(d + 13 * 3600)])
        .assert()
        .success();
    let out = w.checkin("a").args(["uploads"]).output().unwrap();
    assert!(out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stdout.contains("No contact uploads are waiting."),
        "{stdout}"
    );
    assert!(
        stderr.contains("no sealing key") && stderr.contains("trust file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("lists sealing keys only until 2020-02-01"),
        "{stderr}"
    );
    // Another authority's trust file is refused; the authority's current one is pinned, and
    // the visit's records are sealed and queued at the next opening.
    let other = w.t.path().join("other");
    tracer::authority::init(&other, "Other").unwrap();
    w.checkin("a")
        .arg("trust")
        .arg(other.join("trust.txt"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("another authority"));
    w.checkin("a")
        .arg("trust")
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("now pins the trust file"));
    let out = w.checkin("a").args(["uploads"]).output().unwrap();
    assert!(out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stdout.contains("The Crown"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// Item 5: forgetting a visit deletes its queued uploads and its alerts.
#[test]
fn forget_deletes_what_the_visit_left() {
    let w = world();
    offline(&w, "a");
    let crown = poster("The Crown", 90);
    let d = day();
    w.checkin("a")
        .args([
            "scan",
            &crown.payload(),
            "--at",
            &rfc(d + 12 * 3600),
            "--share-contact",
        ])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(d + 13 * 3600)])
        .assert()
        .success();
    assert!(stdout(&w, "a", &["uploads"]).contains("The Crown"));
    let id = json(&w, "a", &["diary", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.checkin("a")
        .args(["forget", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "queued contact upload(s) were deleted too",
        ));
    assert!(stdout(&w, "a", &["uploads"]).contains("No contact uploads are waiting."));
}

/// Item 6: consent 'never' refuses --share-contact and says how to change it.
#[test]
fn consent_never_is_honoured() {
    let w = world();
    offline(&w, "a");
    w.checkin("a")
        .args(["contact", "consent", "never"])
        .assert()
        .success();
    let crown = poster("The Crown", 90);
    w.checkin("a")
        .args(["scan", &crown.payload(), "--share-contact"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("'checkin contact consent ask'"));
    assert!(stdout(&w, "a", &["diary"]).contains("Your diary is empty."));
    assert!(stdout(&w, "a", &["uploads"]).contains("No contact uploads"));
}

/// Items 7 and 8: an edit re-derives the queued records; queued uploads can be listed and
/// cancelled; contact details shown and deleted; the diary says "queued" until sent.
#[test]
fn queued_uploads_follow_the_visit_and_can_be_seen_and_cancelled() {
    let w = world();
    offline(&w, "a");
    let crown = poster("The Crown", 90);
    let d = day();
    w.checkin("a")
        .args([
            "scan",
            &crown.payload(),
            "--at",
            &rfc(d + 10 * 3600),
            "--share-contact",
        ])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(d + 10 * 3600 + 1800)])
        .assert()
        .success();
    assert!(stdout(&w, "a", &["diary"]).contains("(contact queued)"));
    assert!(stdout(&w, "a", &["uploads"]).contains("1 record(s)"));
    let id = json(&w, "a", &["diary", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = stdout(
        &w,
        "a",
        &[
            "edit",
            &id,
            "--arrive",
            &rfc(d + 10 * 3600),
            "--leave",
            &rfc(d + 12 * 3600 + 1800),
        ],
    );
    assert!(
        out.contains("3 queued contact upload(s) now carry the new times"),
        "{out}"
    );
    assert!(stdout(&w, "a", &["uploads"]).contains("3 record(s)"));
    let shown = stdout(&w, "a", &["contact", "show"]);
    assert!(
        shown.contains("Alice") && shown.contains("+44 7700 900001"),
        "{shown}"
    );
    w.checkin("a")
        .args(["uploads", "cancel", &id[..6]])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Cancelled 3 queued contact upload(s)",
        ));
    assert!(stdout(&w, "a", &["uploads"]).contains("No contact uploads are waiting."));
    assert!(!stdout(&w, "a", &["diary"]).contains("contact"));
    w.checkin("a")
        .args(["contact", "delete"])
        .assert()
        .success();
    assert!(stdout(&w, "a", &["contact", "show"]).contains("No contact details are stored."));

    // With the server up, the diary says "shared" once the server has the records.
    w.init("b");
    w.checkin("b")
        .args([
            "contact",
            "set",
            "--name",
            "Bob",
            "--phone",
            "+44 7700 900002",
        ])
        .assert()
        .success();
    w.checkin("b")
        .args([
            "scan",
            &crown.payload(),
            "--at",
            &rfc(now() - 600),
            "--share-contact",
        ])
        .assert()
        .success();
    assert!(stdout(&w, "b", &["diary"]).contains("(contact to be shared)"));
    w.checkin("b")
        .args(["out", "--at", &rfc(now() - 300)])
        .assert()
        .success()
        .stdout(predicate::str::contains("contact upload(s) are waiting"));
    assert!(stdout(&w, "b", &["diary"]).contains("(contact queued)"));
    w.checkin("b")
        .args(["uploads", "send", "--all"])
        .assert()
        .success()
        // One record per hour the visit covers: one, or two across an hour boundary.
        .stdout(predicate::str::is_match("Sent [12] sealed contact upload").unwrap());
    assert!(stdout(&w, "b", &["diary"]).contains("(contact shared)"));
}

/// Item 9: a poster with a small-order key is refused at decoding, and so is a trust file
/// with one; nothing reaches the diary that could lock it.
#[test]
fn weak_keys_are_refused_before_they_reach_the_diary() {
    let w = world();
    w.init("a");
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors/poster.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let weak = vectors["negative"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "poster_x25519_key_zero")
        .unwrap();
    let bytes = hex::decode(weak["encoding"].as_str().unwrap()).unwrap();
    let payload = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
    w.checkin("a")
        .args(["scan", &payload, "--share-contact"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not valid public keys"));
    assert!(stdout(&w, "a", &["diary"]).contains("Your diary is empty."));

    let trust = std::fs::read_to_string(w.authority.join("trust.txt")).unwrap();
    let zero = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, [0u8; 32]);
    let bad: String = trust
        .lines()
        .map(|l| {
            if let Some(period) = l.strip_prefix("sealing: ") {
                let (days, _key) = period.rsplit_once(' ').unwrap();
                format!("sealing: {days} {zero}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = w.t.path().join("weak-trust.txt");
    std::fs::write(&path, bad).unwrap();
    w.checkin("b")
        .args(["init", "--server", &w.server, "--trust"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a valid public key"));
}

/// Items 10 and 13: a sync waiting on a hung server does not hold the diary, so a check-in
/// at the door goes through at once.
#[test]
fn a_hung_server_never_blocks_a_check_in() {
    let w = world();
    w.init("a");
    // A server that accepts connections and never answers.
    let hung = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", hung.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in hung.incoming().take(2).flatten() {
            conns.push(c);
        }
        std::thread::sleep(Duration::from_secs(40));
    });
    let mut sync = std::process::Command::new(tests::bin_dir().join("checkin"))
        .env("TZ", "UTC")
        .args(["--diary"])
        .arg(w.t.path().join("a"))
        .args(["sync", "--server", &url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let crown = poster("The Crown", 90);
    let started = Instant::now();
    w.checkin("a")
        .args(["scan", &crown.payload()])
        .assert()
        .success();
    let took = started.elapsed();
    let _ = sync.kill();
    let _ = sync.wait();
    drop(held);
    // The lock wait is 10 s; the hung request lasts 30 s. A check-in that waited for either
    // would take seconds, not the moment it takes.
    assert!(
        took < Duration::from_secs(5),
        "the check-in waited {took:?}"
    );
}

/// Item 12: a server that sends notices without end is stopped, with what was read kept.
#[test]
fn a_server_that_never_stops_is_stopped() {
    let w = world();
    w.init("a");
    // Every batch: a body that never ends.
    let evil = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", evil.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut c in evil.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = c.read(&mut buf).unwrap_or(0);
                if String::from_utf8_lossy(&buf[..n]).contains("/v1/revocations") {
                    let body = r#"{"revocations":null}"#;
                    let _ = write!(
                        c,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    return;
                }
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
                );
                let chunk = [0x01u8; 64 * 1024];
                while c.write_all(&chunk).is_ok() {}
            });
        }
    });
    let started = Instant::now();
    w.checkin("a")
        .args(["sync", "--server", &url])
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not follow the protocol"))
        // The first request is a closed day's file (256 MiB at most; an hour's is 64 MiB).
        .stderr(predicate::str::contains("MiB are refused"));
    assert!(started.elapsed() < Duration::from_secs(20));
    // The diary is intact and usable.
    assert!(stdout(&w, "a", &["diary"]).contains("Your diary is empty."));
}

/// Item 14: plain http is refused for any server but this machine.
#[test]
fn plain_http_is_refused_for_remote_servers() {
    let w = world();
    w.checkin("a")
        .args(["init", "--server", "http://checkin.example", "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("must be reached with https://"));
    assert!(!w.t.path().join("a/config.json").exists());
    w.init("b");
    w.checkin("b")
        .args(["sync", "--server", "http://192.168.1.20:8000"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("https://"));
}

/// Item 15: invisible format characters are refused in text fields.
#[test]
fn format_characters_are_refused_in_text() {
    let w = world();
    w.init("a");
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "\u{202E}ecilA",
            "--phone",
            "+44 7700 900001",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("invisible character"));
    w.checkin("a")
        .args(["contact", "set", "--name", "Al\u{200B}ice", "--phone", "1"])
        .assert()
        .failure();
    // ZWNJ is part of how Persian is written: kept.
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "می\u{200C}خواهم",
            "--phone",
            "1",
        ])
        .assert()
        .success();
}

/// Item 16: the diary on disk shows nothing of its structure: one sealed file whose size is
/// a bucket, directories 0700, files 0600.
#[test]
fn the_diary_on_disk_shows_nothing_of_its_structure() {
    use std::os::unix::fs::PermissionsExt as _;
    let w = world();
    w.init("a");
    let dir = w.t.path().join("a");
    let empty = std::fs::metadata(dir.join("diary.bin")).unwrap().len();
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "Alice",
            "--phone",
            "+44 7700 900001",
        ])
        .assert()
        .success();
    let d = day();
    for i in 0..5 {
        let p = poster(&format!("Venue {i}"), 30);
        w.checkin("a")
            .args([
                "scan",
                &p.payload(),
                "--at",
                &rfc(d + i * 3600),
                "--share-contact",
            ])
            .assert()
            .success();
    }
    let full = std::fs::metadata(dir.join("diary.bin")).unwrap().len();
    assert_eq!(
        empty, full,
        "five visits and contact details: the same size bucket"
    );
    // The size is a bucket: magic line, nonce, 16 KiB (or a power of two above), tag.
    let padded = full - 17 - 12 - 16;
    assert!(padded.is_power_of_two() && padded >= 16 << 10, "{full}");
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let mode = e.metadata().unwrap().permissions().mode() & 0o777;
        let name = e.file_name().into_string().unwrap();
        assert!(
            mode == 0o600 || name == "diary.lock",
            "{name} has mode {mode:o}"
        );
        assert!(
            !name.starts_with("db"),
            "{name}: no sled store, no migration marker"
        );
    }
    let bytes = std::fs::read(dir.join("diary.bin")).unwrap();
    assert!(!bytes.windows(5).any(|w| w == b"Alice"));
}

/// Item 17: reading the diary works on a read-only disk.
#[test]
fn reading_works_on_a_read_only_disk() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    w.checkin("a")
        .args(["scan", &crown.payload()])
        .assert()
        .success();
    let dir = w.t.path().join("a");
    let ro = w.t.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    // As root, permission bits do not stop writes: a read-only mount does.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        == b"0\n";
    if root {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "tmpfs"])
            .arg(&ro)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: cannot mount a tmpfs to make read-only");
            return;
        }
    }
    let copy = ro.join("a");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let readonly = if root {
        std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&ro)
            .status()
            .unwrap()
            .success()
    } else {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o500)).is_ok()
    };
    assert!(readonly);
    let run = |args: &[&str]| {
        std::process::Command::new(tests::bin_dir().join("checkin"))
            .env("TZ", "UTC")
            .arg("--diary")
            .arg(&copy)
            .args(args)
            .output()
            .unwrap()
    };
    let diary = run(&["diary"]);
    let alerts = run(&["alerts"]);
    let scan = run(&["out"]);
    if root {
        let _ = std::process::Command::new("umount").arg(&ro).status();
    }
    assert!(
        diary.status.success(),
        "{}",
        String::from_utf8_lossy(&diary.stderr)
    );
    assert!(String::from_utf8_lossy(&diary.stdout).contains("The Crown"));
    assert!(alerts.status.success());
    assert!(
        !scan.status.success(),
        "a change cannot be saved, and says so"
    );
}

/// Item 18: a passphrase file must match how the diary is protected.
#[test]
fn a_passphrase_file_must_match_the_protection() {
    let w = world();
    let pass = w.t.path().join("pass.txt");
    std::fs::write(&pass, "correct horse battery\n").unwrap();
    w.checkin("a")
        .args(["--passphrase-file"])
        .arg(&pass)
        .args(["init", "--server", &w.server, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("without --passphrase"));
    assert!(!w.t.path().join("a").join("config.json").exists());
    w.init("b");
    w.checkin("b")
        .args(["--passphrase-file"])
        .arg(&pass)
        .arg("diary")
        .assert()
        .failure()
        .stderr(predicate::str::contains("protected by a device key"));
}

/// A poster outside its validity is refused with the date, not a Unix time (issue 18, item 5).
#[test]
fn an_expired_poster_is_refused_with_its_date() {
    let w = world();
    w.init("a");
    let keys =
        protocol::VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng)).keys();
    let old = protocol::Poster::sign(
        &keys,
        protocol::PosterInfo {
            name: "Old Inn".into(),
            address: String::new(),
            category: String::new(),
            default_stay_minutes: 60,
            validity: Some(protocol::Validity {
                from: 1_577_872_800,
                until: 1_580_551_200,
            }),
        },
    )
    .unwrap();
    w.checkin("a")
        .args(["scan", &old.payload()])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "this poster expired at 2020-02-01T10:00:00Z",
        ));
}

/// Issue 14, the two-party trigger, on the phone: a notice that only the tracer "approved"
/// never alerts, and the sync says it was ignored; the same notice approved by the venue
/// alerts and names the tracer, the authority and the venue.
#[test]
fn a_notice_without_the_venues_approval_never_alerts() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    let d = day();
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(d + 10 * 3600)])
        .assert()
        .success();
    w.checkin("a")
        .args(["out", "--at", &rfc(d + 11 * 3600)])
        .assert()
        .success();
    let tracer_key = Ed25519Secret::from_bytes(*w.tracer.key.to_bytes());
    w.publish(&crown, d + 10 * 3600, d + 11 * 3600, "Forged.", |s| {
        Approval::Venue(s.sign_as_officer(0, &tracer_key).signature)
    });
    let out = stdout(&w, "a", &["sync"]);
    assert!(out.contains("no new alerts"), "{out}");
    assert!(out.contains("Ignored 1 notice entry"), "{out}");
    assert!(
        json(&w, "a", &["alerts", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    w.notify(&crown, d + 10 * 3600, d + 11 * 3600, "Approved.");
    let out = stdout(&w, "a", &["sync"]);
    assert!(out.contains("1 new alert(s)"), "{out}");
    // The tracer's key fingerprint beside the name tells apart two tracers of one name.
    assert!(
        out.contains(&format!(
            "Issued by Tracer (tracer key {}), certified by Test Health Board, approved by the venue.",
            w.tracer.cert.tracer_fingerprint()
        )),
        "{out}"
    );
}

/// The authority revokes a tracer's key with the real `tracer authority revoke`: the server
/// refuses that tracer's new bundles, a phone that already alerted marks the alert withdrawn,
/// a phone that had not synced never alerts, and neither a phone nor the server goes back to
/// an older list, whichever server offers it.
#[test]
fn a_revoked_tracers_notices_are_refused_everywhere() {
    let w = world();
    w.init("a");
    w.init("b");
    let crown = poster("The Crown", 90);
    let d = day();
    for who in ["a", "b"] {
        w.checkin(who)
            .args(["scan", &crown.payload(), "--at", &rfc(d + 10 * 3600)])
            .assert()
            .success();
        w.checkin(who)
            .args(["out", "--at", &rfc(d + 11 * 3600)])
            .assert()
            .success();
    }
    w.notify(&crown, d + 10 * 3600, d + 11 * 3600, "Please book a test.");
    let out = stdout(&w, "a", &["sync"]);
    assert!(out.contains("1 new alert(s)"), "{out}");

    // The authority revokes the tracer's key and posts the list.
    let tracer_pub = w.t.path().join("tracer.pub");
    std::fs::write(
        &tracer_pub,
        ::common::keyfile::text(
            "checkin-tracer-pub v1",
            "public",
            w.tracer.key.verifying_key().as_bytes(),
        )
        .as_bytes(),
    )
    .unwrap();
    let revoke = |server: &str| {
        let mut c = assert_cmd::Command::new(tests::bin_dir().join("tracer"));
        c.env("TZ", "UTC")
            .args(["authority", "revoke", "--authority"])
            .arg(&w.authority)
            .arg("--tracer-pub")
            .arg(&tracer_pub)
            .args(["--server", server]);
        c
    };
    revoke("127.0.0.1:8000")
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a notify server URL"));
    assert!(
        !w.authority.join("revocations.bin").exists(),
        "checked first"
    );
    revoke(&w.server)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Revoked 1 new tracer key(s); the list names 1 in all",
        ))
        .stdout(predicate::str::contains("it now refuses their notices"));
    // Again: nothing new, nothing signed, and the server already holds it.
    revoke(&w.server)
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing new to revoke"))
        .stdout(predicate::str::contains("already held this list"));

    // The server refuses the tracer's next bundle.
    let bundle = signed_bundle(
        &w.tracer,
        &crown,
        d + 12 * 3600,
        d + 13 * 3600,
        "More.",
        |s| s.approve_as_venue(&venue_keys(&crown)),
    );
    match tracer::post_bundle(&w.server, &bundle) {
        Err(tracer::Error::Refused { status, error, .. }) => {
            assert_eq!(
                (status, error.as_str()),
                (403, "bundle_certificate_revoked")
            );
        }
        other => panic!(
            "a revoked tracer's bundle was not refused: {:?}",
            other.map(|_| ())
        ),
    }

    // The phone that alerted marks the alert; the one that had not synced never alerts.
    let out = stdout(&w, "a", &["sync"]);
    assert!(out.contains("has revoked 1 tracer key(s)"), "{out}");
    assert!(
        out.contains("1 of your alerts came from a tracer whose key is now revoked"),
        "{out}"
    );
    let alerts = json(&w, "a", &["alerts", "--json"]);
    assert_eq!(
        alerts.as_array().unwrap().len(),
        1,
        "the alert is kept, marked"
    );
    assert_eq!(alerts[0]["issuer_revoked"], true);
    let out = stdout(&w, "a", &["alerts"]);
    assert!(
        out.contains("WITHDRAWN: Test Health Board has since revoked"),
        "{out}"
    );
    let out = stdout(&w, "b", &["sync"]);
    assert!(out.contains("no new alerts"), "{out}");
    assert!(
        out.contains("Refused 1 notice bundle(s) signed by tracers whose keys"),
        "{out}"
    );
    assert!(
        json(&w, "b", &["alerts", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Nobody goes back. The server refuses an older list (409) and one another root signed
    // (403); a second server holding only an older list cannot roll a phone back.
    let auth = tracer::authority::load(&w.authority).unwrap();
    let held = protocol::RevocationList::verify(
        &auth.trust.root,
        &std::fs::read(w.authority.join("revocations.bin")).unwrap(),
        now(),
    )
    .unwrap();
    let older = protocol::RevocationList::sign(&auth.root, held.issued_at() - 60, &[]).unwrap();
    let refused = |server: &str, list: &protocol::RevocationList| match tracer::post_revocations(
        server, list,
    ) {
        Err(tracer::Error::Refused { status, error, .. }) => (status, error),
        other => panic!("not refused: {:?}", other.map(|_| ())),
    };
    assert_eq!(
        refused(&w.server, &older),
        (409, "revocation_not_newer".into())
    );
    let stranger = Ed25519Secret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let forged = protocol::RevocationList::sign(&stranger, now(), &[]).unwrap();
    assert_eq!(
        refused(&w.server, &forged),
        (403, "revocation_bad_signature".into())
    );
    let second = server(&w.t.path().join("data2"), &w.authority.join("trust.txt"));
    assert!(tracer::post_revocations(&second, &older).unwrap().replaced);
    let out = stdout(&w, "b", &["sync", "--server", &second]);
    assert!(out.contains("refused, and kept the one it had"), "{out}");
    assert!(out.contains("revocation_not_newer"), "{out}");
    // The first server serves the list it holds, for phones to fetch.
    let body: serde_json::Value = serde_json::from_str(
        &ureq::get(format!("{}/v1/revocations", w.server))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert!(body["revocations"].is_string());
}

/// Spec section 2, the server's row: a phone sends nothing at a sync that a server gave it.
/// Played as the server: every request two phones make, through a recording proxy, after the
/// server answered each of them differently before. Both ask for the same things, with the
/// same headers, so the server cannot tell one phone's syncs from another's by what they send.
#[test]
fn a_sync_carries_nothing_the_server_gave_the_phone() {
    use std::io::BufRead as _;
    let w = world();
    let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    {
        let (seen, upstream) = (seen.clone(), w.server.clone());
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            for stream in listener.incoming().flatten() {
                let (seen, upstream, agent) = (seen.clone(), upstream.clone(), agent.clone());
                std::thread::spawn(move || {
                    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                    loop {
                        let mut head = Vec::new();
                        let mut line = String::new();
                        while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                            head.push(line.trim_end().to_owned());
                            line.clear();
                        }
                        let Some(first) = head.first().cloned() else {
                            return;
                        };
                        // Every header but the host (the proxy's port) is recorded.
                        head.retain(|h| !h.to_ascii_lowercase().starts_with("host:"));
                        seen.lock().unwrap().push(head.join(" | "));
                        let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
                        let mut r = agent.get(format!("{upstream}{path}")).call().unwrap();
                        let status = r.status().as_u16();
                        let date = upstream_date(&r);
                        let mut body = Vec::new();
                        r.body_mut().as_reader().read_to_end(&mut body).unwrap();
                        // Each answer differs per connection: a server marking devices would.
                        let mark = format!("{:?}", std::thread::current().id());
                        // One write: a head and a body written apart wait on delayed ACKs.
                        let mut answer = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nDate: {date}\r\nETag: \"{mark}\"\r\nSet-Cookie: id={mark}\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        answer.extend_from_slice(&body);
                        let _ = (&stream).write_all(&answer);
                    }
                });
            }
        });
    }
    for who in ["a", "b"] {
        w.checkin(who)
            .args(["init", "--server", &proxy, "--trust"])
            .arg(w.authority.join("trust.txt"))
            .assert()
            .success();
    }
    let crown = poster("The Crown", 90);
    let d = day();
    w.notify(&crown, d + 10 * 3600, d + 11 * 3600, "Please book a test.");
    let sync = |who: &str| {
        seen.lock().unwrap().clear();
        stdout(&w, who, &["sync"]);
        let mut got = seen.lock().unwrap().clone();
        got.sort();
        got
    };
    // Which hours a phone asks for changes when an hour begins or closes (120 s after its
    // end); two syncs on either side of such a moment may differ, and nothing else may.
    let epoch = |t: u64| (t / 3600, t.saturating_sub(120) / 3600);
    let pair = || {
        let start = now();
        let (a, b) = (sync("a"), sync("b"));
        (a, b, epoch(start) != epoch(now()))
    };
    let (a1, b1, moved) = pair();
    // Every closed day of the 14 as one file, then today's hours one by one.
    assert!(
        a1.len() > 30,
        "a first sync asks for every day and today's hours: {}",
        a1.len()
    );
    assert!(moved || a1 == b1, "two phones' first syncs differ");
    let (a2, b2, moved) = pair();
    assert!(moved || a2 == b2, "two phones' second syncs differ");
    assert!(
        a2.len() < 5,
        "a second sync asks only for open hours: {a2:?}"
    );
    for req in a1.iter().chain(&a2) {
        let lower = req.to_ascii_lowercase();
        assert!(
            !lower.contains("cookie")
                && !lower.contains("if-none-match")
                && !lower.contains("thread"),
            "a request carries something the server gave: {req}"
        );
    }
}

/// Issue 15: a visit's records leave each on a connection of its own, so the server cannot
/// tie them together by the connection they came on. Played as the server, behind a proxy
/// that counts the requests on every connection.
#[test]
fn each_contact_record_leaves_on_its_own_connection() {
    use std::io::BufRead as _;
    let w = world();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    // Vault requests per connection.
    let per_connection: std::sync::Arc<std::sync::Mutex<Vec<usize>>> = Default::default();
    {
        let (per_connection, upstream) = (per_connection.clone(), w.server.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (per_connection, upstream) = (per_connection.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let slot = {
                        let mut p = per_connection.lock().unwrap();
                        p.push(0);
                        p.len() - 1
                    };
                    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                    loop {
                        let mut head = Vec::new();
                        let mut line = String::new();
                        while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                            head.push(line.trim_end().to_owned());
                            line.clear();
                        }
                        let Some(first) = head.first().cloned() else {
                            return;
                        };
                        let len: usize = head
                            .iter()
                            .find_map(|h| {
                                let (k, v) = h.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        let mut body = vec![0u8; len];
                        reader.read_exact(&mut body).unwrap();
                        let path = first.split_whitespace().nth(1).unwrap().to_owned();
                        let post = first.starts_with("POST");
                        if post && path == "/v1/vault" {
                            per_connection.lock().unwrap()[slot] += 1;
                        }
                        let agent: ureq::Agent = ureq::Agent::config_builder()
                            .http_status_as_error(false)
                            .build()
                            .into();
                        let mut r = if post {
                            agent
                                .post(format!("{upstream}{path}"))
                                .header("content-type", "application/json")
                                .send(&body[..])
                                .unwrap()
                        } else {
                            agent.get(format!("{upstream}{path}")).call().unwrap()
                        };
                        let status = r.status().as_u16();
                        let date = upstream_date(&r);
                        let mut answer = Vec::new();
                        r.body_mut().as_reader().read_to_end(&mut answer).unwrap();
                        let mut out = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nDate: {date}\r\n\r\n",
                            answer.len()
                        )
                        .into_bytes();
                        out.extend_from_slice(&answer);
                        if (&stream).write_all(&out).is_err() {
                            return;
                        }
                    }
                });
            }
        });
    }
    w.checkin("a")
        .args(["init", "--server", &proxy, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    w.checkin("a")
        .args([
            "contact",
            "set",
            "--name",
            "Alice",
            "--phone",
            "+44 7700 900001",
        ])
        .assert()
        .success();
    let crown = poster("The Crown", 90);
    let d = day();
    w.checkin("a")
        .args([
            "scan",
            &crown.payload(),
            "--share-contact",
            "--at",
            &rfc(d + 10 * 3600 + 600),
        ])
        .assert()
        .success();
    stdout(&w, "a", &["out", "--at", &rfc(d + 13 * 3600)]);
    let out = stdout(&w, "a", &["uploads", "send", "--all"]);
    assert!(out.contains("Sent 3 sealed contact upload(s)."), "{out}");
    let counts: Vec<usize> = per_connection
        .lock()
        .unwrap()
        .iter()
        .copied()
        .filter(|&n| n > 0)
        .collect();
    assert_eq!(
        counts,
        vec![1, 1, 1],
        "records shared a connection: {counts:?}"
    );
}

/// A time as the CLI shows it (UTC in these tests).
fn shown(t: u64) -> String {
    tracer::time::show(t, &jiff::tz::TimeZone::UTC)
}

/// A visit that ended at its automatic check-out is never reopened by `out`: without a time it
/// changes nothing, and says when the visit ended and how to change it with `edit`.
/// Rescanning the venue says the same, and advises nothing that would reopen it. A stated time
/// still corrects it.
#[test]
fn checking_out_after_the_automatic_check_out_never_reopens_the_visit() {
    let w = world();
    w.init("a");
    let crown = poster("The Crown", 90);
    let arrival = (now() / 60) * 60 - 20 * 3600;
    let ended = arrival + 90 * 60;
    w.checkin("a")
        .args(["scan", &crown.payload(), "--at", &rfc(arrival)])
        .assert()
        .success();
    let rescan = stdout(
        &w,
        "a",
        &["scan", &crown.payload(), "--at", &rfc(arrival + 600)],
    );
    assert!(
        rescan.contains(&format!(
            "until its automatic check-out at {}",
            shown(ended)
        )),
        "{rescan}"
    );
    assert!(!rescan.contains("stays open"), "{rescan}");
    assert!(!rescan.contains("'checkin out'"), "{rescan}");
    assert!(rescan.contains("checkin edit"), "{rescan}");
    let out = stdout(&w, "a", &["out"]);
    assert!(
        out.contains(&format!(
            "already ended at its automatic check-out, {}",
            shown(ended)
        )),
        "{out}"
    );
    assert!(out.contains("nothing was changed"), "{out}");
    assert!(
        out.contains(&format!(
            "checkin edit {} --arrive \"{}\" --leave \"{}\"",
            &json(&w, "a", &["diary", "--json"])[0]["id"]
                .as_str()
                .unwrap(),
            shown(arrival),
            shown(ended)
        )),
        "{out}"
    );
    let visits = json(&w, "a", &["diary", "--json"]);
    assert_eq!(visits.as_array().unwrap().len(), 1);
    assert_eq!(visits[0]["departure"], ended, "the visit stays as it ended");
    // A stated time still corrects the automatic check-out.
    let leave = arrival + 3 * 3600;
    stdout(&w, "a", &["out", "--at", &rfc(leave)]);
    assert_eq!(json(&w, "a", &["diary", "--json"])[0]["departure"], leave);
}

/// A poster made by its venue's key with the validity window `[from, until)`.
fn poster_valid(name: &str, from: u64, until: u64) -> protocol::Poster {
    let keys =
        protocol::VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng)).keys();
    protocol::Poster::sign(
        &keys,
        protocol::PosterInfo {
            name: name.into(),
            address: String::new(),
            category: String::new(),
            default_stay_minutes: 60,
            validity: Some(protocol::Validity { from, until }),
        },
    )
    .unwrap()
}

/// Spec section 7.3: a back-dated check-in needs a poster valid now and at the arrival. One
/// that expired an hour ago is refused even for an arrival before it expired; one valid only
/// since an hour ago is refused for an arrival before that, and accepted for one after.
#[test]
fn a_back_dated_check_in_needs_a_poster_valid_now_and_at_the_arrival() {
    let w = world();
    w.init("a");
    let t = (now() / 60) * 60;
    let expired = poster_valid("Old Inn", t - 2 * 86_400, t - 3600);
    w.checkin("a")
        .args(["scan", &expired.payload(), "--at", &rfc(t - 3 * 3600)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("this poster expired at"));
    let new = poster_valid("New Inn", t - 3600, t + 86_400);
    w.checkin("a")
        .args(["scan", &new.payload(), "--at", &rfc(t - 3 * 3600)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("this poster is valid only from"));
    assert!(stdout(&w, "a", &["diary"]).contains("Your diary is empty."));
    w.checkin("a")
        .args(["scan", &new.payload(), "--at", &rfc(t - 1800)])
        .assert()
        .success()
        .stdout(predicate::str::contains("Checked in at New Inn"));
}

/// `checkin` on a diary in `dir` (a path outside the test's world).
fn checkin_at(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(tests::bin_dir().join("checkin"));
    c.env("TZ", "UTC")
        .env_remove("CHECKIN_HOME")
        .arg("--diary")
        .arg(dir);
    c
}

/// Fills the file system holding `dir` until a write fails for want of space.
fn fill(dir: &Path) {
    let mut f = std::fs::File::create(dir.join("filler")).unwrap();
    for size in [1 << 20, 4096, 1] {
        let chunk = vec![0u8; size];
        while f.write_all(&chunk).and_then(|()| f.sync_all()).is_ok() {}
    }
}

/// `checkin scan` says "Checked in" only once the diary is on disk: on a full disk it fails
/// with the disk's error and says nothing of a check-in, and the diary is as it was.
#[test]
fn a_check_in_that_cannot_be_saved_is_never_reported_as_done() {
    let w = world();
    let work = w.t.path().join("disk");
    std::fs::create_dir(&work).unwrap();
    let Some(disk) = tests::powercut::disk_or_skip(&work, 16) else {
        return;
    };
    let dir = disk.path().join("a");
    checkin_at(&dir)
        .args(["init", "--server", &w.server, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    fill(disk.path());
    let crown = poster("The Crown", 90);
    let out = checkin_at(&dir)
        .args(["scan", &crown.payload()])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("Checked in"), "{stdout}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    let diary = checkin_at(&dir).args(["diary", "--json"]).output().unwrap();
    assert!(diary.status.success());
    assert_eq!(
        serde_json::from_slice::<Value>(&diary.stdout).unwrap(),
        Value::Array(vec![])
    );
    std::fs::remove_file(disk.path().join("filler")).unwrap();
    checkin_at(&dir)
        .args(["scan", &crown.payload()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Checked in at The Crown"));
}

/// On a disk that fails, every command names the failure; none says there is no diary and
/// advises 'checkin init' over the existing one.
#[test]
fn a_failing_disk_is_named_not_taken_for_a_missing_diary() {
    let w = world();
    let work = w.t.path().join("disk");
    std::fs::create_dir(&work).unwrap();
    let Some(disk) = tests::powercut::disk_or_skip(&work, 16) else {
        return;
    };
    let dir = disk.path().join("a");
    checkin_at(&dir)
        .args(["init", "--server", &w.server, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    // The file system fails as a dying disk does: every read and write is refused.
    disk.cut();
    let crown = poster("The Crown", 90).payload();
    for args in [
        vec!["diary"],
        vec!["scan", &crown],
        vec!["out"],
        vec!["trust", "trust.txt"],
    ] {
        let out = checkin_at(&dir).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(!stderr.contains("no diary"), "{args:?}: {stderr}");
        assert!(!stderr.contains("checkin init"), "{args:?}: {stderr}");
        assert!(stderr.contains("Input/output error"), "{args:?}: {stderr}");
    }
}

//! The phone client in a real browser (Debian's Chromium through playwright-core, `web/test/
//! browser/story.mjs`), against the real binaries: an authority and a certified tracer made
//! with `tracer`, a `notify-server` process, posters made with `venue-keygen`, and a notice
//! the tracer requested, the venue approved and the tracer published. The page checks in from
//! a poster's URL, checks out, syncs and shows the alert, refuses a tampered poster, and opens
//! again after a reload and offline; a second tracer's alert turns withdrawn once the story
//! has the authority revoke that tracer with `tracer authority revoke`. Screenshots go to `target/web-screenshots/` (not
//! committed); the test prints their paths and the measurements. The committed app is built
//! for the development authority (spec section 16d), so every story's server pins it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;
use tests::{certified_tracer, ok, start_server};

fn web() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

fn minute(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .unwrap()
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn fragment(dir: &Path, venue: &str) -> String {
    let url = std::fs::read_to_string(dir.join(venue).join("poster.url")).unwrap();
    url.trim().split_once('#').unwrap().1.to_owned()
}

/// In `dir`: the development authority (`authority/`, whose root the committed app carries)
/// and a tracer "A. Tracer" (`tracer/`) it certified for 30 days to publish and to query.
fn development_authority_and_tracer(dir: &Path) {
    common::authority::init_development(&dir.join("authority"), "Development authority").unwrap();
    certified_tracer(dir);
}

fn chromium() -> String {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "the browser tests need Chromium at {chromium} (apt-get install chromium; .ci/run does)"
    );
    chromium
}

/// Spec section 16d in a real browser (`web/test/browser/release.mjs`): a pin rewritten to
/// another authority is reported and repaired, not obeyed, and an installed app warns in words
/// when the server starts serving a changed app.js (through a proxy in front of the real
/// server).
#[test]
fn a_phone_repairs_a_rewritten_pin_and_warns_when_the_server_changes_the_app() {
    let chromium = chromium();
    let t = TempDir::new().unwrap();
    let d = t.path();
    common::authority::init_development(&d.join("authority"), "Development authority").unwrap();
    common::authority::init(&d.join("other"), "Other Board").unwrap();
    let running = start_server(d, &d.join("authority/trust.txt"));
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg("test/browser/release.mjs")
        .current_dir(web())
        .env("SERVER", &running.url)
        .env(
            "OTHER_TRUST",
            std::fs::read_to_string(d.join("other/trust.txt")).unwrap(),
        )
        .env("SHOTS", &shots)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): the web tests need Node.js 20"));
    assert!(
        out.status.success(),
        "the release story failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(
        out.stdout
            .rsplit(|&b| b == b'\n')
            .find(|l| !l.is_empty())
            .unwrap(),
    )
    .unwrap();
    println!("release story: {report}");
    assert_eq!(report["pinRepaired"], true);
    assert_eq!(report["appChangedWarned"], true);
}

#[test]
fn a_phone_checks_in_from_a_poster_url_gets_the_alert_and_works_offline() {
    let chromium = chromium();
    let t = TempDir::new().unwrap();
    let d = t.path();
    // The committed app is built for the development authority (spec section 16d): the
    // server pins it, and the tracer is certified by it.
    development_authority_and_tracer(d);
    let running = start_server(d, &d.join("authority/trust.txt"));
    let server = running.url.clone();
    let base = "--base-url=https://checkin.example/v1/c";
    for (venue, name) in [
        ("crown", "The Crown"),
        ("cafe", "Café Zürich"),
        ("anchor", "The Anchor"),
    ] {
        ok(
            d,
            "venue-keygen",
            &[
                "new",
                "--name",
                name,
                "--address",
                "1 High Street",
                "--category",
                "pub",
                "--stay",
                "90",
                base,
                "--out",
                venue,
            ],
        );
    }

    // A poster valid only from tomorrow: refused on the confirm screen, with its date.
    let tomorrow = minute(jiff::Timestamp::now().as_second() + 86_400);
    ok(
        d,
        "venue-keygen",
        &[
            "new",
            "--name",
            "The Later Bar",
            "--address",
            "2 High Street",
            "--valid-from",
            &format!("{tomorrow} UTC"),
            base,
            "--out",
            "later",
        ],
    );

    // A second tracer, whom the story has the authority revoke: its alert turns withdrawn.
    ok(d, "tracer", &["keygen", "--out", "tracer2"]);
    ok(
        d,
        "tracer",
        &[
            "authority",
            "certify",
            "--authority",
            "authority",
            "--tracer-pub",
            "tracer2/tracer.pub",
            "--name",
            "B. Tracer",
            "--days",
            "30",
            "--role",
            "publish",
        ],
    );

    // The notices: the Crown, then the Café, then (by the second tracer) the Anchor, each from
    // three hours ago to one hour ago, each approved by its venue; published in this order, so
    // the Crown's is first in its batch.
    let now = jiff::Timestamp::now().as_second();
    let (from, to) = ((now - 3 * 3600) / 60 * 60, (now - 3600) / 60 * 60);
    for (venue, tracer) in [
        ("crown", "tracer"),
        ("cafe", "tracer"),
        ("anchor", "tracer2"),
    ] {
        let (poster, requests, approval, key) = (
            format!("{venue}/poster.url"),
            format!("requests-{venue}"),
            format!("approval-{venue}.json"),
            format!("{venue}/venue.key"),
        );
        ok(
            d,
            "tracer",
            &[
                "notify",
                "request",
                "--key",
                tracer,
                "--poster",
                &poster,
                "--from",
                &minute(from),
                "--to",
                &minute(to),
                "--severity",
                "high",
                "--message",
                "You may have been exposed. Please book a test.",
                "--out",
                &requests,
            ],
        );
        let request = std::fs::read_dir(d.join(&requests))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        ok(
            d,
            "venue-keygen",
            &[
                "approve",
                "--yes",
                "--key",
                &key,
                "--trust",
                "authority/trust.txt",
                "--in",
                request.to_str().unwrap(),
                "--out",
                &approval,
            ],
        );
        ok(
            d,
            "tracer",
            &[
                "notify",
                "publish",
                "--key",
                tracer,
                "--server",
                &server,
                "--trust",
                "authority/trust.txt",
                "--approval",
                &approval,
            ],
        );
    }

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg("test/browser/story.mjs")
        .current_dir(web())
        .env("SERVER", &server)
        .env("CROWN", fragment(d, "crown"))
        .env("CAFE", fragment(d, "cafe"))
        .env("LATER", fragment(d, "later"))
        .env("ANCHOR", fragment(d, "anchor"))
        .env(
            "REVOKE",
            serde_json::json!([
                tests::bin_dir().join("tracer"),
                "authority",
                "revoke",
                "--authority",
                d.join("authority"),
                "--tracer-pub",
                d.join("tracer2/tracer.pub"),
                "--server",
                &server,
            ])
            .to_string(),
        )
        .env("SHOTS", &shots)
        .env("NOTICE_FROM", from.to_string())
        .env("NOTICE_TO", to.to_string())
        .env("CHROMIUM", &chromium)
        .env("CASE_OUT", d.join("case.bin"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): the web tests need Node.js 20"));
    assert!(
        out.status.success(),
        "the browser story failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(
        out.stdout
            .rsplit(|&b| b == b'\n')
            .find(|l| !l.is_empty())
            .unwrap(),
    )
    .unwrap();
    println!("browser story: {report}");
    for shot in report["screenshots"].as_array().unwrap() {
        let path = shot.as_str().unwrap();
        assert!(
            std::fs::metadata(path).unwrap().len() > 1000,
            "{path} is a real picture"
        );
        println!("screenshot: {path}");
    }
    assert_eq!(
        report["sync"]["bundles"], 3,
        "the three published bundles were verified"
    );

    // 3. The consented visit's records, sent by the page, opened by tracer, venue and authority
    // with the real tools.
    assert!(report["recordsSent"].as_u64().unwrap() >= 1);
    let (from_minute, to_minute) = (minute(from), minute(to));
    ok(
        d,
        "tracer",
        &[
            "vault",
            "fetch",
            "--key",
            "tracer",
            "--server",
            &server,
            "--poster",
            "crown/poster.url",
            "--from",
            &from_minute,
            "--to",
            &to_minute,
            "--out",
            "request.json",
        ],
    );
    ok(
        d,
        "venue-keygen",
        &[
            "unwrap",
            "--yes",
            "--key",
            "crown/venue.key",
            "--trust",
            "authority/trust.txt",
            "--in",
            "request.json",
            "--out",
            "response.json",
        ],
    );
    ok(
        d,
        "tracer",
        &[
            "vault",
            "open",
            "--authority",
            "authority",
            "--request",
            "request.json",
            "--in",
            "response.json",
            "--csv",
            "contacts.csv",
        ],
    );
    let csv = std::fs::read_to_string(d.join("contacts.csv")).unwrap();
    println!("contacts.csv:\n{csv}");
    assert!(
        csv.contains("Ada Example") && csv.contains("+44 7700 900123"),
        "{csv}"
    );

    // The case file the page saved opens with the authority's case key: both Crown visits.
    let case_open = |file: &str| {
        let listed = ok(
            d,
            "tracer",
            &[
                "case",
                "open",
                file,
                "--authority",
                "authority",
                "--tz",
                "UTC",
            ],
        );
        println!("tracer case open {file}:\n{listed}");
        assert_eq!(listed.matches("The Crown").count(), 2, "{listed}");
    };
    case_open("case.bin");

    // The same diary handed over as a code: the tracer fetches it once (typed in lower case)
    // and opens it; a second fetch finds nothing.
    let code = report["caseCode"].as_str().unwrap().to_lowercase();
    ok(
        d,
        "tracer",
        &[
            "case",
            "fetch",
            &code,
            "--server",
            &server,
            "--out",
            "by-code.bin",
        ],
    );
    case_open("by-code.bin");
    let again = tests::run(
        d,
        "tracer",
        &[
            "case",
            "fetch",
            &code,
            "--server",
            &server,
            "--out",
            "again.bin",
        ],
    );
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        !again.status.success() && err.contains("case_not_found"),
        "{err}"
    );
}

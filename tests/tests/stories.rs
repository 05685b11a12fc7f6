//! The whole story through the real binaries, as people would run them: a venue makes a
//! poster, citizens scan its PNG, a tracer notifies, phones sync, and consented contact details
//! are opened by tracer, venue and authority together. Plus the two tampering cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tempfile::TempDir;
use tests::{Server, ok, run, start_server};

/// The three steps of a notice with the real tools: the tracer asks (`notify request`), the
/// venue owner of `--poster`'s directory approves (`venue-keygen approve`), the tracer
/// publishes (`notify publish`). Returns what publish printed.
fn notify_ok(dir: &Path, server: &str, args: &[&str]) -> String {
    let requests = dir.join("requests");
    let _ = std::fs::remove_dir_all(&requests);
    let mut req = vec!["notify", "request", "--key", "tracer", "--out", "requests"];
    req.extend_from_slice(args);
    ok(dir, "tracer", &req);
    let poster = args[args.iter().position(|a| *a == "--poster").unwrap() + 1];
    let venue = Path::new(poster).parent().unwrap().join("venue.key");
    let request = std::fs::read_dir(&requests)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let approval = dir.join("approval.json");
    ok(
        dir,
        "venue-keygen",
        &[
            "approve",
            "--yes",
            "--force",
            "--key",
            venue.to_str().unwrap(),
            "--trust",
            "authority/trust.txt",
            "--in",
            request.to_str().unwrap(),
            "--out",
            approval.to_str().unwrap(),
        ],
    );
    ok(
        dir,
        "tracer",
        &[
            "notify",
            "publish",
            "--key",
            "tracer",
            "--server",
            server,
            "--trust",
            "authority/trust.txt",
            "--approval",
            approval.to_str().unwrap(),
        ],
    )
}

/// The first step of [`notify_ok`], required to fail; returns stderr.
fn notify_fails(dir: &Path, _server: &str, args: &[&str]) -> String {
    let mut req = vec!["notify", "request", "--key", "tracer", "--out", "requests"];
    req.extend_from_slice(args);
    fails(dir, "tracer", &req)
}

/// Runs and requires failure; returns stderr.
fn fails(dir: &Path, bin: &str, args: &[&str]) -> String {
    let out = run(dir, bin, args);
    assert!(
        !out.status.success(),
        "{bin} {args:?} should have failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

/// An HTTP proxy in front of `upstream` that alters one byte of the first bundle of every hour
/// batch it forwards, as a hostile network would; everything else passes unchanged.
fn tampering_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (upstream, agent) = (upstream.clone(), agent.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
                        break;
                    }
                }
                let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let Ok(mut r) = agent.get(format!("{upstream}{path}")).call() else {
                    return;
                };
                let status = r.status().as_u16();
                // Passed on, as HTTP proxies do: phones close hours by it (spec section 12.3).
                let date = r
                    .headers()
                    .get("date")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let kind = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/json")
                    .to_owned();
                let mut body = Vec::new();
                r.body_mut().as_reader().read_to_end(&mut body).unwrap_or(0);
                // A batch: version, hour (8), count (4), then the first bundle's length (4).
                let count = body
                    .get(9..13)
                    .map(|c| u32::from_be_bytes(c.try_into().unwrap()));
                if path.starts_with("/v1/batches/") && status == 200 && count > Some(0) {
                    body[17 + 300] ^= 1;
                }
                let mut s = stream;
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nDate: {date}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Yesterday at hh:mm UTC, as the "YYYY-MM-DD HH:MM" the tools read (TZ=UTC).
fn yesterday(hm: &str) -> String {
    let d = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .unwrap();
    format!("{} {hm}", d.strftime("%Y-%m-%d"))
}

struct World {
    t: TempDir,
    server: Server,
}

impl World {
    fn dir(&self) -> &Path {
        self.t.path()
    }

    fn checkin(&self, who: &str, args: &[&str]) -> String {
        let mut all = vec!["--diary", who];
        all.extend_from_slice(args);
        ok(self.dir(), "checkin", &all)
    }
}

fn world() -> World {
    let t = TempDir::new().unwrap();
    let d = t.path();
    tests::authority_and_tracer(d);
    let server = start_server(d, &d.join("authority/trust.txt"));
    ok(
        d,
        "venue-keygen",
        &[
            "new",
            "--name",
            "The Crown",
            "--address",
            "1 High Street",
            "--category",
            "pub",
            "--stay",
            "90",
            "--out",
            "crown",
        ],
    );
    ok(
        d,
        "venue-keygen",
        &[
            "new",
            "--name",
            "Café Zürich",
            "--address",
            "Limmatquai 1",
            "--category",
            "cafe",
            "--out",
            "cafe",
        ],
    );
    let w = World { t, server };
    for who in ["a", "b", "c"] {
        w.checkin(
            who,
            &[
                "init",
                "--trust",
                "authority/trust.txt",
                "--server",
                &w.server.url,
            ],
        );
    }
    w
}

#[test]
fn notice_and_vault_stories() {
    let w = world();
    let d = w.dir();
    // A and B consent to share contact details; C does not.
    w.checkin(
        "a",
        &[
            "contact",
            "set",
            "--name",
            "Alice Example",
            "--phone",
            "+44 7700 900001",
            "--email",
            "alice@example.org",
        ],
    );
    w.checkin(
        "b",
        &[
            "contact",
            "set",
            "--name",
            "Bob Example",
            "--phone",
            "+44 7700 900002",
        ],
    );
    w.checkin(
        "c",
        &[
            "contact",
            "set",
            "--name",
            "Carol Example",
            "--phone",
            "+44 7700 900003",
        ],
    );
    // A scans the poster's PNG at 12:10 and leaves at 13:40.
    let out = w.checkin(
        "a",
        &[
            "scan",
            "crown/poster.png",
            "--at",
            &yesterday("12:10"),
            "--share-contact",
        ],
    );
    assert!(out.contains("Checked in at The Crown"), "{out}");
    w.checkin("a", &["out", "--at", &yesterday("13:40")]);
    // B at the same venue 16:00–17:00; C at another venue at 12:30.
    w.checkin(
        "b",
        &[
            "scan",
            "crown/poster.png",
            "--at",
            &yesterday("16:00"),
            "--share-contact",
        ],
    );
    w.checkin("b", &["out", "--at", &yesterday("17:00")]);
    w.checkin(
        "c",
        &["scan", "cafe/poster.png", "--at", &yesterday("12:30")],
    );
    w.checkin("c", &["out", "--at", &yesterday("13:00")]);
    // Uploads leave in slots, one record each, never at check-out or with a sync. In its first
    // slot A sends one of its two contact records; C, who shares nothing, sends a cover record
    // of the same size in its slot, which no venue opens.
    let up = w.checkin("a", &["uploads", "send"]);
    assert!(
        up.contains("Sent 1 upload(s): 1 contact record(s) and 0 cover record(s)."),
        "{up}"
    );
    let up = w.checkin("c", &["uploads", "send"]);
    assert!(
        up.contains("Sent 1 upload(s): 0 contact record(s) and 1 cover record(s)."),
        "{up}"
    );
    // The story cannot wait for the next slots: the rest now.
    w.checkin("a", &["uploads", "send", "--all"]);
    w.checkin("b", &["uploads", "send", "--all"]);

    // The tracer notifies the Crown for 12:00–14:00.
    let out = notify_ok(
        d,
        &w.server.url,
        &[
            "--poster",
            "crown/poster.png",
            "--from",
            &yesterday("12:00"),
            "--to",
            &yesterday("14:00"),
            "--severity",
            "high",
            "--message",
            "You may have been exposed at The Crown. Please book a test.",
        ],
    );
    assert!(out.contains("sequence number 1."), "{out}");

    // Everyone syncs: only A is alerted, with the right venue, times and message.
    let a = w.checkin("a", &["sync"]);
    assert!(
        a.contains("1 new alert(s)") && a.contains("you were at The Crown"),
        "{a}"
    );
    assert!(
        a.contains(&format!(
            "{} UTC – {} UTC",
            yesterday("12:10"),
            yesterday("13:40")
        )),
        "{a}"
    );
    assert!(a.contains("Please book a test."), "{a}");
    assert!(w.checkin("b", &["sync"]).contains("no new alerts"));
    assert!(w.checkin("c", &["sync"]).contains("no new alerts"));
    // A second sync changes nothing.
    assert!(w.checkin("a", &["sync"]).contains("no new alerts"));
    let alerts: serde_json::Value =
        serde_json::from_str(&w.checkin("a", &["alerts", "--json"])).unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["venue"], "The Crown");
    assert_eq!(alerts[0]["overlap_minutes"], 90);
    for who in ["b", "c"] {
        assert!(w.checkin(who, &["alerts"]).contains("No alerts."));
    }

    // The vault: the tracer fetches, the venue unwraps offline, the authority opens.
    let out = ok(
        d,
        "tracer",
        &[
            "vault",
            "fetch",
            "--key",
            "tracer",
            "--server",
            &w.server.url,
            "--poster",
            "crown/poster.png",
            "--from",
            &yesterday("12:00"),
            "--to",
            &yesterday("14:00"),
            "--out",
            "request.json",
        ],
    );
    assert!(
        out.contains(
            "record(s) filed under the venue's bucket from the first day of 2 hour(s) to today"
        ),
        "{out}"
    );
    let out = ok(
        d,
        "venue-keygen",
        &[
            "unwrap",
            "--yes",
            "--trust",
            "authority/trust.txt",
            "--key",
            "crown/venue.key",
            "--in",
            "request.json",
            "--out",
            "response.json",
        ],
    );
    assert!(out.contains("Stripped 2 record(s)"), "{out}");
    let out = ok(
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
    assert!(out.contains("Opened 1 contact(s)"), "{out}");
    let csv = std::fs::read_to_string(d.join("contacts.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[1].starts_with("Alice Example,+44 7700 900001,alice@example.org,1,"),
        "{csv}"
    );
    assert!(!csv.contains("Bob") && !csv.contains("Carol"), "{csv}");
}

#[test]
fn tampering_is_caught() {
    let w = world();
    let d = w.dir();
    // A poster whose name was changed and re-encoded into a valid URL is refused at scan.
    let url = std::fs::read_to_string(d.join("crown/poster.url")).unwrap();
    let (base, payload) = url.trim().split_once('#').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
    let name_at = 67; // the name's first byte (spec section 7.1)
    assert_eq!(bytes[name_at], b'T');
    bytes[name_at] = b'F'; // "Fhe Crown"
    let forged = format!("{base}#{}", URL_SAFE_NO_PAD.encode(&bytes));
    let err = fails(d, "checkin", &["--diary", "a", "scan", &forged]);
    assert!(err.contains("signature does not verify"), "{err}");
    assert!(w.checkin("a", &["diary"]).contains("Your diary is empty."));

    // A bundle altered in transit is refused at sync, and nothing from it is stored.
    w.checkin(
        "a",
        &["scan", "crown/poster.png", "--at", &yesterday("12:10")],
    );
    w.checkin("a", &["out", "--at", &yesterday("13:40")]);
    notify_ok(
        d,
        &w.server.url,
        &[
            "--poster",
            "crown/poster.png",
            "--from",
            &yesterday("12:00"),
            "--to",
            &yesterday("14:00"),
            "--severity",
            "high",
            "--message",
            "Real notice.",
        ],
    );
    // A second notice for the same visit, published after the first.
    notify_ok(
        d,
        &w.server.url,
        &[
            "--poster",
            "crown/poster.png",
            "--from",
            &yesterday("13:00"),
            "--to",
            &yesterday("13:30"),
            "--severity",
            "low",
            "--message",
            "Second notice.",
        ],
    );
    // The proxy alters the first bundle of every hour's batch: that one is skipped and
    // reported, and the one after it in the same batch still arrives.
    let proxy = tampering_proxy(w.server.url.clone());
    let out = ok(d, "checkin", &["--diary", "a", "sync", "--server", &proxy]);
    assert!(
        out.contains("1 notice bundle(s) failed verification and were skipped"),
        "{out}"
    );
    assert!(
        out.contains("1 new alert(s)") && out.contains("Second notice."),
        "{out}"
    );
    let alerts = w.checkin("a", &["alerts"]);
    assert!(!alerts.contains("Real notice."), "{alerts}");
    // The genuine server delivers the skipped one afterwards: it is fetched again at the next
    // sync, so nothing was lost by refusing.
    let out = w.checkin("a", &["sync"]);
    assert!(
        out.contains("1 new alert(s)") && out.contains("Real notice."),
        "{out}"
    );
}

/// Posters are read by their content, whatever the file is called; `poster.url` is a poster;
/// a directory or a missing file is named as what it is (issue 18, item 4).
#[test]
fn posters_are_read_by_content() {
    let w = world();
    let d = w.dir();
    std::fs::copy(d.join("crown/poster.png"), d.join("photo")).unwrap();
    std::fs::copy(d.join("crown/poster.png"), d.join("IMG_0001.JPG")).unwrap();
    for poster in ["photo", "IMG_0001.JPG", "crown/poster.url"] {
        let out = w.checkin("a", &["scan", poster, "--at", &yesterday("09:00")]);
        assert!(out.contains("Checked in at The Crown"), "{poster}: {out}");
        w.checkin("a", &["out", "--at", &yesterday("09:30")]);
        let inspected = ok(d, "venue-keygen", &["inspect", poster]);
        assert!(
            inspected.contains("Signature:     valid"),
            "{poster}: {inspected}"
        );
    }
    let err = fails(d, "checkin", &["--diary", "a", "scan", "crown"]);
    assert!(err.contains("crown is a directory, not a poster"), "{err}");
    let err = notify_fails(
        d,
        &w.server.url,
        &[
            "--poster",
            "crown/poster.jpg",
            "--from",
            &yesterday("09:00"),
            "--to",
            &yesterday("10:00"),
            "--severity",
            "low",
            "--message",
            "x",
        ],
    );
    assert!(err.contains("no such file: crown/poster.jpg"), "{err}");
}

//! The phone's sync rules (spec sections 12.3 and 13) against a real notify-server: a closed
//! hour withheld once is fetched again, a phone whose clock runs fast does not hold the hour
//! the server is still filling, and a notice republished in another bundle alerts once.
//!
//! Between the phone and the real server stands a proxy that plays what the server cannot: a
//! cache that withholds an hour once, and a server clock of the test's choosing (its `Date`).
//! The phone is the `client` library, whose sync takes its clock as an argument, and the
//! `checkin` binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::io::{BufRead as _, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

mod common;
use common::*;

/// What the proxy does to a batch: `Some(status)` answers that status (with an empty batch for
/// 200) instead of the server's answer.
type Withhold = Box<dyn Fn(u64) -> Option<u16> + Send + Sync>;

/// A proxy in front of `upstream` whose answers carry the `Date` of a clock `shift` seconds
/// from the real one, that answers a batch as `withhold` says (a day file: withheld whole when
/// any of its hours is), and that records the hours asked for (every hour of a day file) and
/// every path.
struct Proxy {
    url: String,
    shift: Arc<AtomicI64>,
    withhold: Arc<Mutex<Withhold>>,
    asked: Arc<Mutex<Vec<u64>>>,
    paths: Arc<Mutex<Vec<String>>>,
}

fn http_date(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .unwrap()
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn proxy(upstream: &str) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let p = Proxy {
        url: format!("http://{}", listener.local_addr().unwrap()),
        shift: Arc::new(AtomicI64::new(0)),
        withhold: Arc::new(Mutex::new(Box::new(|_| None))),
        asked: Arc::default(),
        paths: Arc::default(),
    };
    let (shift, withhold, asked) = (p.shift.clone(), p.withhold.clone(), p.asked.clone());
    let paths = p.paths.clone();
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        for stream in listener.incoming().flatten() {
            let (shift, withhold, asked) = (shift.clone(), withhold.clone(), asked.clone());
            let paths = paths.clone();
            let (upstream, agent) = (upstream.clone(), agent.clone());
            std::thread::spawn(move || {
                let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut first = String::new();
                    if reader.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        line.clear();
                    }
                    let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    paths.lock().unwrap().push(path.clone());
                    let hour = path
                        .strip_prefix("/v1/batches/")
                        .and_then(|h| h.parse::<u64>().ok());
                    let day = path
                        .strip_prefix("/v1/days/")
                        .and_then(|d| d.parse::<u64>().ok());
                    let date = http_date(now() as i64 + shift.load(Ordering::SeqCst));
                    let held_back = hour.and_then(|h| {
                        asked.lock().unwrap().push(h);
                        (withhold.lock().unwrap())(h).map(|s| (h, s))
                    });
                    let day_held_back = day.and_then(|d| {
                        let hours = protocol::batch::hours_of_day(d);
                        asked.lock().unwrap().extend(hours.clone());
                        let w = withhold.lock().unwrap();
                        hours.into_iter().find_map(&*w).map(|s| (d, s))
                    });
                    let (status, body) = match (held_back, day_held_back) {
                        (Some((h, 200)), _) => (
                            200,
                            protocol::batch::encode_batch(h, std::iter::empty()).unwrap(),
                        ),
                        (_, Some((d, 200))) => {
                            let empty: Vec<Vec<u8>> = protocol::batch::hours_of_day(d)
                                .map(|h| {
                                    protocol::batch::encode_batch(h, std::iter::empty()).unwrap()
                                })
                                .collect();
                            (
                                200,
                                protocol::batch::encode_day(d, empty.iter().map(Vec::as_slice))
                                    .unwrap(),
                            )
                        }
                        (Some((_, status)), _) | (_, Some((_, status))) => (status, Vec::new()),
                        (None, None) => {
                            let mut r = agent.get(format!("{upstream}{path}")).call().unwrap();
                            let mut body = Vec::new();
                            r.body_mut().as_reader().read_to_end(&mut body).unwrap();
                            (r.status().as_u16(), body)
                        }
                    };
                    let mut out = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nDate: {date}\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    out.extend_from_slice(&body);
                    if (&stream).write_all(&out).is_err() {
                        return;
                    }
                }
            });
        }
    });
    p
}

/// A diary `who` synced through `url`, with a visit to `crown` two hours ago that the notice
/// `w.notify` publishes for covers in full.
fn diary_with_visit(w: &World, who: &str, url: &str, crown: &protocol::Poster, t: u64) {
    w.checkin(who)
        .args(["init", "--server", url, "--trust"])
        .arg(w.authority.join("trust.txt"))
        .assert()
        .success();
    w.checkin(who)
        .args(["scan", &crown.payload(), "--at", &rfc(t - 2 * 3600)])
        .assert()
        .success();
    w.checkin(who)
        .args(["out", "--at", &rfc(t - 3600)])
        .assert()
        .success();
}

/// Syncs diary `who` with the phone's clock at `at`; returns the alerts the diary holds.
fn sync_at(w: &World, who: &str, at: u64) -> usize {
    let mut s = client::Session::open(&w.t.path().join(who), None, client::Access::Write).unwrap();
    s.sync(None, at, &|_| {}).unwrap();
    s.alerts().len()
}

fn alerts_json(w: &World, who: &str) -> Value {
    let out = w.checkin(who).args(["alerts", "--json"]).output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn a_closed_hour_withheld_once_is_fetched_again(status: u16) {
    let w = world();
    let p = proxy(&w.server);
    let crown = poster("The Crown", 90);
    let t = now();
    diary_with_visit(&w, "a", &p.url, &crown, t);
    w.notify(&crown, t - 2 * 3600, t - 3600, "Please book a test.");
    let hour = now() / 3600;

    // Two hours on, by both clocks, a cache answers the notice's hour once withheld.
    let first = std::sync::atomic::AtomicBool::new(true);
    *p.withhold.lock().unwrap() =
        Box::new(move |h| (h == hour && first.swap(false, Ordering::SeqCst)).then_some(status));
    p.shift.store(2 * 3600, Ordering::SeqCst);
    assert_eq!(sync_at(&w, "a", t + 2 * 3600), 0, "withheld");

    // Minutes later the hour's second look is not due yet: it is held.
    p.asked.lock().unwrap().clear();
    p.shift.store(2 * 3600 + 600, Ordering::SeqCst);
    assert_eq!(sync_at(&w, "a", t + 2 * 3600 + 600), 0);
    assert!(!p.asked.lock().unwrap().contains(&hour));

    // A day later (the latest its second look can fall) it is fetched again, and alerts.
    p.asked.lock().unwrap().clear();
    p.shift.store(26 * 3600 + 600, Ordering::SeqCst);
    assert_eq!(sync_at(&w, "a", t + 26 * 3600 + 600), 1, "fetched again");
    assert!(p.asked.lock().unwrap().contains(&hour));

    // Then it is held for good.
    p.asked.lock().unwrap().clear();
    p.shift.store(50 * 3600, Ordering::SeqCst);
    sync_at(&w, "a", t + 50 * 3600);
    assert!(!p.asked.lock().unwrap().contains(&hour));
}

#[test]
fn a_closed_hour_answered_once_410_is_fetched_again_and_its_notice_alerts() {
    a_closed_hour_withheld_once_is_fetched_again(410);
}

#[test]
fn a_closed_hour_answered_once_empty_is_fetched_again_and_its_notice_alerts() {
    a_closed_hour_withheld_once_is_fetched_again(200);
}

#[test]
fn a_phone_clock_25_minutes_fast_does_not_hold_the_hour_the_server_is_filling() {
    let w = world();
    let p = proxy(&w.server);
    let crown = poster("The Crown", 90);
    let t = now();
    diary_with_visit(&w, "a", &p.url, &crown, t);
    // The server's clock reads ten minutes before the current hour ends; the phone's 25
    // minutes more, past the hour's close.
    let hour = t / 3600;
    let server = (hour + 1) * 3600 - 600;
    p.shift.store(server as i64 - t as i64, Ordering::SeqCst);
    assert_eq!(sync_at(&w, "a", server + 1500), 0);

    // A notice is published later in the hour; the next sync sees it.
    w.notify(&crown, t - 2 * 3600, t - 3600, "Please book a test.");
    p.shift
        .store(server as i64 + 300 - t as i64, Ordering::SeqCst);
    assert_eq!(sync_at(&w, "a", server + 300 + 1500), 1);
}

#[test]
fn a_notice_republished_in_another_bundle_alerts_once() {
    let w = world();
    let crown = poster("The Crown", 90);
    let t = now();
    diary_with_visit(&w, "a", &w.server, &crown, t);
    w.notify(&crown, t - 2 * 3600, t - 3600, "Please book a test.");
    let out = w.checkin("a").arg("sync").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("ALERT"));
    // Published again: another bundle (another salt, another id), the same notice.
    w.notify(&crown, t - 2 * 3600, t - 3600, "Please book a test.");
    let out = w.checkin("a").arg("sync").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("ALERT"), "{text}");
    let alerts = alerts_json(&w, "a");
    assert_eq!(alerts.as_array().unwrap().len(), 1, "{alerts}");
}

/// A new phone's first sync of the whole window through the real server: closed days come as
/// day files, so it is at most 40 requests (the revocation list, up to 15 day files, and up to
/// 24 hours of the current and oldest days), not one per hour; and the notice published two
/// hours ago still alerts.
#[test]
fn a_first_sync_of_14_days_is_at_most_40_requests() {
    let w = world();
    let p = proxy(&w.server);
    let crown = poster("The Crown", 90);
    let t = now();
    diary_with_visit(&w, "a", &p.url, &crown, t);
    w.notify(&crown, t - 2 * 3600, t - 3600, "Please book a test.");
    p.paths.lock().unwrap().clear();
    let out = w.checkin("a").arg("sync").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("ALERT"), "{text}");
    let paths = p.paths.lock().unwrap().clone();
    let days = paths.iter().filter(|x| x.starts_with("/v1/days/")).count();
    assert!(paths.len() <= 40, "{} requests: {paths:?}", paths.len());
    assert!((14..=15).contains(&days), "{days} day files: {paths:?}");
    // Every hour of the window was asked for, once, as an hour or within its day.
    let asked: std::collections::BTreeSet<u64> = p.asked.lock().unwrap().iter().copied().collect();
    let window = protocol::client::sync_window(t);
    assert!(window.clone().all(|h| asked.contains(&h)), "{asked:?}");
}

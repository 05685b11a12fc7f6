//! Crash loops for the `checkin` binary: SIGKILL at a random moment of a scan, then of a sync,
//! many times over. After every kill the diary must open, hold everything a finished command
//! reported, and hold nothing half-done (no duplicate visits or alerts, at most one open
//! visit, no alert that was never due). `CRASH_ITERATIONS` sets the count per loop
//! (`scripts/crash-loops.sh` runs 100); `CRASH_SEED` replays a run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use protocol::*;
use rand::{RngExt as _, SeedableRng as _};
use serde_json::Value;

fn iterations() -> usize {
    std::env::var("CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// Runs `checkin` with `args` and SIGKILLs it after `kill_after` unless it finished first.
/// Returns whether it finished successfully on its own, and how long it ran.
fn run_and_kill(w: &World, who: &str, args: &[&str], kill_after: Duration) -> (bool, Duration) {
    let mut child = std::process::Command::new(tests::bin_dir().join("checkin"))
        .env("TZ", "UTC")
        .env_remove("CHECKIN_HOME")
        .arg("--diary")
        .arg(w.t.path().join(who))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.success(), start.elapsed());
        }
        if start.elapsed() >= kill_after {
            child.kill().unwrap(); // SIGKILL
            let status = child.wait().unwrap();
            return (status.success(), start.elapsed());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Copies a diary that failed a check to `CARGO_TARGET_TMPDIR/crash-evidence/`, for study.
fn keep_evidence(w: &World, who: &str) -> String {
    let to = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("crash-evidence")
        .join(format!("{who}-{}", now()));
    let _ = std::fs::create_dir_all(to.parent().unwrap_or(&to));
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(w.t.path().join(who))
        .arg(&to)
        .status();
    let files = std::process::Command::new("ls")
        .args(["-laR"])
        .arg(&to)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    format!("kept in {} ({status:?}):\n{files}", to.display())
}

fn json(w: &World, who: &str, args: &[&str]) -> Value {
    let out = w.checkin(who).args(args).output().unwrap();
    if !out.status.success() {
        panic!(
            "`checkin {}` failed after a kill: {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            keep_evidence(w, who)
        );
    }
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "`checkin {}` printed no JSON ({e}): {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn seed() -> u64 {
    std::env::var("CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(now)
}

#[test]
fn crash_loop_client_mid_scan_and_mid_sync() {
    let seed = seed();
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(seed);
    let w = world();
    w.init("c");
    let n = iterations();
    // One venue per iteration, each visited for an hour, all within the last n + 2 hours.
    let venues: Vec<Poster> = (0..n).map(|i| poster(&format!("Venue {i}"), 60)).collect();
    let base = (now() / 3600 - n as u64 - 2) * 3600;
    let at = |i: usize| base + i as u64 * 3600;

    // Calibrate: how long an uninterrupted command takes, so kills land inside it.
    w.init("calibrate");
    let url = poster("Calibration", 60)
        .to_url("https://checkin.example/v1/c")
        .unwrap();
    let (_, scan_time) = run_and_kill(&w, "calibrate", &["scan", &url], Duration::from_secs(60));

    // --- Mid-scan.
    let mut acked = BTreeSet::new();
    let mut killed = 0;
    for (i, p) in venues.iter().enumerate() {
        let url = p.to_url("https://checkin.example/v1/c").unwrap();
        let kill_after = scan_time.mul_f64(rng.random_range(0.0..1.5));
        let (ok, _) = run_and_kill(&w, "c", &["scan", &url, "--at", &rfc(at(i))], kill_after);
        if ok {
            acked.insert(format!("Venue {i}"));
        } else {
            killed += 1;
        }
        let diary = json(&w, "c", &["diary", "--json"]);
        let rows = diary.as_array().unwrap();
        let names: Vec<String> = rows
            .iter()
            .map(|r| r["venue"].as_str().unwrap().to_owned())
            .collect();
        let unique: BTreeSet<String> = names.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            names.len(),
            "seed {seed}: a visit was stored twice"
        );
        assert!(
            acked.is_subset(&unique),
            "seed {seed}: an acknowledged scan was lost: {:?}",
            acked.difference(&unique).collect::<Vec<_>>()
        );
        assert!(
            unique
                .iter()
                .all(|v| (0..=i).any(|j| *v == format!("Venue {j}"))),
            "seed {seed}: a visit nobody scanned"
        );
        let open = rows.iter().filter(|r| r["departure"].is_null()).count();
        assert!(open <= 1, "seed {seed}: {open} visits open at once");
    }
    let visited: BTreeSet<String> = json(&w, "c", &["diary", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["venue"].as_str().unwrap().to_owned())
        .collect();

    // --- Mid-sync. Each round publishes one notice (every fifth for a venue never visited)
    // and kills a sync part-way.
    let (_, sync_time) = run_and_kill(&w, "c", &["sync"], Duration::from_secs(60));
    let mut due: BTreeMap<String, String> = BTreeMap::new(); // message -> venue
    let mut sync_killed = 0;
    for j in 0..n {
        let i = rng.random_range(0..n);
        let message = format!("notice {j}");
        let venue = if j % 5 == 0 {
            poster(&format!("Elsewhere {j}"), 60)
        } else {
            venues[i].clone()
        };
        w.notify(&venue, at(i), at(i) + 1800, &message);
        if visited.contains(&venue.info().name) {
            due.insert(message, venue.info().name.clone());
        }
        let kill_after = sync_time.mul_f64(rng.random_range(0.0..1.5));
        let (ok, _) = run_and_kill(&w, "c", &["sync"], kill_after);
        if !ok {
            sync_killed += 1;
        }
        let got = alert_pairs(&w);
        let unique: BTreeSet<_> = got.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            got.len(),
            "seed {seed}: an alert was stored twice"
        );
        for (m, v) in &unique {
            assert_eq!(
                due.get(m),
                Some(v),
                "seed {seed}: an alert that was not due: {m}"
            );
        }
        if ok {
            assert_eq!(
                unique.len(),
                due.len(),
                "seed {seed}: a finished sync missed alerts"
            );
        }
    }
    // A last, uninterrupted sync delivers exactly what is due.
    w.checkin("c").arg("sync").assert().success();
    let got: BTreeMap<String, String> = alert_pairs(&w).into_iter().collect();
    assert_eq!(got, due, "seed {seed}");
    eprintln!(
        "client crash loop, seed {seed}: {n} scans ({killed} killed, {} acknowledged, {} in the diary), \
         {n} syncs ({sync_killed} killed); {} alerts due, all delivered once, none lost. \
         Uninterrupted scan {:?}, sync {:?}",
        acked.len(),
        visited.len(),
        due.len(),
        scan_time,
        sync_time
    );
    assert!(
        killed > 0 || n < 3,
        "no scan was killed: the loop tested nothing"
    );
}

/// Every stored alert as (message, venue), in the order `alerts --json` lists them.
fn alert_pairs(w: &World) -> Vec<(String, String)> {
    let alerts = json(w, "c", &["alerts", "--json"]);
    alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["message"].as_str().unwrap().to_owned(),
                a["venue"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

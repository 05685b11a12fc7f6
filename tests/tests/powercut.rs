//! Power cuts through the command-line tools: the citizen's diary and the key files, posters
//! and case files the tools write, on a throw-away ext4 file system that is shut down,
//! journal uncommitted, at a random moment while the tools run (see `tests::powercut`). After
//! each cut the file system is mounted again and everything a tool said "OK" for (exit 0)
//! must be there, byte for byte, and the diary must open.
//!
//! `POWERCUT_TRIALS` sets the number of cuts (default 3; `scripts/powercut.sh` runs 20);
//! `POWERCUT_SEED` replays a run. Needs root and a loop device; skips, saying so, without.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tempfile::TempDir;
use tests::bin_dir;
use tests::powercut::{disk_or_skip, trials};

fn tool(bin: &str, args: &[&str]) -> Output {
    Command::new(bin_dir().join(bin))
        .env("TZ", "UTC")
        .env_remove("CHECKIN_HOME")
        .args(args)
        .output()
        .unwrap()
}

fn ok(bin: &str, args: &[&str]) -> String {
    let out = tool(bin, args);
    assert!(
        out.status.success(),
        "{bin} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn seed() -> u64 {
    std::env::var("POWERCUT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

/// A small deterministic generator for cut times (xorshift; the seed is printed for replay).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Every file below `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.insert(p, bytes);
            }
        }
    }
    out
}

/// The citizen's diary: `checkin init`, then scans and check-outs in a loop; the power fails
/// somewhere in it. Every diary an `init` made must open afterwards, with every visit whose
/// `scan` and `out` both said OK.
#[test]
fn power_cut_during_diary_commits() {
    let work = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let Some(mut disk) = disk_or_skip(work.path(), 128) else {
        return;
    };
    let seed = seed();
    let mut state = seed | 1;
    let w = work.path();
    let auth = w.join("authority");
    // Two emergency officers' keys, each in a directory of its own, which every
    // authority below lists.
    let officers: Vec<String> = (1..=2)
        .map(|i| {
            let dir = w.join(format!("officer{i}"));
            ok(
                "tracer",
                &["authority", "officer-init", "--out", dir.to_str().unwrap()],
            );
            dir.join("officer.pub").to_str().unwrap().to_string()
        })
        .collect();
    ok(
        "tracer",
        &[
            "authority",
            "init",
            "--out",
            auth.to_str().unwrap(),
            "--name",
            "Board",
            "--officer",
            &officers[0],
            "--officer",
            &officers[1],
        ],
    );
    let venue = w.join("venue");
    ok(
        "venue-keygen",
        &[
            "new",
            "--name",
            "The Crown",
            "--address",
            "1 High St",
            "--out",
            venue.to_str().unwrap(),
        ],
    );
    let url = std::fs::read_to_string(venue.join("poster.url")).unwrap();
    let url = url.trim().to_string();
    let trust = auth.join("trust.txt");
    // Visits start 10 days ago, one every hour: well inside the diary's retention.
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(240);
    // Diary directory → the arrivals of its acknowledged visits.
    let mut acked: Vec<(PathBuf, Vec<i64>)> = Vec::new();
    let n = trials(3);
    let mut in_flight = 0usize;
    for round in 0..n {
        let diary = disk.path().join(format!("diary-{round}"));
        let d = diary.to_str().unwrap().to_string();
        let init = tool(
            "checkin",
            &[
                "--diary",
                &d,
                "init",
                "--trust",
                trust.to_str().unwrap(),
                "--server",
                "http://127.0.0.1:9",
            ],
        );
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let visits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (visits, stop, d, url) = (visits.clone(), stop.clone(), d.clone(), url.clone());
            std::thread::spawn(move || {
                for i in 0..10_000i64 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let arrive = start + jiff::SignedDuration::from_mins(i * 60);
                    let leave = arrive + jiff::SignedDuration::from_mins(30);
                    let scan = tool(
                        "checkin",
                        &["--diary", &d, "scan", &url, "--at", &arrive.to_string()],
                    );
                    if !scan.status.success() {
                        break;
                    }
                    let out = tool(
                        "checkin",
                        &["--diary", &d, "out", "--at", &leave.to_string()],
                    );
                    if !out.status.success() {
                        break;
                    }
                    visits.lock().unwrap().push(arrive.as_second());
                }
            })
        };
        std::thread::sleep(Duration::from_millis(next(&mut state) % 2500));
        disk.cut();
        stop.store(true, Ordering::Relaxed);
        worker.join().unwrap();
        acked.push((diary, visits.lock().unwrap().clone()));
        disk.remount();
        for (diary, arrivals) in &acked {
            let listed = tool(
                "checkin",
                &["--diary", diary.to_str().unwrap(), "diary", "--json"],
            );
            assert!(
                listed.status.success(),
                "round {round} (seed {seed}): the diary {} does not open after the cut: {}",
                diary.display(),
                String::from_utf8_lossy(&listed.stderr)
            );
            let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
            let stored: Vec<i64> = rows
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["arrival"].as_i64().unwrap())
                .collect();
            for a in arrivals {
                assert!(
                    stored.contains(a),
                    "round {round} (seed {seed}): an acknowledged visit (arrival {a}) is gone from {}",
                    diary.display()
                );
            }
            // The visit whose `out` was cut short may be there too, unacknowledged.
            if diary == &acked.last().unwrap().0 {
                in_flight += stored.len().saturating_sub(arrivals.len());
            }
        }
    }
    let total: usize = acked.iter().map(|(_, v)| v.len()).sum();
    eprintln!(
        "diary power cuts, seed {seed}: {n} cuts, {n} diaries opened after each, \
         {total} acknowledged visits, none lost ({in_flight} unacknowledged check-ins kept)"
    );
}

/// The tools' files: venue keys and posters, tracer keys, authority directories and a case
/// file, written in a loop; the power fails somewhere in it. Every file of every command that
/// said OK must be there with the bytes it had.
#[test]
fn power_cut_during_key_and_poster_writes() {
    let work = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let Some(mut disk) = disk_or_skip(work.path(), 256) else {
        return;
    };
    let seed = seed();
    let mut state = seed | 1;
    // A diary to export case files from, off the cut disk.
    let w = work.path();
    let auth = w.join("authority");
    // Two emergency officers' keys, each in a directory of its own, which every
    // authority below lists.
    let officers: Vec<String> = (1..=2)
        .map(|i| {
            let dir = w.join(format!("officer{i}"));
            ok(
                "tracer",
                &["authority", "officer-init", "--out", dir.to_str().unwrap()],
            );
            dir.join("officer.pub").to_str().unwrap().to_string()
        })
        .collect();
    ok(
        "tracer",
        &[
            "authority",
            "init",
            "--out",
            auth.to_str().unwrap(),
            "--name",
            "Board",
            "--officer",
            &officers[0],
            "--officer",
            &officers[1],
        ],
    );
    let diary = w.join("diary");
    let dg = diary.to_str().unwrap().to_string();
    ok(
        "checkin",
        &[
            "--diary",
            &dg,
            "init",
            "--trust",
            auth.join("trust.txt").to_str().unwrap(),
            "--server",
            "http://127.0.0.1:9",
        ],
    );
    let mut acked: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let n = trials(3);
    let mut commands = 0usize;
    for round in 0..n {
        // The round's directory is the test's own: made durable before the tools run.
        let root = disk.path().join(format!("round-{round}"));
        std::fs::create_dir(&root).unwrap();
        std::fs::File::open(disk.path())
            .unwrap()
            .sync_all()
            .unwrap();
        let done = Arc::new(Mutex::new(BTreeMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (done, stop, root, dg) = (done.clone(), stop.clone(), root.clone(), dg.clone());
            let officers = officers.clone();
            std::thread::spawn(move || {
                let mut count = 0usize;
                for i in 0..10_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let out = root.join(format!("{i}"));
                    let o = out.to_str().unwrap().to_string();
                    let result = match i % 4 {
                        0 => tool(
                            "venue-keygen",
                            &[
                                "new",
                                "--name",
                                &format!("Venue {i}"),
                                "--address",
                                "High St",
                                "--out",
                                &o,
                            ],
                        ),
                        1 => tool("tracer", &["keygen", "--out", &o]),
                        2 => tool(
                            "tracer",
                            &[
                                "authority",
                                "init",
                                "--out",
                                &o,
                                "--name",
                                "Board",
                                "--officer",
                                &officers[0],
                                "--officer",
                                &officers[1],
                            ],
                        ),
                        _ => tool(
                            "checkin",
                            &[
                                "--diary",
                                &dg,
                                "share-case",
                                "--out",
                                &format!("{o}.case"),
                                "--yes",
                            ],
                        ),
                    };
                    if !result.status.success() {
                        break;
                    }
                    count += 1;
                    // What the command said OK for, read back through the file system.
                    let mut files = snapshot(&out);
                    if let Ok(b) = std::fs::read(format!("{o}.case")) {
                        files.insert(PathBuf::from(format!("{o}.case")), b);
                    }
                    done.lock().unwrap().extend(files);
                }
                count
            })
        };
        std::thread::sleep(Duration::from_millis(next(&mut state) % 3000));
        disk.cut();
        stop.store(true, Ordering::Relaxed);
        commands += worker.join().unwrap();
        acked.extend(std::mem::take(&mut *done.lock().unwrap()));
        disk.remount();
        for (path, bytes) in &acked {
            match std::fs::read(path) {
                Ok(b) => assert!(
                    b == *bytes,
                    "round {round} (seed {seed}): {} changed across the cut",
                    path.display()
                ),
                Err(e) => panic!(
                    "round {round} (seed {seed}): {} is gone after the cut: {e}",
                    path.display()
                ),
            }
        }
    }
    eprintln!(
        "tool power cuts, seed {seed}: {n} cuts, {commands} commands said OK, \
         all {} files they wrote intact",
        acked.len()
    );
}

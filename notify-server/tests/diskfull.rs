//! A full disk: the real `notify-server` binary with its store on a small ext4 file system
//! (see `tests::powercut`) that is filled up under uploads. While the disk is full, uploads
//! are refused with 503 and `/healthz` says the server is unavailable; once space is freed,
//! the server stores again by itself, without a restart, and every upload that got a 2xx is
//! in the store. A 503 does not mean "not stored" (the refused records wait for the disk and
//! are written once it has room), so the phone's re-send of the identical record must not
//! store it twice: each record is stored exactly once (spec 16b). Needs root and a loop
//! device; skips, saying so, without.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::io::Write as _;
use std::time::{Duration, Instant};

use common::{Fixture, agent, b64, post, start};
use notify_server::store::{RedbStore, Store};
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};
use tempfile::TempDir;

#[test]
fn a_full_disk_is_reported_and_recovered_from_without_a_restart() {
    let work = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let Some(disk) = tests::powercut::disk_or_skip(work.path(), 32) else {
        return;
    };
    let f = Fixture::new(work.path(), 21);
    let data = disk.path().join("data");
    let mut server = start(&data, &f.trust_file);
    let a = agent();
    let tag = [0xAB_u8; 16];
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(21);
    let mut acked: Vec<Vec<u8>> = Vec::new();
    // Records answered 503, to be sent again as a phone does: the identical bytes.
    let mut refused_records: Vec<Vec<u8>> = Vec::new();
    let base = server.base.clone();
    let send = move |a: &ureq::Agent, r: &[u8]| -> u16 {
        let (status, v) = post(a, &format!("{base}/v1/vault"), &json!({"record": b64(r)}));
        match status {
            201 => {}
            503 => assert_eq!(v["error"], "storage_unavailable", "{v}"),
            other => panic!("upload answered {other}: {v}"),
        }
        status
    };
    let mut upload = |a: &ureq::Agent, acked: &mut Vec<Vec<u8>>, refused: &mut Vec<Vec<u8>>| {
        let mut r = vec![0u8; protocol::vault::RECORD_LEN];
        rng.fill_bytes(&mut r);
        r[..16].copy_from_slice(&tag);
        let status = send(a, &r);
        if status == 201 {
            acked.push(r);
        } else {
            refused.push(r);
        }
        status
    };
    let health = |a: &ureq::Agent| -> (u16, Value) {
        match a.get(format!("{}/healthz", server.base)).call() {
            Ok(mut r) => (
                r.status().as_u16(),
                serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap(),
            ),
            Err(ureq::Error::StatusCode(s)) => (s, Value::Null),
            Err(e) => panic!("{e}"),
        }
    };
    for _ in 0..100 {
        assert_eq!(upload(&a, &mut acked, &mut refused_records), 201);
    }
    assert_eq!(health(&a).0, 200);

    // Fill the disk, then keep uploading: refused, and health says so.
    let filler = disk.path().join("filler");
    {
        let mut out = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 << 10];
        while out.write_all(&chunk).and_then(|()| out.sync_data()).is_ok() {}
    }
    let refused = (0..300)
        .filter(|_| upload(&a, &mut acked, &mut refused_records) == 503)
        .count();
    assert!(refused > 0, "no upload was refused on a full disk");
    let (status, body) = health(&a);
    assert_eq!(status, 503, "health on a full disk: {body}");

    // Free the space: the server stores again by itself.
    std::fs::remove_file(&filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while upload(&a, &mut acked, &mut refused_records) != 201 {
        assert!(
            Instant::now() < deadline,
            "uploads still fail after space was freed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for _ in 0..50 {
        assert_eq!(
            upload(&a, &mut acked, &mut refused_records),
            201,
            "after recovery"
        );
    }
    // The phone sends every refused record again, byte for byte.
    for r in &refused_records {
        assert_eq!(send(&a, r), 201, "a re-send after recovery");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while health(&a).0 != 200 {
        assert!(
            Instant::now() < deadline,
            "health stays unavailable after recovery"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Every acknowledged record is in the store.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let store = RedbStore::open(&notify_server::store::store_path(&data)).unwrap();
    let mut stored: std::collections::HashMap<Vec<u8>, usize> = Default::default();
    for r in store.vault_records(&[tag], usize::MAX).unwrap() {
        *stored.entry(r).or_default() += 1;
    }
    let lost = acked.iter().filter(|r| !stored.contains_key(*r)).count();
    assert_eq!(
        lost,
        0,
        "{lost} of {} acknowledged records are missing",
        acked.len()
    );
    let twice = stored.values().filter(|&&n| n > 1).count();
    assert_eq!(
        twice,
        0,
        "{twice} records are stored more than once ({} were refused with 503 and sent again)",
        refused_records.len()
    );
    assert_eq!(stored.len(), acked.len() + refused_records.len());
    assert!(store.check_integrity().unwrap().problems.is_empty());
}

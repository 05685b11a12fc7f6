//! Spec section 2, "what each party learns", the notify server's row for contact records:
//! an operator who holds every poster and reads the store's file learns a record's bucket of
//! venues and its day, and no more: not the venue of the bucket, not the hour, and not which
//! records belong to one visit.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::collections::BTreeSet;

use common::{Fixture, b64};
use protocol::derive::{vault_bucket, vault_file_tag};
use protocol::vault::seal_visit;
use protocol::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use redb::{ReadableDatabase as _, ReadableTable as _};
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use tempfile::TempDir;

fn poster(rng: &mut ChaCha20Rng, name: &str) -> Poster {
    Poster::sign(
        &VenueSecret::generate(rng).keys(),
        PosterInfo {
            name: name.into(),
            address: String::new(),
            category: "pub".into(),
            default_stay_minutes: 60,
            validity: None,
        },
    )
    .unwrap()
}

#[test]
fn an_operator_holding_every_poster_cannot_name_a_records_venue_or_link_a_visit() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 11);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    // Venue A, a venue B of A's bucket, and 40 venues of other buckets; the operator has
    // photographed every poster.
    let a = f.poster.clone();
    let b = loop {
        let p = poster(&mut rng, "B");
        if vault_bucket(&p.venue_id()) == vault_bucket(&a.venue_id()) {
            break p;
        }
    };
    let mut posters = vec![a.clone(), b.clone()];
    while posters.len() < 42 {
        let p = poster(&mut rng, "Other");
        if vault_bucket(&p.venue_id()) != vault_bucket(&a.venue_id()) {
            posters.push(p);
        }
    }
    let trust = TrustAnchor::parse(&std::fs::read_to_string(&f.trust_file).unwrap()).unwrap();
    // Ada spends 10:15–11:45 yesterday at A (two hourly records); Bob 10:30–11:00 at B.
    let day = common::now() / 86_400 - 1;
    let t = day * 86_400 + 10 * 3600;
    let visit = |name: &str, arrival: u64, departure: u64| ContactRecord {
        name: name.into(),
        phone: "+44 7700 900000".into(),
        email: String::new(),
        party_size: 1,
        arrival,
        departure,
    };
    let mut sent = seal_visit(&mut rng, &a, &trust, &visit("Ada", t + 900, t + 6300)).unwrap();
    sent.extend(seal_visit(&mut rng, &b, &trust, &visit("Bob", t + 1800, t + 3600)).unwrap());
    assert_eq!(sent.len(), 3);

    let data = dir.path().join("data");
    {
        let fig = notify_server::figment()
            .merge(("data_dir", &data))
            .merge(("trust_file", &f.trust_file))
            .merge(("log_level", "off"));
        let c = Client::tracked(notify_server::build(fig).unwrap()).unwrap();
        for r in &sent {
            let resp = c
                .post("/v1/vault")
                .header(ContentType::JSON)
                .body(serde_json::json!({"record": b64(r)}).to_string())
                .dispatch();
            assert_eq!(resp.status(), Status::Created);
        }
    }

    // The operator reads the store's file.
    let db = redb::Database::open(data.join("store.redb")).unwrap();
    let txn = db.begin_read().unwrap();
    let table: redb::TableDefinition<[u8; 32], &[u8]> = redb::TableDefinition::new("vault");
    let vault = txn.open_table(table).unwrap();
    let stored: Vec<([u8; 32], Vec<u8>)> = vault
        .iter()
        .unwrap()
        .map(|e| {
            let (k, v) = e.unwrap();
            (k.value(), v.value().to_vec())
        })
        .collect();
    assert_eq!(stored.len(), 3);
    let hours: Vec<u64> = (day * 24..day * 24 + 48).collect();
    for (key, record) in &stored {
        // Every venue whose records could be filed under this record's tag, on any hour of
        // the two days a record of yesterday can arrive on: A and B, never fewer.
        let candidates: BTreeSet<usize> = posters
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                hours
                    .iter()
                    .any(|&h| vault_file_tag(&p.venue_id(), h)[..] == record[..16])
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            candidates,
            BTreeSet::from([0, 1]),
            "the bucket, not the venue"
        );
        // No venue's per-hour tag appears anywhere in what the operator holds.
        for p in &posters {
            for &h in &hours {
                let tag = vault_tag(&p.venue_id(), h);
                for bytes in [&record[..], &key[..]] {
                    assert!(
                        !bytes.windows(16).any(|w| w == tag),
                        "a venue's tag for hour {h} is readable"
                    );
                }
            }
        }
        // The key holds the file tag, 12 bytes of the record's digest (as random as the
        // ciphertext; they find a re-sent record) and the day it arrived: no time of day.
        assert_eq!(key[..16], record[..16]);
        assert_eq!(key[16..28], blake3::hash(record).as_bytes()[..12]);
        assert_eq!(
            u64::from(u32::from_be_bytes(key[28..32].try_into().unwrap())),
            common::now() / 86_400
        );
    }
    // Ada's two records and Bob's one look alike: one tag, and nothing else in common.
    let tags: BTreeSet<&[u8]> = stored.iter().map(|(_, r)| &r[..16]).collect();
    assert_eq!(tags.len(), 1, "all three share one file tag");
    for (i, (_, x)) in stored.iter().enumerate() {
        for (_, y) in &stored[i + 1..] {
            let same = x[16..].iter().zip(&y[16..]).filter(|(p, q)| p == q).count();
            // Independent random bytes agree on about 368/256 ≈ 1.4 of 368 positions.
            assert!(same < 16, "two records share {same} bytes past the tag");
        }
    }
}

//! Spec section 2, "what each party learns", the notify server's row for contact records:
//! an operator who holds every poster and reads the store's file learns a record's bucket of
//! venues and its day, and no more: not the venue of the bucket, not the hour, and not which
//! records belong to one visit. And spec section 14.5: cover records look like real ones to
//! that operator, whose best classifier of a store holding both does no better than chance.
#![allow(clippy::unwrap_used, reason = "tests")]

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};

use common::{Fixture, b64};
use protocol::derive::{vault_bucket, vault_file_tag};
use protocol::vault::seal_visit;
use protocol::*;
use rand::rngs::ChaCha20Rng;
use rand::{RngExt as _, SeedableRng};
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

/// What the operator reads of one stored record: its file tag, the day it arrived (from the
/// store's key or column), and its bytes.
struct Seen {
    tag: [u8; 16],
    upload_day: u64,
    record: Vec<u8>,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every vault record in the store, as the operator reads it: the redb file, or the PostgreSQL
/// table with `psql`.
fn read_store(data: &std::path::Path, settings: &[(&str, String)]) -> Vec<Seen> {
    if let Some(url) = common::database_url(settings) {
        let out = std::process::Command::new("psql")
            .arg(&url)
            .args(["-At", "-F", " ", "-c"])
            .arg("SELECT encode(tag, 'hex'), day, encode(record, 'hex') FROM vault")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                Seen {
                    tag: unhex(f[0]).try_into().unwrap(),
                    upload_day: f[1].parse().unwrap(),
                    record: unhex(f[2]),
                }
            })
            .collect();
    }
    let db = redb::Database::open(data.join("store.redb")).unwrap();
    let txn = db.begin_read().unwrap();
    let table: redb::TableDefinition<[u8; 32], &[u8]> = redb::TableDefinition::new("vault");
    let vault = txn.open_table(table).unwrap();
    vault
        .iter()
        .unwrap()
        .map(|e| {
            let (k, v) = e.unwrap();
            let key = k.value();
            Seen {
                tag: key[..16].try_into().unwrap(),
                upload_day: u64::from(u32::from_be_bytes(key[28..32].try_into().unwrap())),
                record: v.value().to_vec(),
            }
        })
        .collect()
}

/// How a mix of real and cover records is made: by today's rule (a real record's venue layer
/// is added when it is sent, filed under that day; a cover's bucket is drawn from the
/// server's venues per bucket), or by the rule before it (a record filed under its hour's
/// day when the visit ended; a cover's bucket uniform).
#[derive(Clone, Copy, PartialEq)]
enum Rule {
    Today,
    Before,
}

/// What the operator's best classifier achieved on the held-out half of the store.
struct Verdict {
    /// Records it classified, and how many it got right.
    tested: usize,
    right: usize,
    /// Covers in a bucket no venue uses, and real records filed under a day before the day
    /// they arrived: records given away outright, of all covers and all real records.
    covers_in_empty_buckets: usize,
    real_with_earlier_day: usize,
    covers: usize,
    real: usize,
}

/// Fills a real server's store (redb, or PostgreSQL with `NOTIFY_TEST_POSTGRES`) with `n`
/// real records of visits over the last four days and `n` cover records, all sent today as
/// the clients send them under `rule`, and plays the operator: it holds all 300 posters and
/// reads the store, then learns the best classifier it can from half the records (the
/// majority label of each combination of bucket, whether any venue uses it, how many days
/// the tag's day lies before the day of arrival, and size) and is scored on the other half.
fn operator_classifies(rule: Rule, n: usize, seed: u64) -> Verdict {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), seed);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let posters: Vec<Poster> = (0..300)
        .map(|i| poster(&mut rng, &format!("V{i}")))
        .collect();
    let list = dir.path().join("posters.txt");
    let lines: Vec<String> = posters.iter().map(Poster::payload).collect();
    std::fs::write(&list, lines.join("\n")).unwrap();
    let trust = TrustAnchor::parse(&std::fs::read_to_string(&f.trust_file).unwrap()).unwrap();
    let data = dir.path().join("data");
    let settings = common::store_settings();
    let mut fig = notify_server::figment()
        .merge(("data_dir", &data))
        .merge(("trust_file", &f.trust_file))
        .merge(("venue_posters", &list))
        .merge(("vault_uploads_per_minute", 1_000_000))
        .merge(("log_level", "off"));
    for (k, v) in &settings {
        fig = fig.merge((*k, v));
    }
    let c = Client::tracked(notify_server::build(fig).unwrap()).unwrap();
    // What a phone asks before its slots: the venues per bucket.
    let answer: serde_json::Value =
        serde_json::from_str(&c.get("/v1/vault/buckets").dispatch().into_string().unwrap())
            .unwrap();
    let counts: Vec<u32> = serde_json::from_value(answer["venues_per_bucket"].clone()).unwrap();
    assert_eq!(counts.iter().sum::<u32>(), 300);

    let now = common::now();
    let today = now / 86_400;
    let mut sent: Vec<(Vec<u8>, bool)> = Vec::new();
    for i in 0..n {
        // A visit of one hour, at a venue picked at random, in one of the 96 hours before
        // this one: queued when it ended, sent today (a phone that was not running, or a
        // visit late in the evening, sends on a later day than the visit's).
        let p = &posters[usize::from(rng.random_range(0u16..300))];
        let h = now / 3600 - rng.random_range(1..=96u64);
        let contact = ContactRecord {
            name: format!("Visitor {i}"),
            phone: "+44 7700 900000".into(),
            email: String::new(),
            party_size: 1,
            arrival: h * 3600,
            departure: h * 3600 + 1800,
        };
        let key = trust.sealing_key_at(h * 3600).unwrap();
        let record = match rule {
            Rule::Today => {
                let inner = protocol::vault::seal_inner(&mut rng, p, key, h, &contact).unwrap();
                let bucket = vault_bucket(&p.venue_id());
                protocol::vault::seal_outer(&mut rng, p.sealing_key(), bucket, today, &inner)
                    .unwrap()
            }
            Rule::Before => protocol::vault::seal_record(&mut rng, p, key, h, &contact).unwrap(),
        };
        sent.push((record.to_vec(), true));
        let list: &[u32] = if rule == Rule::Today { &counts } else { &[] };
        sent.push((
            protocol::vault::cover_record(&mut rng, today, list).to_vec(),
            false,
        ));
    }
    // The slots of many phones interleave: the server receives them in random order.
    for i in (1..sent.len()).rev() {
        sent.swap(i, rng.random_range(0..=i));
    }
    for (r, _) in &sent {
        let resp = c
            .post("/v1/vault")
            .header(ContentType::JSON)
            .body(serde_json::json!({"record": b64(r)}).to_string())
            .dispatch();
        assert_eq!(resp.status(), Status::Created);
    }
    drop(c);
    let truth: HashMap<Vec<u8>, bool> = sent.into_iter().collect();

    // The operator: every poster, so every venue's bucket, and every bucket tag of the month.
    let used: HashSet<u16> = posters
        .iter()
        .map(|p| vault_bucket(&p.venue_id()))
        .collect();
    let mut tags: HashMap<[u8; 16], (u16, u64)> = HashMap::new();
    for d in today - 30..=today {
        for b in 0..protocol::derive::VAULT_BUCKETS {
            tags.insert(protocol::derive::bucket_tag(b, d), (b, d));
        }
    }
    let stored = read_store(&data, &settings);
    assert_eq!(stored.len(), 2 * n);
    // Each record, as the operator describes it: (bucket, used?, days early, size).
    let described: Vec<((u16, bool, u64, usize), bool)> = stored
        .iter()
        .map(|s| {
            assert_eq!(s.tag[..], s.record[..16]);
            let (b, d) = tags[&s.tag];
            let feature = (b, used.contains(&b), s.upload_day - d, s.record.len());
            (feature, truth[&s.record])
        })
        .collect();
    // It learns from the even rows (in the store's order, which the truth does not decide)
    // and is scored on the odd ones.
    let mut votes: HashMap<(u16, bool, u64, usize), (usize, usize)> = HashMap::new();
    for (feature, real) in described.iter().step_by(2) {
        let v = votes.entry(*feature).or_default();
        if *real { v.0 += 1 } else { v.1 += 1 }
    }
    let mut right = 0;
    let mut tested = 0;
    for (feature, real) in described.iter().skip(1).step_by(2) {
        // A combination never seen, or seen as often real as not, is called real only if it
        // shows something no cover can: a day before the day of arrival.
        let guess = match votes.get(feature) {
            Some(&(r, c)) if r != c => r > c,
            _ => feature.2 > 0,
        };
        tested += 1;
        right += usize::from(guess == *real);
    }
    Verdict {
        tested,
        right,
        covers_in_empty_buckets: described.iter().filter(|(f, r)| !r && !f.1).count(),
        real_with_earlier_day: described.iter().filter(|(f, r)| *r && f.2 > 0).count(),
        covers: described.iter().filter(|(_, r)| !r).count(),
        real: described.iter().filter(|(_, r)| *r).count(),
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} right ({:.1}%); covers in empty buckets {} of {}; real records filed \
             under an earlier day {} of {}",
            self.right,
            self.tested,
            100.0 * self.right as f64 / self.tested as f64,
            self.covers_in_empty_buckets,
            self.covers,
            self.real_with_earlier_day,
            self.real
        )
    }
}

/// 600 real and 600 cover records: the classifier is scored on 600. By chance it is right
/// on 300 ± 12.2 (binomial, p = 1/2); the test allows three standard deviations, 337.
#[test]
fn an_operator_holding_every_poster_tells_covers_from_real_records_no_better_than_chance() {
    let v = operator_classifies(Rule::Today, 600, 31);
    eprintln!("today's rule: {v}");
    assert_eq!(v.covers_in_empty_buckets, 0, "{v}");
    assert_eq!(v.real_with_earlier_day, 0, "{v}");
    let bound = v.tested as f64 / 2.0 + 3.0 * (v.tested as f64 / 4.0).sqrt();
    assert!(
        (v.right as f64) <= bound,
        "the operator tells them apart: {v} (chance allows {bound:.0})"
    );
}

/// The same operator against the rule before (records filed under their hour's day, covers in
/// uniform buckets) gives most records away: the classifier above is not blind.
#[test]
fn under_the_earlier_filing_rule_the_same_operator_gives_most_records_away() {
    let v = operator_classifies(Rule::Before, 600, 31);
    eprintln!("earlier rule: {v}");
    assert!(v.right * 100 >= v.tested * 85, "{v}");
}

/// The venues per bucket come from the posters the operator gives the server, each venue
/// counted once; without posters every count is zero (phones then pick any bucket); a line
/// that is not a poster stops the start and names the line.
#[test]
fn the_server_counts_venues_per_bucket_from_its_posters_and_refuses_a_line_that_is_not_one() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 5);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let posters: Vec<Poster> = (0..3).map(|i| poster(&mut rng, &format!("V{i}"))).collect();
    let counts = |file: Option<&str>| {
        let mut fig = notify_server::figment()
            .merge(("data_dir", dir.path().join("data")))
            .merge(("trust_file", &f.trust_file))
            .merge(("log_level", "off"));
        if let Some(text) = file {
            let list = dir.path().join("posters.txt");
            std::fs::write(&list, text).unwrap();
            fig = fig.merge(("venue_posters", list));
        }
        let c = Client::tracked(notify_server::build(fig)?).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&c.get("/v1/vault/buckets").dispatch().into_string().unwrap())
                .unwrap();
        Ok::<Vec<u32>, notify_server::StartError>(
            serde_json::from_value(v["venues_per_bucket"].clone()).unwrap(),
        )
    };
    assert_eq!(counts(None).unwrap(), vec![0; 1024]);
    // Two venues, the first listed twice, with a comment and a blank line.
    let text = format!(
        "# venues\n{}\n\n{}\n{}\n",
        posters[0].payload(),
        posters[1].payload(),
        posters[0].payload()
    );
    let got = counts(Some(&text)).unwrap();
    assert_eq!(got.len(), 1024);
    assert_eq!(got.iter().sum::<u32>(), 2);
    for p in &posters[..2] {
        assert!(got[usize::from(vault_bucket(&p.venue_id()))] >= 1);
    }
    let bad = format!("{}\nnot a poster\n", posters[2].payload());
    let err = counts(Some(&bad)).unwrap_err().to_string();
    assert!(
        err.contains("venue_posters") && err.contains("line 2"),
        "{err}"
    );
}

//! Spec section 2, "what each party learns", the notify server's row, played by an operator
//! who holds every poster and reads the store and the logs. For contact records: it learns a
//! record's bucket of venues and its day, and no more: not the venue of the bucket, not the
//! hour, and not which records belong to one visit; and (section 14.5) cover records look like
//! real ones to it, its best classifier of a store holding both doing no better than chance.
//! For a case file handed over by code (section 16.1): it cannot swap the file without the
//! tracer refusing it, cannot tell the number of visits from the size, and finds neither the
//! file nor the code in its store once the file is fetched and the purge has run. Its logs, at
//! their most verbose, hold no tag, record, case id, case tag or code. On redb, and on
//! PostgreSQL when `NOTIFY_TEST_POSTGRES` names a server.
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

/// A case file of `n` visits to `poster`, sealed to the trust file's case key.
fn case_file(rng: &mut ChaCha20Rng, trust: &TrustAnchor, poster: &Poster, n: u64) -> Vec<u8> {
    let t = common::now();
    CaseDiary {
        created_at: t,
        visits: (0..n)
            .map(|i| CaseVisit {
                poster: poster.clone(),
                arrival: t - 86_400 + i * 600,
                departure: t - 86_400 + i * 600 + 300,
            })
            .collect(),
    }
    .seal(rng, &trust.case)
    .unwrap()
}

fn hand_over_body(code: &CaseCode, file: &[u8]) -> serde_json::Value {
    serde_json::json!({"case": b64(file), "id": b64(&code.id()), "tag": b64(&code.tag(file))})
}

/// Whether `haystack` holds any 32-byte piece of `needle` (taken every 997 bytes), so that a
/// file split across pages is still found.
fn holds_a_piece_of(haystack: &[u8], needle: &[u8]) -> bool {
    (0..needle.len().saturating_sub(32))
        .step_by(997)
        .any(|i| haystack.windows(32).any(|w| w == &needle[i..i + 32]))
}

#[test]
fn an_operator_cannot_swap_a_handed_over_case_file_read_its_visit_count_or_find_it_after_the_purge()
{
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 13);
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let trust = TrustAnchor::parse(&std::fs::read_to_string(&f.trust_file).unwrap()).unwrap();
    let data = dir.path().join("data");
    let mut fig = notify_server::figment()
        .merge(("data_dir", &data))
        .merge(("trust_file", &f.trust_file))
        .merge(("log_level", "off"));
    let store = common::store_settings();
    let redb = store.is_empty();
    for (k, v) in &store {
        fig = fig.merge((*k, v));
    }
    let c = Client::tracked(notify_server::build(fig).unwrap()).unwrap();
    let post = |path: &str, body: &serde_json::Value| {
        let r = c
            .post(path)
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch();
        let status = r.status();
        (
            status,
            r.into_json::<serde_json::Value>().unwrap_or_default(),
        )
    };

    // The size: a diary of 1 visit and one of 40 are files of one size, held at one size.
    let one = case_file(&mut rng, &trust, &f.poster, 1);
    let forty = case_file(&mut rng, &trust, &f.poster, 40);
    assert_eq!(
        one.len(),
        forty.len(),
        "the size shows the number of visits"
    );
    assert_eq!(one.len(), protocol::case::MIN_CASE_LEN);

    // The phone hands the one-visit file over; the operator swaps it for a file it made
    // itself (sealed to the public case key, with a visit of its choosing), keeping the
    // phone's tag or making one under a code of its own. The tracer, told the phone's code,
    // refuses each.
    let code = CaseCode::generate(&mut rng);
    assert_eq!(
        post("/v1/cases", &hand_over_body(&code, &one)).0,
        Status::Created
    );
    let app = c.rocket().state::<notify_server::api::App>().unwrap();
    let id = b64(&code.id());
    // The operator learns the phone's tag (it holds the day's key until the purge).
    assert!(app.store.take_case(&id, common::now()).unwrap().is_some());
    let phone_tag = code.tag(&one).to_vec();
    let fabricated = case_file(&mut rng, &trust, &f.poster, 3);
    let own_code = CaseCode::generate(&mut rng);
    for tag in [phone_tag.clone(), own_code.tag(&fabricated).to_vec()] {
        let body = serde_json::json!({"case": b64(&fabricated), "id": &id, "tag": b64(&tag)});
        assert_eq!(post("/v1/cases", &body).0, Status::Created);
        let (s, v) = post("/v1/cases/fetch", &serde_json::json!({"id": &id}));
        assert_eq!(s, Status::Ok);
        let file = common::unb64(v["case"].as_str().unwrap());
        let tag = common::unb64(v["tag"].as_str().unwrap());
        assert_eq!(file, fabricated);
        assert_eq!(
            code.verify(&file, &tag).unwrap_err().code(),
            "case_code_mismatch",
            "a swapped file passed the tracer's check"
        );
    }
    // An operator with the phone's file and tag but not the code cannot post another file
    // under the phone's id while the phone's is held: the honest hand-over goes through.
    assert_eq!(
        post("/v1/cases", &hand_over_body(&code, &one)).0,
        Status::Created
    );
    let (s, v) = post(
        "/v1/cases",
        &serde_json::json!({"case": b64(&fabricated), "id": &id, "tag": b64(&phone_tag)}),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::Conflict, Some("case_id_taken"))
    );
    let (s, v) = post("/v1/cases/fetch", &serde_json::json!({"id": &id}));
    assert_eq!(s, Status::Ok);
    let (file, tag) = (
        common::unb64(v["case"].as_str().unwrap()),
        common::unb64(v["tag"].as_str().unwrap()),
    );
    code.verify(&file, &tag).unwrap();
    assert_eq!(file, one);

    // The forty-visit file is held, then left to expire; a third file is fetched. After the
    // purge that follows their expiry, nothing the operator holds has the files or the code.
    let code40 = CaseCode::generate(&mut rng);
    assert_eq!(
        post("/v1/cases", &hand_over_body(&code40, &forty)).0,
        Status::Created
    );
    let third = case_file(&mut rng, &trust, &f.poster, 2);
    let code3 = CaseCode::generate(&mut rng);
    assert_eq!(
        post("/v1/cases", &hand_over_body(&code3, &third)).0,
        Status::Created
    );
    assert_eq!(
        post(
            "/v1/cases/fetch",
            &serde_json::json!({"id": b64(&code3.id())})
        )
        .0,
        Status::Ok
    );
    let metrics = notify_server::metrics::Metrics::default();
    let purged = notify_server::purge_once(
        app.store.as_ref(),
        &app.settings,
        &metrics,
        common::now() + 2 * 86_400 + 1,
    )
    .unwrap();
    assert_eq!(purged.cases, 1, "the forty-visit file expired unfetched");
    assert!(purged.case_keys >= 1, "the day's case key is destroyed");
    assert!(
        app.store
            .case_key(common::now() / 86_400, false)
            .unwrap()
            .is_none()
    );
    let secrets: Vec<Vec<u8>> = [&code, &code40, &code3]
        .iter()
        .flat_map(|c| {
            [
                c.canonical().to_vec(),
                c.to_string().into_bytes(),
                c.key().to_vec(),
            ]
        })
        .collect();
    if redb {
        let keys = data.join("store.case-keys");
        assert_eq!(
            std::fs::read_dir(&keys).map_or(0, |d| d.count()),
            0,
            "a case key file is left in {}",
            keys.display()
        );
        let bytes = std::fs::read(data.join("store.redb")).unwrap();
        for (name, file) in [
            ("one", &one),
            ("forty", &forty),
            ("third", &third),
            ("fabricated", &fabricated),
        ] {
            assert!(
                !holds_a_piece_of(&bytes, file),
                "store.redb holds a piece of the {name} case file"
            );
        }
        for s in &secrets {
            assert!(
                !bytes.windows(s.len()).any(|w| w == &s[..]),
                "store.redb holds a code"
            );
        }
    } else {
        // PostgreSQL: what SQL shows. The deleted rows stay in the table's pages until VACUUM
        // and in the write-ahead log until it is recycled (spec section 16b); their files are
        // encrypted under keys that are gone.
        let url = common::database_url(&store).unwrap();
        let psql = |sql: &str| {
            let out = std::process::Command::new("psql")
                .args([url.as_str(), "-tAc", sql])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        };
        assert_eq!(
            psql("SELECT count(*) FROM case_keys"),
            "0",
            "a case key is left"
        );
        assert_eq!(psql("SELECT count(*) FROM cases"), "0");
    }
}

/// Spec section 16b, "Logs": the real server at its most verbose (`log_level = debug`, or
/// `normal` on PostgreSQL, which refuses `debug`; with `RUST_LOG=trace` besides), driven through uploads, a publication, a vault query, a case
/// hand-over and a sync, writes none of the records, their tags, the query's tags, the case
/// file, its id, its tag or its code to its output, in base64url or hex.
#[test]
fn the_servers_log_at_its_most_verbose_holds_no_tag_record_case_id_or_code() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 15);
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    let trust = TrustAnchor::parse(&std::fs::read_to_string(&f.trust_file).unwrap()).unwrap();
    let (port, admin) = (common::free_port(), common::free_port());
    // Rocket's most verbose level; on PostgreSQL the server refuses `debug` (its driver
    // would log statement parameters), so there its most verbose is `normal`.
    let level = if common::store_settings_are_redb() {
        "debug"
    } else {
        "normal"
    };
    let log = dir.path().join("server.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADMIN_PORT", admin.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_DATA_DIR", dir.path().join("data"))
        .env("ROCKET_TRUST_FILE", &f.trust_file)
        .env("ROCKET_LOG_LEVEL", level)
        .env("RUST_LOG", "trace")
        .envs(common::store_env())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let a = common::agent();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !a
        .get(format!("{base}/healthz"))
        .call()
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not come up"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut secrets: Vec<(String, Vec<u8>)> = Vec::new();
    // Uploads.
    let h = hour_of(common::now()) - 2;
    for i in 0..5 {
        let r = f.record(h, &format!("Visitor {i}"));
        let (s, _) = common::post(
            &a,
            &format!("{base}/v1/vault"),
            &serde_json::json!({"record": b64(&r)}),
        );
        assert_eq!(s, 201);
        secrets.push((format!("record {i}"), r[16..48].to_vec()));
        secrets.push((format!("record {i}'s tag"), r[..16].to_vec()));
    }
    // A publication and a vault query for the venue's file tags.
    let bundle = f.bundle_at(common::now(), "logs");
    let (s, _) = common::post(
        &a,
        &format!("{base}/v1/bundles"),
        &serde_json::json!({"bundle": b64(&bundle)}),
    );
    assert_eq!(s, 201);
    let query = f.query(&[h], common::now());
    let (s, v) = common::post(
        &a,
        &format!("{base}/v1/vault/query"),
        &serde_json::json!({"query": b64(&query)}),
    );
    assert_eq!(s, 200, "{v}");
    secrets.push((
        "the query's file tag".into(),
        vault_file_tag(&f.poster.venue_id(), h).to_vec(),
    ));
    // A case hand-over.
    let file = case_file(&mut rng, &trust, &f.poster, 2);
    let code = CaseCode::generate(&mut rng);
    let (s, _) = common::post(
        &a,
        &format!("{base}/v1/cases"),
        &hand_over_body(&code, &file),
    );
    assert_eq!(s, 201);
    let (s, _) = common::post(
        &a,
        &format!("{base}/v1/cases/fetch"),
        &serde_json::json!({"id": b64(&code.id())}),
    );
    assert_eq!(s, 200);
    secrets.push(("the case id".into(), code.id().to_vec()));
    secrets.push(("the case tag".into(), code.tag(&file).to_vec()));
    secrets.push(("the case file".into(), file[100..132].to_vec()));
    // A sync: the hours' batches and the operators' page.
    for hour in [hour_of(common::now()) - 1, hour_of(common::now())] {
        let r = a.get(format!("{base}/v1/batches/{hour}")).call().unwrap();
        assert!(r.status() == 200 || r.status() == 304);
    }
    assert_eq!(
        a.get(format!("{base}/v1/bundles")).call().unwrap().status(),
        200
    );
    // Let the log settle, stop the server, and read everything it wrote.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let mut text = String::new();
    std::fs::File::open(&log)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(
        text.contains("/v1/cases/fetch") && text.contains("/v1/vault"),
        "the log names the requests (else this test proves nothing): {}",
        &text[..text.len().min(2000)]
    );
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let lower = text.to_lowercase();
    for (what, bytes) in &secrets {
        // Any 12 characters of either encoding would do to find a value again.
        let b = b64(bytes);
        // As a driver's `Debug` of bytes would print them: "[12, 34, ...".
        let listed = format!("{:?}", &bytes[..8]);
        assert!(
            !text.contains(listed.trim_end_matches(']')),
            "the log holds {what} as a list of numbers"
        );
        let line = text.lines().find(|l| l.contains(&b[..16]));
        assert!(
            line.is_none(),
            "the log holds {what} in base64url: {line:?}"
        );
        assert!(
            !lower.contains(&hex(bytes)[..24]),
            "the log holds {what} in hex"
        );
    }
    for shown in [
        code.to_string(),
        String::from_utf8(code.canonical().to_vec()).unwrap(),
    ] {
        assert!(
            !text.to_uppercase().contains(&shown),
            "the log holds the case code"
        );
    }
}

/// On PostgreSQL, `log_level = debug` would write the driver's statement parameters (vault
/// records, case ids and files) to the log: the server refuses to start so, in words.
#[test]
fn a_postgresql_server_refuses_the_debug_log_level() {
    let store = common::store_settings();
    if store.is_empty() {
        eprintln!("skipped: set NOTIFY_TEST_POSTGRES (such as host=/var/run/postgresql)");
        return;
    }
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 17);
    let mut fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("trust_file", &f.trust_file))
        .merge(("log_level", "debug"));
    for (k, v) in &store {
        fig = fig.merge((*k, v));
    }
    let err = notify_server::build(fig).err().unwrap();
    assert!(err.0.contains("statement's parameters"), "{}", err.0);
}

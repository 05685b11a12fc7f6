//! Criterion benchmarks for the protocol's hot paths (numbers in `BENCHMARKS.md`).
//!
//! - `checkin`: decode and validate a scanned poster URL and create the visit record.
//! - `matching`: verify about N notice entries in bundles of 32 venue notices (96 entries) and
//!   match them against a 14-day diary of 60 visits, on one core. Signature and certificate
//!   checks are included. `first_sync_14_days`: the same for 14 days at the audit's scale,
//!   2,000 notices a day in bundles of 4 (one bundle per case of 4 venues).
//! - `bundle_verify`: verification alone, for a 96-entry and a full 4,096-entry bundle.
//! - `vault` and `case`: the sealing steps, for scale.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmarks"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use protocol::case::CaseDiary;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::vault::{open_inner, seal_record, strip_outer};
use protocol::*;
use rand::rngs::ChaCha20Rng;
use rand::{Rng, RngExt, SeedableRng};

const T0: u64 = 1_767_225_600;
/// Venue notices per bundle in the matching benchmark, each a 3-hour window (3 entries).
const BUNDLE_NOTICES: usize = 32;

fn poster(seed: u8, name: &str) -> (VenueKeys, Poster) {
    let keys = VenueSecret::from_bytes([seed; 32]).keys();
    let p = Poster::sign(
        &keys,
        PosterInfo {
            name: name.into(),
            address: "1 High Street, Edinburgh EH1 1AA".into(),
            category: "pub".into(),
            default_stay_minutes: 90,
            validity: Some(Validity {
                from: T0,
                until: T0 + 365 * 86_400,
            }),
        },
    )
    .unwrap();
    (keys, p)
}

fn bench_checkin(c: &mut Criterion) {
    let (_, p) = poster(1, "The Crown & Anchor");
    let url = p.to_url("https://checkin.example/v1/c").unwrap();
    c.bench_function("checkin/decode_validate_poster_url", |b| {
        b.iter(|| {
            let poster = Poster::from_url_or_payload(black_box(&url)).unwrap();
            poster.check_valid_at(T0 + 1000).unwrap();
            let v = Visit::new(&poster, T0 + 1000, T0 + 1000 + 90 * 60).unwrap();
            black_box(v)
        })
    });
}

struct Authority {
    emergency: EmergencyOfficers,
    root: Ed25519Secret,
    tracer: Ed25519Secret,
    cert: Certificate,
}

fn authority() -> Authority {
    let root = Ed25519Secret::from_bytes([50; 32]);
    let tracer = Ed25519Secret::from_bytes([51; 32]);
    let cert = Certificate::issue(
        &root,
        &tracer.verifying_key(),
        "Bench Board",
        T0,
        T0 + 400 * 86_400,
    )
    .unwrap();
    Authority {
        emergency: EmergencyOfficers::new(
            [52u8, 53]
                .map(|b| Ed25519Secret::from_bytes([b; 32]).verifying_key())
                .to_vec(),
            2,
        )
        .unwrap(),
        root,
        tracer,
        cert,
    }
}

/// A 14-day diary of 60 visits across 20 venues, 30 minutes to 3 hours each.
fn diary(rng: &mut ChaCha20Rng) -> (Vec<Poster>, Vec<Visit>) {
    let posters: Vec<Poster> = (0..20u8)
        .map(|i| poster(100 + i, &format!("Venue {i}")).1)
        .collect();
    let visits = (0..60)
        .map(|i| {
            let p = &posters[i % posters.len()];
            let arrival = T0 + (i as u64) * 14 * 86_400 / 60 + rng.random_range(0..3600);
            let stay = rng.random_range(1800..3 * 3600);
            Visit::new(p, arrival, arrival + stay).unwrap()
        })
        .collect();
    (posters, visits)
}

/// About `n` entries in signed bundles of `per_bundle` venue notices, each a 3-hour window
/// starting on the hour (3 entries a notice): mostly other venues' hours, plus a few that hit the diary so that the
/// decrypt-and-compare path runs too. Returns the bundles and their exact entry count.
fn bundles(
    a: &Authority,
    rng: &mut ChaCha20Rng,
    n: usize,
    per_bundle: usize,
    hits: &[(VenueKeys, Poster)],
) -> (Vec<Vec<u8>>, usize) {
    let digest = protocol::approval::cert_digest(&a.cert);
    // Every notice carries a venue's approval, as on the wire; only the hits' are ever checked.
    let payload = |venue: &VenueKeys, id: VenueId, start: u64| {
        let s = ApprovalStatement {
            venue_id: id,
            cert_digest: digest,
            start,
            end: start + 3 * 3600,
            severity: Severity::High,
            message: "You may have been exposed. Please book a test.".into(),
        };
        let approval = s.approve_as_venue(venue);
        s.into_payload(approval)
    };
    let other = VenueSecret::from_bytes([99; 32]).keys();
    let mut out = Vec::new();
    let mut made = 0;
    while made < n {
        let mut notices = Vec::with_capacity(per_bundle);
        for j in 0..per_bundle {
            let (keys, venue, start) = if made == 0 && j < hits.len() {
                (
                    &hits[j].0,
                    hits[j].1.venue_id(),
                    T0 + (j as u64) * 14 * 86_400 / 60,
                )
            } else {
                let mut id = [0u8; 32];
                rng.fill_bytes(&mut id);
                (&other, VenueId(id), T0 + rng.random_range(0..14 * 86_400))
            };
            let start = hour_of(start) * 3600;
            notices.push(VenueNotice {
                venue_id: venue,
                payload: payload(keys, venue, start),
            });
        }
        let sealed = seal_notices(rng, &notices).unwrap();
        made += sealed.entries.len();
        out.push(sign_bundle(&a.tracer, &a.cert, T0 + 15 * 86_400, &sealed).unwrap());
    }
    (out, made)
}

fn bench_matching(c: &mut Criterion) {
    let a = authority();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (_, visits) = diary(&mut rng);
    // The first three venues of the diary, with their keys, to approve the notices that hit.
    let hits: Vec<(VenueKeys, Poster)> = (0..3u8)
        .map(|i| poster(100 + i, &format!("Venue {i}")))
        .collect();
    let now = T0 + 15 * 86_400;
    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    // (name, entries, notices per bundle): bundles of 32 notices, and a 14-day first sync at
    // the audit's scale (2,000 notices a day, 3 entries each, 4 notices a bundle).
    let cases = [
        ("verify_and_match_60_visits", 10_000usize, BUNDLE_NOTICES),
        ("verify_and_match_60_visits", 100_000, BUNDLE_NOTICES),
        ("verify_and_match_60_visits", 1_000_000, BUNDLE_NOTICES),
        ("first_sync_14_days", 14 * 2_000 * 3, 4),
    ];
    for (name, n, per_bundle) in cases {
        let (bs, entries) = bundles(&a, &mut rng, n, per_bundle, &hits);
        group.throughput(Throughput::Elements(entries as u64));
        group.measurement_time(Duration::from_secs(if n >= 1_000_000 { 20 } else { 5 }));
        group.bench_with_input(BenchmarkId::new(name, n), &bs, |b, bs| {
            b.iter(|| {
                let mut verifier = BundleVerifier::new(a.root.verifying_key());
                let matcher = Matcher::new(&visits, 15 * 60, a.emergency.clone()).unwrap();
                let mut stats = ScanStats::default();
                let mut alerts = 0;
                for bytes in bs {
                    let bundle = verifier.verify(bytes, now).unwrap();
                    alerts += matcher.scan(&bundle, &mut stats).len();
                }
                assert!(alerts > 0, "the benchmark must exercise the alert path");
                black_box(alerts)
            })
        });
    }
    group.finish();
}

fn bench_bundle_verify(c: &mut Criterion) {
    let a = authority();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let now = T0 + 15 * 86_400;
    let mut group = c.benchmark_group("bundle_verify");
    // 32 notices of 3 hours (96 entries), and the largest bundle: 256 notices of 16 hours.
    for &(notices, hours) in &[(32usize, 3u64), (256, 16)] {
        let n = notices * hours as usize;
        let list: Vec<VenueNotice> = (0..notices)
            .map(|_| {
                let mut id = [0u8; 32];
                rng.fill_bytes(&mut id);
                VenueNotice {
                    venue_id: VenueId(id),
                    payload: NoticePayload {
                        start: T0,
                        end: T0 + hours * 3600,
                        severity: Severity::Low,
                        message: String::new(),
                        approval: Approval::Venue([0; 64]),
                    },
                }
            })
            .collect();
        let bytes = sign_bundle(
            &a.tracer,
            &a.cert,
            now,
            &seal_notices(&mut rng, &list).unwrap(),
        )
        .unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("cold_certificate", n),
            &bytes,
            |b, bytes| {
                b.iter(|| {
                    black_box(
                        BundleVerifier::new(a.root.verifying_key())
                            .verify(bytes, now)
                            .unwrap()
                            .len(),
                    )
                })
            },
        );
        let mut warm = BundleVerifier::new(a.root.verifying_key());
        group.bench_with_input(
            BenchmarkId::new("cached_certificate", n),
            &bytes,
            |b, bytes| b.iter(|| black_box(warm.verify(bytes, now).unwrap().len())),
        );
    }
    group.finish();
}

fn bench_vault_and_case(c: &mut Criterion) {
    let (venue, p) = poster(3, "Café Zürich");
    let authority = SealingSecretKey::from_bytes([4; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let contact = ContactRecord {
        name: "Ada Lovelace".into(),
        phone: "+44 7700 900123".into(),
        email: "ada@example.org".into(),
        party_size: 2,
        arrival: T0,
        departure: T0 + 3000,
    };
    let h = hour_of(T0);
    let allowed = [vault_tag(&p.venue_id(), h)];
    c.bench_function("vault/seal_record", |b| {
        b.iter(|| {
            black_box(seal_record(&mut rng, &p, &authority.public_key(), h, &contact).unwrap())
        })
    });
    let rec = seal_record(&mut rng, &p, &authority.public_key(), h, &contact).unwrap();
    c.bench_function("vault/strip_outer", |b| {
        b.iter(|| black_box(strip_outer(&venue, &allowed, &rec).unwrap()))
    });
    // A record of another venue of the bucket: the venue tries it and it does not open, which
    // is what most records of a tracer's request cost the venue (spec section 14.3).
    let (_, other) = poster(5, "The Anchor");
    let others = seal_record(&mut rng, &other, &authority.public_key(), h, &contact).unwrap();
    c.bench_function("vault/strip_outer_other_venue", |b| {
        b.iter(|| black_box(strip_outer(&venue, &allowed, &others).unwrap_err()))
    });
    let inner = strip_outer(&venue, &allowed, &rec).unwrap();
    c.bench_function("vault/open_inner", |b| {
        b.iter(|| black_box(open_inner(&authority, &inner).unwrap()))
    });
    let diary = CaseDiary {
        created_at: T0,
        visits: (0..60)
            .map(|i| CaseVisit {
                poster: p.clone(),
                arrival: T0 + i * 3600,
                departure: T0 + i * 3600 + 1800,
            })
            .collect(),
    };
    c.bench_function("case/seal_60_visits", |b| {
        b.iter(|| black_box(diary.seal(&mut rng, &authority.public_key()).unwrap()))
    });
}

criterion_group!(
    benches,
    bench_checkin,
    bench_bundle_verify,
    bench_matching,
    bench_vault_and_case
);
criterion_main!(benches);

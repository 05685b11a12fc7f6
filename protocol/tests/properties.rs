//! Property tests: round-trips for every format, every tampered byte rejected, arbitrary
//! bytes never panic a decoder, and matching agreeing with a naive reference.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests"
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use protocol::case::CaseDiary;
use protocol::notice::{open_notice, seal_notice, seal_notices, sign_bundle, verify_bundle};
use protocol::query::{sign_query, verify_query};
use protocol::vault::{open_inner, seal_record, strip_outer};
use protocol::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600;

struct World {
    venue: VenueKeys,
    poster: Poster,
    root: Ed25519Secret,
    tracer: Ed25519Secret,
    cert: Certificate,
    authority: SealingSecretKey,
    /// Three emergency officers, two of whom approve together.
    officers: [Ed25519Secret; 3],
}

impl World {
    fn emergency(&self) -> EmergencyOfficers {
        EmergencyOfficers::new(self.officers.iter().map(|k| k.verifying_key()).collect(), 2)
            .unwrap()
    }
}

/// A payload for the world's venue, approved by the venue for the world's certificate.
fn approved(start: u64, end: u64, severity: Severity, message: &str) -> NoticePayload {
    let w = world();
    let s = ApprovalStatement {
        venue_id: w.poster.venue_id(),
        cert_digest: protocol::approval::cert_digest(&w.cert),
        start,
        end,
        severity,
        message: message.into(),
    };
    let a = s.approve_as_venue(&w.venue);
    s.into_payload(a)
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let venue = VenueSecret::from_bytes([7; 32]).keys();
        let poster = Poster::sign(
            &venue,
            PosterInfo {
                name: "The Crown".into(),
                address: "1 High Street".into(),
                category: "pub".into(),
                default_stay_minutes: 120,
                validity: Some(Validity {
                    from: T0,
                    until: T0 + 86_400 * 365,
                }),
            },
        )
        .unwrap();
        let root = Ed25519Secret::from_bytes([8; 32]);
        let tracer = Ed25519Secret::from_bytes([9; 32]);
        let cert = Certificate::issue(
            &root,
            &tracer.verifying_key(),
            "Tracer",
            T0,
            T0 + 86_400 * 400,
        )
        .unwrap();
        World {
            officers: [10u8, 13, 14].map(|b| Ed25519Secret::from_bytes([b; 32])),
            venue,
            poster,
            root,
            tracer,
            cert,
            authority: SealingSecretKey::from_bytes([10; 32]),
        }
    })
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Text that obeys the rules: no control characters, trimmed, within `max` bytes.
fn text(max: usize, required: bool) -> impl Strategy<Value = String> {
    let min = usize::from(required);
    proptest::collection::vec(
        prop_oneof![
            proptest::char::range('a', 'z'),
            proptest::char::range('A', 'Z'),
            Just(' '),
            Just('é'),
            Just('ü'),
            Just('東'),
            Just('ラ'),
            Just('🍜'),
        ],
        min..max,
    )
    .prop_map(move |cs| {
        let mut s: String = cs.into_iter().collect::<String>().trim().to_owned();
        while s.len() > max {
            s.pop();
            s = s.trim_end().to_owned();
        }
        if required && s.is_empty() {
            s.push('X');
        }
        s
    })
}

fn poster_info() -> impl Strategy<Value = PosterInfo> {
    (
        text(80, true),
        text(120, false),
        text(32, false),
        1u16..=720,
        proptest::option::of((0u64..u64::MAX / 2, 1u64..1_000_000_000)),
    )
        .prop_map(|(name, address, category, stay, v)| PosterInfo {
            name,
            address,
            category,
            default_stay_minutes: stay,
            validity: v.map(|(from, len)| Validity {
                from,
                until: from + len,
            }),
        })
}

fn bundle_bytes(seed: u64, hours: u64) -> Vec<u8> {
    let w = world();
    let start = T0 + 3600 * 10 + 123;
    let notice = VenueNotice {
        venue_id: w.poster.venue_id(),
        payload: approved(start, start + hours * 3600, Severity::Low, "Test"),
    };
    let entries = seal_notices(&mut rng(seed), &[notice]).unwrap();
    sign_bundle(&w.tracer, &w.cert, T0 + 86_400, &entries).unwrap()
}

fn any_flip() -> impl Strategy<Value = u8> {
    1u8..=255
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn poster_round_trip(info in poster_info(), seed in any::<[u8; 32]>()) {
        let keys = VenueSecret::from_bytes(seed).keys();
        let poster = Poster::sign(&keys, info.clone()).unwrap();
        let decoded = Poster::decode(poster.to_bytes()).unwrap();
        prop_assert_eq!(&decoded, &poster);
        prop_assert_eq!(decoded.info(), &info);
        let url = poster.to_url("https://checkin.example/v1/c").unwrap();
        prop_assert_eq!(Poster::from_url_or_payload(&url).unwrap(), poster.clone());
        prop_assert!(poster.to_bytes().len() <= protocol::poster::MAX_POSTER_LEN);
    }

    #[test]
    fn every_poster_byte_is_protected(info in poster_info(), flip in any_flip()) {
        let keys = VenueSecret::from_bytes([3; 32]).keys();
        let poster = Poster::sign(&keys, info).unwrap();
        let bytes = poster.to_bytes();
        for i in 0..bytes.len() {
            let mut t = bytes.to_vec();
            t[i] ^= flip;
            prop_assert!(Poster::decode(&t).is_err(), "byte {} xor {:#x} accepted", i, flip);
        }
    }

    #[test]
    fn certificate_round_trip(name in text(64, true), nb in 0u64..u64::MAX / 2, len in 1u64..u64::MAX / 4) {
        let w = world();
        let cert = Certificate::issue(&w.root, &w.tracer.verifying_key(), &name, nb, nb + len).unwrap();
        let d = Certificate::decode(cert.to_bytes()).unwrap();
        d.verify(&w.root.verifying_key()).unwrap();
        prop_assert_eq!(d, cert);
    }

    #[test]
    fn every_certificate_byte_is_protected(flip in any_flip()) {
        let w = world();
        let bytes = w.cert.to_bytes();
        for i in 0..bytes.len() {
            let mut t = bytes.to_vec();
            t[i] ^= flip;
            let r = Certificate::decode(&t).and_then(|c| c.verify(&w.root.verifying_key()));
            prop_assert!(r.is_err(), "byte {} accepted", i);
        }
    }

    #[test]
    fn notice_round_trip(
        start_off in 0u64..86_400 * 30,
        len in 1u64..protocol::notice::MAX_WINDOW_SECS,
        high in any::<bool>(),
        message in text(160, false),
        salt in any::<[u8; 16]>(),
        index in any::<u16>(),
    ) {
        let w = world();
        let start = T0 + start_off;
        let payload = approved(start, start + len, if high { Severity::High } else { Severity::Low }, &message);
        let n = seal_notice(&w.poster.venue_id(), &salt, index, &payload, payload.sealed_len()).unwrap();
        prop_assert_eq!(n.len(), payload.sealed_len());
        // Reached through the first and the last hour of the window.
        let hours = hours_covered(payload.start, payload.end);
        for h in [*hours.start(), *hours.end()] {
            prop_assert_eq!(open_notice(&w.poster.venue_id(), &salt, index, &n, h).unwrap(), payload.clone());
        }
        // Under another index or salt it does not open.
        prop_assert!(open_notice(&w.poster.venue_id(), &salt, index.wrapping_add(1), &n, *hours.start()).is_err());
        let mut other = salt;
        other[0] ^= 1;
        prop_assert!(open_notice(&w.poster.venue_id(), &other, index, &n, *hours.start()).is_err());
    }

    #[test]
    fn every_notice_byte_is_protected(flip in any_flip(), salt in any::<[u8; 16]>()) {
        let w = world();
        let payload = approved(T0, T0 + 60, Severity::Low, "m");
        let h = hour_of(T0);
        let n = seal_notice(&w.poster.venue_id(), &salt, 0, &payload, payload.sealed_len()).unwrap();
        for i in 0..n.len() {
            let mut t = n.clone();
            t[i] ^= flip;
            prop_assert!(open_notice(&w.poster.venue_id(), &salt, 0, &t, h).is_err(), "byte {} accepted", i);
        }
    }

    #[test]
    fn bundle_round_trip(seed in any::<u64>(), hours in 1u64..48) {
        let w = world();
        let bytes = bundle_bytes(seed, hours);
        let b = verify_bundle(&w.root.verifying_key(), &bytes, T0 + 86_400).unwrap();
        prop_assert_eq!(b.to_bytes(), &bytes[..]);
        prop_assert_eq!(b.certificate(), &w.cert);
        // One entry per hour the window overlaps: `hours` whole hours from an offset start.
        prop_assert_eq!(b.len() as u64, hours + 1);
    }
}

proptest! {
    // Each case verifies a bundle once per byte (about 1,000 verifications).
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn every_bundle_byte_is_protected(seed in any::<u64>(), flip in any_flip()) {
        let w = world();
        let bytes = bundle_bytes(seed, 1);
        let root = w.root.verifying_key();
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= flip;
            prop_assert!(verify_bundle(&root, &t, T0 + 86_400).is_err(), "byte {} accepted", i);
        }
    }

    #[test]
    fn every_vault_record_byte_is_protected(seed in any::<u64>(), flip in any_flip()) {
        let w = world();
        let c = ContactRecord {
            name: "A".into(), phone: "1".into(), email: "".into(), party_size: 1,
            arrival: T0, departure: T0 + 60,
        };
        let h = hour_of(T0);
        let rec = seal_record(&mut rng(seed), &w.poster, &w.authority.public_key(), h, &c).unwrap();
        let allowed = [vault_tag(&w.poster.venue_id(), h)];
        for i in 0..rec.len() {
            let mut t = rec;
            t[i] ^= flip;
            let r = strip_outer(&w.venue, &allowed, &t).and_then(|inner| open_inner(&w.authority, &inner));
            prop_assert!(r.is_err(), "byte {} accepted", i);
        }
        let inner = strip_outer(&w.venue, &allowed, &rec).unwrap();
        for i in 0..inner.len() {
            let mut t = inner;
            t[i] ^= flip;
            prop_assert!(open_inner(&w.authority, &t).is_err(), "inner byte {} accepted", i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn vault_round_trip(
        name in text(80, true), phone in text(32, false), email in text(100, false),
        party in 1u8..=50, arr in 0u64..86_400 * 30, stay in 0u64..43_200, seed in any::<u64>(),
    ) {
        // A name alone is refused at sealing (`vault_no_phone_or_email`): give it a phone.
        let phone = if phone.is_empty() && email.is_empty() { "1".to_owned() } else { phone };
        let w = world();
        let c = ContactRecord { name, phone, email, party_size: party, arrival: T0 + arr, departure: T0 + arr + stay };
        // Two sealing periods meeting at T0 + 15 days: a visit across the boundary seals each
        // hour to the key of the period the hour starts in, and only that key opens it.
        let next = SealingSecretKey::from_bytes([12; 32]);
        let boundary = T0 + 15 * 86_400;
        let trust = TrustAnchor {
            authority: "Example Health Board".into(),
            serial: 1,
            root: w.root.verifying_key(),
            emergency: w.emergency(),
            case: SealingSecretKey::from_bytes([13; 32]).public_key(),
            release: None,
            sealing: vec![
                SealingPeriod { from: T0, until: boundary, key: w.authority.public_key() },
                SealingPeriod { from: boundary, until: T0 + 32 * 86_400, key: next.public_key() },
            ],
        };
        let records = protocol::vault::seal_visit(&mut rng(seed), &w.poster, &trust, &c).unwrap();
        let hours: Vec<u64> = hours_covered(c.arrival, c.departure).collect();
        prop_assert_eq!(records.len(), hours.len());
        let allowed: Vec<Tag> = hours.iter().map(|&h| vault_tag(&w.poster.venue_id(), h)).collect();
        for (r, h) in records.iter().zip(&hours) {
            let inner = strip_outer(&w.venue, &allowed, r).unwrap();
            let (right, wrong) = if h * 3600 < boundary { (&w.authority, &next) } else { (&next, &w.authority) };
            prop_assert_eq!(open_inner(right, &inner).unwrap(), c.clone());
            prop_assert!(open_inner(wrong, &inner).is_err());
        }
    }

    #[test]
    fn case_round_trip(visits in proptest::collection::vec((0u64..86_400 * 14, 0u64..43_200), 0..40), seed in any::<u64>()) {
        let w = world();
        let diary = CaseDiary {
            created_at: T0 + 86_400 * 15,
            visits: visits.iter().map(|&(a, s)| CaseVisit { poster: w.poster.clone(), arrival: T0 + a, departure: T0 + a + s }).collect(),
        };
        let file = diary.seal(&mut rng(seed), &w.authority.public_key()).unwrap();
        prop_assert_eq!(CaseDiary::open(&w.authority, &file).unwrap(), diary);
        let mut t = file.clone();
        let i = (seed as usize) % t.len();
        t[i] ^= 1;
        prop_assert!(CaseDiary::open(&w.authority, &t).is_err());
    }

    /// Every diary that fits the smallest size seals to one length, whatever its number of
    /// visits: a held file's size does not show how many visits it has.
    #[test]
    fn case_files_of_up_to_forty_visits_all_have_the_smallest_size(n in 0usize..=40, seed in any::<u64>()) {
        let w = world();
        let diary = CaseDiary {
            created_at: T0 + 86_400 * 15,
            visits: (0..n as u64).map(|i| CaseVisit { poster: w.poster.clone(), arrival: T0 + i * 3600, departure: T0 + i * 3600 + 600 }).collect(),
        };
        let file = diary.seal(&mut rng(seed), &w.authority.public_key()).unwrap();
        prop_assert_eq!(file.len(), protocol::case::MIN_CASE_LEN);
    }

    /// A tag binds the file to its code: any changed byte of the file or the tag, or another
    /// code, fails the check.
    #[test]
    fn a_case_code_refuses_any_changed_byte_and_any_other_code(seed in any::<u64>(), other in any::<u64>()) {
        let w = world();
        let file = CaseDiary { created_at: T0, visits: vec![] }.seal(&mut rng(seed), &w.authority.public_key()).unwrap();
        let code = protocol::CaseCode::generate(&mut rng(seed));
        let tag = code.tag(&file);
        prop_assert!(code.verify(&file, &tag).is_ok());
        let mut f = file.clone();
        let i = (seed as usize) % f.len();
        f[i] ^= 1 << (other % 8);
        prop_assert_eq!(code.verify(&f, &tag).unwrap_err().code(), "case_code_mismatch");
        let mut t = tag;
        t[(other as usize) % 32] ^= 1;
        prop_assert!(code.verify(&file, &t).is_err());
        let another = protocol::CaseCode::generate(&mut rng(other ^ 0x5555));
        prop_assume!(another != code);
        prop_assert!(another.verify(&file, &tag).is_err());
        prop_assert_ne!(another.id(), code.id());
        prop_assert_eq!(protocol::CaseCode::parse(&code.to_string().to_lowercase()).unwrap(), code);
    }

    #[test]
    fn query_round_trip(n in 1usize..64, seed in any::<u64>()) {
        let w = world();
        let tags: Vec<Tag> = (0..n as u64).map(|i| vault_tag(&w.poster.venue_id(), i)).collect();
        let q = sign_query(&mut rng(seed), &w.tracer, &w.cert, T0 + 1000, &tags).unwrap();
        let v = verify_query(&w.root.verifying_key(), &q, T0 + 1100).unwrap();
        prop_assert_eq!(v.tags, tags);
        for i in 0..q.len() {
            let mut t = q.clone();
            t[i] ^= 0x10;
            prop_assert!(verify_query(&w.root.verifying_key(), &t, T0 + 1100).is_err(), "byte {} accepted", i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary input never panics a decoder; it gives an error (or, vanishingly rarely, a
    /// valid value, which would need a forged signature).
    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1200), s in ".{0,600}") {
        let w = world();
        let root = w.root.verifying_key();
        let _ = Poster::decode(&bytes);
        let _ = Poster::from_url_or_payload(&s);
        let _ = Poster::from_url_or_payload(&format!("https://x.example/c#{s}"));
        let _ = Certificate::decode(&bytes);
        let _ = verify_bundle(&root, &bytes, T0);
        let _ = verify_query(&root, &bytes, T0);
        let _ = CaseDiary::open(&w.authority, &bytes);
        let _ = strip_outer(&w.venue, &[[0u8; 16]], &bytes);
        let _ = open_inner(&w.authority, &bytes);
        let _ = open_notice(&w.poster.venue_id(), &[0; 16], 0, &bytes, 0);
    }

    /// Structured garbage: a valid prefix with arbitrary bytes after it reaches the deeper
    /// checks of each decoder.
    #[test]
    fn decoders_never_panic_on_valid_prefixes(cut in 0usize..2000, tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        let w = world();
        let root = w.root.verifying_key();
        let bundle = bundle_bytes(1, 1);
        for base in [w.poster.to_bytes(), w.cert.to_bytes(), &bundle[..]] {
            let mut b = base[..cut.min(base.len())].to_vec();
            b.extend_from_slice(&tail);
            prop_assert!(Poster::decode(&b).is_err() || b == w.poster.to_bytes());
            let _ = Certificate::decode(&b);
            prop_assert!(verify_bundle(&root, &b, T0 + 86_400).is_err() || b == bundle);
        }
    }
}

/// The naive reference: a visit alerts for a notice iff their overlap reaches the threshold.
fn reference_alerts(visits: &[(u64, u64)], window: (u64, u64), threshold: u64) -> Vec<bool> {
    visits
        .iter()
        .map(|&(a, d)| {
            let lo = a.max(window.0);
            let hi = d.min(window.1);
            hi > lo && hi - lo >= threshold
        })
        .collect()
}

fn visit_strategy() -> impl Strategy<Value = (u64, u64)> {
    // Starts around midnight and hour boundaries, lengths from zero to 14 days.
    let start = prop_oneof![
        (0u64..86_400 * 3).prop_map(|s| T0 + s),
        (0u64..72, -120i64..120).prop_map(|(h, d)| (T0 as i64 + h as i64 * 3600 + d) as u64),
    ];
    let len = prop_oneof![
        Just(0u64),
        0u64..7200,
        0u64..86_400,
        0u64..=protocol::matching::MAX_VISIT_SECS,
    ];
    (start, len).prop_map(|(s, l)| (s, s + l))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn matching_agrees_with_reference(
        visits in proptest::collection::vec(visit_strategy(), 1..12),
        wstart in (0u64..86_400 * 3).prop_map(|s| T0 + s),
        wlen in prop_oneof![1u64..7200, 1u64..86_400 * 2],
        threshold in prop_oneof![Just(1u64), Just(900u64), 1u64..7200],
        other_venue in proptest::collection::vec(any::<bool>(), 12),
        other_window in proptest::option::of((0u64..86_400 * 3, 1u64..86_400)),
        decoys in 0usize..4,
        seed in any::<u64>(),
    ) {
        let w = world();
        let other_keys = VenueSecret::from_bytes([11; 32]).keys();
        let other = Poster::sign(&other_keys, PosterInfo {
            name: "Elsewhere".into(), address: "".into(), category: "".into(),
            default_stay_minutes: 30, validity: None,
        }).unwrap();
        let window = (wstart, wstart + wlen);
        // The venue's notice shares its bundle with decoys (venues nobody visited) and,
        // sometimes, a notice of its own for the other venue, over another window.
        let mut notices = vec![VenueNotice {
            venue_id: w.poster.venue_id(),
            payload: approved(window.0, window.1, Severity::High, "m"),
        }];
        let other_window = other_window.map(|(s, l)| (T0 + s, T0 + s + l));
        if let Some((s, e)) = other_window {
            let st = ApprovalStatement {
                venue_id: other.venue_id(),
                cert_digest: protocol::approval::cert_digest(&w.cert),
                start: s,
                end: e,
                severity: Severity::Low,
                message: "a longer message for the other venue".into(),
            };
            let a = st.approve_as_venue(&other_keys);
            notices.push(VenueNotice { venue_id: other.venue_id(), payload: st.into_payload(a) });
        }
        for d in 0..decoys {
            notices.push(VenueNotice {
                venue_id: protocol::VenueId([d as u8 + 100; 32]),
                payload: approved(window.0, window.1, Severity::Low, "decoy"),
            });
        }
        let entries = seal_notices(&mut rng(seed), &notices).unwrap();
        let bytes = sign_bundle(&w.tracer, &w.cert, T0 + 86_400 * 5, &entries).unwrap();
        let bundle = verify_bundle(&w.root.verifying_key(), &bytes, T0 + 86_400 * 5).unwrap();

        let diary: Vec<Visit> = visits.iter().enumerate().map(|(i, &(a, d))| {
            let venue = if other_venue[i] { &other } else { &w.poster };
            Visit::new(venue, a, d).unwrap()
        }).collect();
        let matcher = Matcher::new(&diary, threshold, w.emergency()).unwrap();
        let alerts = matcher.scan(&bundle, &mut ScanStats::default());
        let expected = reference_alerts(&visits, window, threshold);
        let expected_other = other_window.map(|ow| reference_alerts(&visits, ow, threshold));
        for (i, want) in expected.iter().enumerate() {
            let want = if other_venue[i] {
                expected_other.as_ref().is_some_and(|o| o[i])
            } else {
                *want
            };
            let got = alerts.iter().filter(|a| a.visit == i).count();
            prop_assert_eq!(got, usize::from(want), "visit {} {:?} window {:?} threshold {}", i, visits[i], window, threshold);
        }
        // A second scan of the same bundle gives the same alerts: matching is a pure function.
        prop_assert_eq!(matcher.scan(&bundle, &mut ScanStats::default()), alerts);
    }
}

#[test]
fn tampered_poster_with_valid_resignature_is_another_venue() {
    // Someone re-signs a poster with the real name under their own key: it decodes, but its
    // venue_id differs, so check-ins there never match the real venue's notices.
    let w = world();
    let fake = Poster::sign(
        &VenueSecret::from_bytes([99; 32]).keys(),
        w.poster.info().clone(),
    )
    .unwrap();
    assert_ne!(fake.venue_id(), w.poster.venue_id());
    assert_ne!(fake.fingerprint(), w.poster.fingerprint());
}

#[test]
fn zero_threshold_is_refused() {
    let key = world().emergency();
    assert_eq!(
        Matcher::new(&[], 0, key).err(),
        Some(VisitError::ZeroThreshold)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No single key makes a phone alert: whatever one party changes in the statement, or
    /// whichever key other than the venue's (or a threshold of the emergency officers) signs,
    /// and one officer alone, the notice opens but never alerts, and is counted as unapproved.
    #[test]
    fn only_the_venue_or_a_threshold_of_officers_approves(
        which in 0usize..12,
        flip in any_flip(),
        byte in 0usize..64,
        seed in any::<u64>(),
    ) {
        let w = world();
        let (start, end) = (T0 + 3600, T0 + 7200);
        let mut s = ApprovalStatement {
            venue_id: w.poster.venue_id(),
            cert_digest: protocol::approval::cert_digest(&w.cert),
            start,
            end,
            severity: Severity::High,
            message: "m".into(),
        };
        let officer = |i: usize, s: &ApprovalStatement| s.sign_as_officer(i as u8, &w.officers[i]);
        let approval = match which {
            0 => Approval::Authority(vec![s.sign_as_officer(0, &w.tracer), officer(1, &s)]),
            1 => Approval::Authority(vec![s.sign_as_officer(0, &w.root), officer(1, &s)]),
            2 => s.approve_as_venue(&VenueSecret::from_bytes([12; 32]).keys()),
            3 => match s.approve_as_venue(&w.venue) {
                Approval::Venue(mut sig) => {
                    sig[byte] ^= flip;
                    Approval::Venue(sig)
                }
                a => a,
            },
            8 => Approval::Authority(vec![officer(byte % 3, &s)]),
            9 => Approval::Authority(vec![officer(byte % 3, &s), officer(byte % 3, &s)]),
            10 => {
                let mut a = officer(1, &s);
                a.signature[byte] ^= flip;
                Approval::Authority(vec![officer(0, &s), a])
            }
            11 => {
                let a = Approval::Authority(vec![officer(0, &s), officer(2, &s)]);
                s.message = "another message".into();
                a
            }
            4 => {
                // Approved for another tracer's certificate.
                let mut other = s.clone();
                other.cert_digest[byte % 32] ^= flip;
                other.approve_as_venue(&w.venue)
            }
            5 => {
                let a = s.approve_as_venue(&w.venue);
                s.message = "another message".into();
                a
            }
            6 => {
                let a = s.approve_as_venue(&w.venue);
                s.severity = Severity::Low;
                a
            }
            _ => {
                let a = s.approve_as_venue(&w.venue);
                s.end += 60;
                a
            }
        };
        let notice = VenueNotice { venue_id: w.poster.venue_id(), payload: s.into_payload(approval) };
        let entries = seal_notices(&mut rng(seed), &[notice]).unwrap();
        let bytes = sign_bundle(&w.tracer, &w.cert, T0 + 86_400, &entries).unwrap();
        let bundle = verify_bundle(&w.root.verifying_key(), &bytes, T0 + 86_400).unwrap();
        let diary = [Visit::new(&w.poster, start, end).unwrap()];
        let matcher = Matcher::new(&diary, 60, w.emergency()).unwrap();
        let mut stats = ScanStats::default();
        prop_assert!(matcher.scan(&bundle, &mut stats).is_empty());
        prop_assert_eq!(stats.unapproved, 1);
    }
}

#[test]
fn two_emergency_officers_approve_for_an_unreachable_venue() {
    let w = world();
    let s = ApprovalStatement {
        venue_id: w.poster.venue_id(),
        cert_digest: protocol::approval::cert_digest(&w.cert),
        start: T0 + 3600,
        end: T0 + 7200,
        severity: Severity::Low,
        message: "m".into(),
    };
    let a = Approval::Authority(vec![
        s.sign_as_officer(2, &w.officers[2]),
        s.sign_as_officer(0, &w.officers[0]),
    ]);
    let notice = VenueNotice {
        venue_id: w.poster.venue_id(),
        payload: s.into_payload(a),
    };
    let entries = seal_notices(&mut rng(1), &[notice]).unwrap();
    let bytes = sign_bundle(&w.tracer, &w.cert, T0 + 86_400, &entries).unwrap();
    let bundle = verify_bundle(&w.root.verifying_key(), &bytes, T0 + 86_400).unwrap();
    let diary = [Visit::new(&w.poster, T0 + 3600, T0 + 7200).unwrap()];
    let matcher = Matcher::new(&diary, 60, w.emergency()).unwrap();
    let alerts = matcher.scan(&bundle, &mut ScanStats::default());
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].approver, Approver::Authority);
    assert_eq!(alerts[0].issuer, "Tracer");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// A cover record is a record's length, filed under one of the day's 1024 bucket tags,
    /// and no venue opens it (spec section 14.5).
    #[test]
    fn cover_records_look_real_and_open_for_no_venue(seed in any::<u64>(), day in 0u64..40_000) {
        let w = world();
        let r = protocol::vault::cover_record(&mut rng(seed), day, &[]);
        prop_assert_eq!(r.len(), protocol::vault::RECORD_LEN);
        let tag = protocol::vault::record_tag(&r).unwrap();
        prop_assert!((0..protocol::derive::VAULT_BUCKETS).any(|b| protocol::derive::bucket_tag(b, day) == tag));
        let allowed: Vec<Tag> = (0..24).map(|h| vault_tag(&w.poster.venue_id(), day * 24 + h)).collect();
        prop_assert_eq!(strip_outer(&w.venue, &allowed, &r).unwrap_err(), VaultError::DecryptionFailed);
    }

    /// A cover record's bucket is one the list gives venues to, never an empty one, and a
    /// list that is not 1024 counts (or is all zeros) gives any bucket (spec section 14.5).
    #[test]
    fn cover_buckets_fall_only_where_venues_are(seed in any::<u64>(), used in proptest::collection::vec((0u16..1024, 1u32..5), 1..8)) {
        let mut counts = vec![0u32; 1024];
        for &(b, n) in &used {
            counts[usize::from(b)] += n;
        }
        let mut r = rng(seed);
        for _ in 0..64 {
            let b = protocol::vault::cover_bucket(&mut r, &counts);
            prop_assert!(counts[usize::from(b)] > 0, "bucket {} has no venue", b);
        }
        prop_assert!(protocol::vault::cover_bucket(&mut r, &counts[..10]) < 1024);
        prop_assert!(protocol::vault::cover_bucket(&mut r, &[0; 1024]) < 1024);
    }

    /// A record's authority layer sealed at the visit's end and its venue layer added days
    /// later, filed under the later day, opens as one sealed at once (spec section 14.5).
    #[test]
    fn a_record_filed_on_the_day_it_is_sent_still_opens(seed in any::<u64>(), lag in 0u64..30) {
        let w = world();
        let c = ContactRecord {
            name: "A".into(), phone: "1".into(), email: "".into(), party_size: 1,
            arrival: T0, departure: T0 + 60,
        };
        let h = hour_of(T0);
        let mut r = rng(seed);
        let inner = protocol::vault::seal_inner(&mut r, &w.poster, &w.authority.public_key(), h, &c).unwrap();
        let bucket = protocol::derive::vault_bucket(&w.poster.venue_id());
        let rec = protocol::vault::seal_outer(&mut r, w.poster.sealing_key(), bucket, h / 24 + lag, &inner).unwrap();
        prop_assert_eq!(protocol::vault::record_tag(&rec).unwrap(), protocol::derive::bucket_tag(bucket, h / 24 + lag));
        let stripped = strip_outer(&w.venue, &[vault_tag(&w.poster.venue_id(), h)], &rec).unwrap();
        prop_assert_eq!(open_inner(&w.authority, &stripped).unwrap(), c);
    }
}

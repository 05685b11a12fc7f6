//! Makes the input of the bytes-per-day benchmark (`bench/day.sh`) and of the phone's
//! wake-up benchmark (`web/bench/wake.sh`): an authority trust file and a store
//! (`DIR/data/store.redb`) holding DAYS days (default 1) of NOTICES notices a day, published
//! over the 24 × DAYS closed hours that ended three hours ago. Each notice is one venue's
//! 3-hour window (starting at a random second, so it covers 4 hours), approved by that venue's
//! own key, with MESSAGE as its text; a case's notices share one bundle of PER_BUNDLE notices,
//! and bundles take turns among TRACERS tracers, each with a certificate of its own. Prints
//! the first of the hours.
//!
//! With VISITS_A_DAY, also a phone (`DIR/phone.json`): VISITS_A_DAY visits on each of the
//! DAYS days at a dozen venues whose posters are made here, and one notice of the store (in
//! place of a random venue's) names the venue of a visit in the middle of the period, over
//! that visit, approved by that venue. The phone's diary then matches exactly one notice.
//!
//! `cargo run --release -p notify-server --example bench_day -- DIR NOTICES PER_BUNDLE MESSAGE TRACERS [DAYS [VISITS_A_DAY]]`
#![allow(clippy::print_stdout, reason = "a tool that prints")]

use std::error::Error;

use notify_server::store::{RedbStore, Store, store_path};
use protocol::approval::cert_digest;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::*;
use rand::{RngExt, SeedableRng};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (dir, notices, per_bundle, message, tracers, days, visits_a_day) = match args.as_slice() {
        [_, dir, notices, per_bundle, message, tracers, rest @ ..] if rest.len() <= 2 => (
            dir,
            notices,
            per_bundle,
            message,
            tracers,
            rest.first().map_or(Ok(1), |d| d.parse::<u64>())?,
            rest.get(1).map(|v| v.parse::<u64>()).transpose()?,
        ),
        _ => {
            return Err(
                "usage: bench_day DIR NOTICES PER_BUNDLE MESSAGE TRACERS [DAYS [VISITS_A_DAY]]"
                    .into(),
            );
        }
    };
    if days == 0 {
        return Err("DAYS must be 1 or more".into());
    }
    let tracers: usize = tracers.parse()?;
    if tracers == 0 {
        return Err("TRACERS must be 1 or more".into());
    }
    let dir = std::path::Path::new(dir);
    let (n_notices, per_bundle): (usize, usize) = (notices.parse()?, per_bundle.parse()?);
    if per_bundle == 0 || per_bundle > protocol::notice::MAX_BUNDLE_NOTICES {
        return Err("PER_BUNDLE must be 1 to 256".into());
    }
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(3);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let first_hour = now / 3600 - 3 - 24 * days;
    let root = Ed25519Secret::generate(&mut rng);
    // Names of typical length (40 bytes): the certificate is part of every bundle.
    let signers = (0..tracers)
        .map(|t| {
            let tracer = Ed25519Secret::generate(&mut rng);
            let cert = Certificate::issue(
                &root,
                &tracer.verifying_key(),
                &format!("NHS Example Health Board Tracer No.{t:05}"),
                now - (days + 2) * 86_400,
                now + 86_400,
            )?;
            let digest = cert_digest(&cert);
            Ok((tracer, cert, digest))
        })
        .collect::<Result<Vec<_>, protocol::CertError>>()?;
    let trust = TrustAnchor {
        authority: "Bench Authority".into(),
        serial: 1,
        root: root.verifying_key(),
        emergency: protocol::EmergencyOfficers::new(
            vec![
                protocol::Ed25519Secret::generate(&mut rng).verifying_key(),
                protocol::Ed25519Secret::generate(&mut rng).verifying_key(),
            ],
            2,
        )?,
        case: protocol::SealingSecretKey::from_bytes([0xca; 32]).public_key(),
        release: None,
        // One sealing period from 1970 to 2100.
        sealing: vec![protocol::SealingPeriod {
            from: 0,
            until: 4_102_444_800,
            key: SealingSecretKey::generate(&mut rng).public_key(),
        }],
    };
    std::fs::write(dir.join("trust.txt"), trust.sign(&root))?;
    std::fs::create_dir_all(dir.join("data"))?;
    let store = RedbStore::open(&store_path(&dir.join("data")))?;
    let phone = visits_a_day
        .map(|v| Phone::new(&mut rng, first_hour * 3600, days, v))
        .transpose()?;
    let mut matched = None;
    let n_notices = n_notices * days as usize;
    let n_bundles = n_notices.div_ceil(per_bundle);
    let mut left = n_notices;
    for i in 0..n_bundles {
        let hour = first_hour + (i as u64 * 24 * days / n_bundles as u64);
        let published = hour * 3600 + rng.random_range(0..3600);
        let (tracer, cert, digest) = &signers[i % tracers];
        let k = per_bundle.min(left);
        left -= k;
        let notices: Vec<VenueNotice> = (0..k)
            .map(|_| {
                // The phone's notice: the first one published a day after its visit.
                if let Some(p) = &phone
                    && matched.is_none()
                    && published > p.hit_start + 86_400
                {
                    matched = Some(hour);
                    let s = ApprovalStatement {
                        venue_id: p.hit.venue_id(),
                        cert_digest: *digest,
                        start: p.hit_start,
                        end: p.hit_start + 3 * 3600,
                        severity: Severity::High,
                        message: message.clone(),
                    };
                    let a = s.approve_as_venue(&p.hit_keys);
                    return VenueNotice {
                        venue_id: p.hit.venue_id(),
                        payload: s.into_payload(a),
                    };
                }
                let venue = VenueSecret::generate(&mut rng).keys();
                let mut id = [0u8; 32];
                rand::Rng::fill_bytes(&mut rng, &mut id);
                let start = published - 86_400 + rng.random_range(0..86_400 - 3 * 3600);
                let s = ApprovalStatement {
                    venue_id: VenueId(id),
                    cert_digest: *digest,
                    start,
                    end: start + 3 * 3600,
                    severity: Severity::High,
                    message: message.clone(),
                };
                let a = s.approve_as_venue(&venue);
                VenueNotice {
                    venue_id: VenueId(id),
                    payload: s.into_payload(a),
                }
            })
            .collect();
        let b = sign_bundle(tracer, cert, published, &seal_notices(&mut rng, &notices)?)?;
        store.insert_bundle(&protocol::notice::bundle_id_of(&b), published, &b)?;
    }
    store.flush()?;
    if let Some(mut p) = phone {
        let hour =
            matched.ok_or("no bundle was published a day after the phone's matching visit")?;
        p.json["match"]["hour"] = hour.into();
        std::fs::write(dir.join("phone.json"), p.json.to_string())?;
    }
    println!("{first_hour}");
    Ok(())
}

/// The phone of the wake-up benchmark: its visits, and the one that a notice will match.
struct Phone {
    json: serde_json::Value,
    hit: Poster,
    hit_keys: VenueKeys,
    /// The matching notice's start: half an hour before the visit's arrival.
    hit_start: u64,
}

impl Phone {
    /// VISITS_A_DAY visits a day for DAYS days from `from`, at 12 venues (a café at breakfast,
    /// a shop at lunch, a pub in the evening, and so on): each from 30 to 120 minutes.
    fn new(
        rng: &mut rand::rngs::ChaCha20Rng,
        from: u64,
        days: u64,
        visits_a_day: u64,
    ) -> Result<Phone, Box<dyn Error>> {
        let venues = (0..12)
            .map(|i| {
                let keys = VenueSecret::generate(rng).keys();
                let poster = Poster::sign(
                    &keys,
                    PosterInfo {
                        name: format!("Bench Venue {i:02}"),
                        address: format!("{} High Street, Exampletown EX1 2AB", i + 1),
                        category: "pub".into(),
                        default_stay_minutes: 120,
                        validity: None,
                    },
                )?;
                Ok((keys, poster))
            })
            .collect::<Result<Vec<_>, protocol::PosterError>>()?;
        let day0 = from.div_ceil(86_400) * 86_400;
        let mut visits = Vec::new();
        let mut hit = None;
        for day in 0..days {
            for k in 0..visits_a_day {
                // Spread over 08:00 to 22:00, in order, never overlapping.
                let slot = 14 * 3600 / visits_a_day;
                let arrival =
                    day0 + day * 86_400 + 8 * 3600 + k * slot + rng.random_range(0..slot / 3);
                let departure = arrival + rng.random_range(30 * 60..(120 * 60).min(slot * 2 / 3));
                let v = rng.random_range(0..venues.len());
                if day == days / 2 && k == 0 {
                    hit = Some((v, arrival));
                }
                visits.push(serde_json::json!({
                    "poster": venues[v].1.payload(),
                    "arrival": arrival,
                    "departure": departure,
                }));
            }
        }
        let (v, arrival) = hit.ok_or("no visits")?;
        let (hit_keys, hit) = venues.into_iter().nth(v).ok_or("no venue")?;
        Ok(Phone {
            json: serde_json::json!({
                "visits": visits,
                "match": { "venue": hit.info().name, "arrival": arrival },
            }),
            hit,
            hit_keys,
            hit_start: arrival - 1800,
        })
    }
}

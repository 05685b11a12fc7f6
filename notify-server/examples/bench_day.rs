//! Makes the input of the bytes-per-day benchmark (`bench/day.sh`): an authority trust file
//! and a store (`DIR/data/store.redb`) holding one day of notices, published over the 24
//! closed hours that ended three hours ago. Each notice is one venue's 3-hour window (starting
//! at a random second, so it covers 4 hours), approved by that venue's own key, with MESSAGE
//! as its text; a case's notices share one bundle of PER_BUNDLE notices, and bundles take
//! turns among TRACERS tracers, each with a certificate of its own. Prints the first of the 24
//! hours.
//!
//! `cargo run --release -p notify-server --example bench_day -- DIR NOTICES PER_BUNDLE MESSAGE TRACERS`
#![allow(clippy::print_stdout, reason = "a tool that prints")]

use std::error::Error;

use notify_server::store::{RedbStore, Store, store_path};
use protocol::approval::cert_digest;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::*;
use rand::{RngExt, SeedableRng};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, notices, per_bundle, message, tracers] = args.as_slice() else {
        return Err("usage: bench_day DIR NOTICES PER_BUNDLE MESSAGE TRACERS".into());
    };
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
    let first_hour = now / 3600 - 27;
    let root = Ed25519Secret::generate(&mut rng);
    // Names of typical length (40 bytes): the certificate is part of every bundle.
    let signers = (0..tracers)
        .map(|t| {
            let tracer = Ed25519Secret::generate(&mut rng);
            let cert = Certificate::issue(
                &root,
                &tracer.verifying_key(),
                &format!("NHS Example Health Board Tracer No.{t:05}"),
                now - 3 * 86_400,
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
    let n_bundles = n_notices.div_ceil(per_bundle);
    let mut left = n_notices;
    for i in 0..n_bundles {
        let hour = first_hour + (i * 24 / n_bundles) as u64;
        let published = hour * 3600 + rng.random_range(0..3600);
        let (tracer, cert, digest) = &signers[i % tracers];
        let k = per_bundle.min(left);
        left -= k;
        let notices: Vec<VenueNotice> = (0..k)
            .map(|_| {
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
    println!("{first_hour}");
    Ok(())
}

//! Makes the inputs of the load benchmark (`bench/run.sh`): an authority trust file, distinct
//! signed bundles (created now, so the server accepts them) and distinct vault records, one
//! JSON request body per line.
//!
//! `cargo run --release -p notify-server --example bench_data -- DIR BUNDLES RECORDS`
#![allow(clippy::print_stdout, reason = "a tool that prints")]

use std::error::Error;
use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::vault::seal_record;
use protocol::*;
use rand::SeedableRng;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, bundles, records] = args.as_slice() else {
        return Err("usage: bench_data DIR BUNDLES RECORDS".into());
    };
    let dir = std::path::Path::new(dir);
    let (n_bundles, n_records): (usize, usize) = (bundles.parse()?, records.parse()?);
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let root = Ed25519Secret::generate(&mut rng);
    let tracer = Ed25519Secret::generate(&mut rng);
    let sealing = SealingSecretKey::generate(&mut rng);
    let cert = Certificate::issue(
        &root,
        &tracer.verifying_key(),
        "Bench Board",
        now - 3600,
        now + 86_400,
    )?;
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
            key: sealing.public_key(),
        }],
    };
    std::fs::write(dir.join("trust.txt"), trust.sign(&root))?;
    let poster = Poster::sign(
        &VenueSecret::generate(&mut rng).keys(),
        PosterInfo {
            name: "Bench Venue".into(),
            address: String::new(),
            category: String::new(),
            default_stay_minutes: 60,
            validity: None,
        },
    )?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("bundles.txt"))?);
    for i in 0..n_bundles {
        // A one-hour notice for a random venue: two entries, a typical small bundle.
        let mut id = [0u8; 32];
        rand::Rng::fill_bytes(&mut rng, &mut id);
        let n = VenueNotice {
            venue_id: VenueId(id),
            payload: NoticePayload {
                start: now - 7200 + (i as u64 % 600),
                end: now - 3600,
                severity: Severity::Low,
                message: "Bench".into(),
                // Sealed inside the entry: the server never sees it, so any value does here.
                approval: Approval::Venue([0; 64]),
            },
        };
        let b = sign_bundle(&tracer, &cert, now, &seal_notices(&mut rng, &[n])?)?;
        writeln!(out, "{{\"bundle\":\"{}\"}}", URL_SAFE_NO_PAD.encode(b))?;
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("records.txt"))?);
    let hour = hour_of(now);
    for i in 0..n_records {
        let c = ContactRecord {
            name: format!("Person {i}"),
            phone: "+44 7700 900000".into(),
            email: String::new(),
            party_size: 1,
            arrival: hour * 3600,
            departure: hour * 3600 + 1800,
        };
        let r = seal_record(&mut rng, &poster, &sealing.public_key(), hour, &c)?;
        writeln!(out, "{{\"record\":\"{}\"}}", URL_SAFE_NO_PAD.encode(r))?;
    }
    out.flush()?;
    println!(
        "wrote {n_bundles} bundles and {n_records} vault records to {}",
        dir.display()
    );
    Ok(())
}

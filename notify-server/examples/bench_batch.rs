//! Makes the input of the batch benchmark (`bench/batches.sh`): an authority trust file and a
//! store (`DIR/data/store.redb`) holding BUNDLES distinct signed bundles published three hours
//! ago, in a closed hour, each with ENTRIES entries, and OPEN more (default none) published
//! in the current hour, the open one. Prints the closed hour.
//!
//! `cargo run --release -p notify-server --example bench_batch -- DIR BUNDLES ENTRIES [OPEN]`
#![allow(clippy::print_stdout, reason = "a tool that prints")]

use std::error::Error;

use notify_server::store::{RedbStore, Store, store_path};
use protocol::notice::{seal_notices, sign_bundle};
use protocol::*;
use rand::SeedableRng;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (dir, bundles, entries, open) = match args.as_slice() {
        [_, dir, bundles, entries] => (dir, bundles, entries, "0"),
        [_, dir, bundles, entries, open] => (dir, bundles, entries, open.as_str()),
        _ => return Err("usage: bench_batch DIR BUNDLES ENTRIES [OPEN]".into()),
    };
    let dir = std::path::Path::new(dir);
    let (n_bundles, n_entries): (usize, usize) = (bundles.parse()?, entries.parse()?);
    let n_open: usize = open.parse()?;
    let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(2);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let hour = now / 3600 - 3;
    let root = Ed25519Secret::generate(&mut rng);
    let tracer = Ed25519Secret::generate(&mut rng);
    let cert = Certificate::issue(
        &root,
        &tracer.verifying_key(),
        "Bench Board",
        now - 86_400,
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
            key: SealingSecretKey::generate(&mut rng).public_key(),
        }],
    };
    std::fs::write(dir.join("trust.txt"), trust.sign(&root))?;
    std::fs::create_dir_all(dir.join("data"))?;
    let store = RedbStore::open(&store_path(&dir.join("data")))?;
    for i in 0..n_bundles + n_open {
        let notices: Vec<VenueNotice> = (0..n_entries)
            .map(|_| {
                let mut id = [0u8; 32];
                rand::Rng::fill_bytes(&mut rng, &mut id);
                VenueNotice {
                    venue_id: VenueId(id),
                    payload: NoticePayload {
                        start: hour * 3600 - 3600,
                        end: hour * 3600,
                        severity: Severity::Low,
                        message: "Bench".into(),
                        approval: Approval::Venue([0; 64]),
                    },
                }
            })
            .collect();
        // The first BUNDLES in the closed hour, the OPEN others in the current one, before now.
        let published = if i < n_bundles {
            hour * 3600 + 10 + i as u64
        } else {
            ((hour + 3) * 3600 + (i - n_bundles) as u64).min(now)
        };
        let b = sign_bundle(
            &tracer,
            &cert,
            published,
            &seal_notices(&mut rng, &notices)?,
        )?;
        store.insert_bundle(&protocol::notice::bundle_id_of(&b), published, &b)?;
    }
    store.flush()?;
    println!("{hour}");
    Ok(())
}

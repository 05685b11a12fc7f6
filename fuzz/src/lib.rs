//! Fixed keys shared by the fuzz targets and the seed generator: one venue with its poster,
//! one authority (root signing key and sealing key), and one certified tracer.
//!
//! The keys are constants so that the seeds in `seeds/` stay valid for every run.
#![forbid(unsafe_code)]
#![allow(
    clippy::expect_used,
    reason = "fixed inputs that are known to be valid"
)]

use std::sync::OnceLock;

use protocol::{
    Certificate, Ed25519Secret, Poster, PosterInfo, SealingSecretKey, Validity, VenueKeys,
    VenueSecret,
};

/// 2026-01-01T00:00:00Z: the posters and certificate start here.
pub const T0: u64 = 1_767_225_600;
/// The clock every target checks against: thirty days after [`T0`].
pub const NOW: u64 = T0 + 30 * 86_400;
/// The base URL of the posters' links.
pub const BASE_URL: &str = "https://checkin.example/v";

/// The fixed world.
pub struct World {
    /// The venue's keys.
    pub venue: VenueKeys,
    /// Its poster.
    pub poster: Poster,
    /// The authority's root signing key.
    pub root: Ed25519Secret,
    /// The authority's sealing key.
    pub authority: SealingSecretKey,
    /// A tracer's key.
    pub tracer: Ed25519Secret,
    /// Its certificate, valid from `T0` for 400 days.
    pub cert: Certificate,
    /// The authority's three emergency officers' keys; two approve together.
    pub officers: [Ed25519Secret; 3],
}

impl World {
    /// The emergency officers as the trust file lists them, threshold 2.
    pub fn emergency(&self) -> protocol::EmergencyOfficers {
        protocol::EmergencyOfficers::new(
            self.officers.iter().map(|k| k.verifying_key()).collect(),
            2,
        )
        .expect("fixed officers")
    }
}

/// The seed of the authority's release key, which the trust file of [`release_trust`] names.
pub const RELEASE_SEED: [u8; 32] = [0xee; 32];

/// The world's trust file, as `make_seeds` writes it: one sealing period from 1970 to 2100,
/// and the release key of [`RELEASE_SEED`].
pub fn release_trust() -> protocol::TrustAnchor {
    let w = world();
    protocol::TrustAnchor {
        authority: "Fuzz Health Authority".into(),
        serial: 1,
        root: w.root.verifying_key(),
        emergency: w.emergency(),
        case: SealingSecretKey::from_bytes([0xca; 32]).public_key(),
        release: Some(Ed25519Secret::from_bytes(RELEASE_SEED).verifying_key()),
        sealing: vec![protocol::SealingPeriod {
            from: 0,
            until: 4_102_444_800,
            key: w.authority.public_key(),
        }],
    }
}

/// The fixed world, built once per process.
pub fn world() -> &'static World {
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
        .expect("fixed poster");
        let root = Ed25519Secret::from_bytes([8; 32]);
        let tracer = Ed25519Secret::from_bytes([9; 32]);
        let cert = Certificate::issue(
            &root,
            &tracer.verifying_key(),
            "Fuzz Tracer",
            T0,
            T0 + 86_400 * 400,
        )
        .expect("fixed certificate");
        World {
            venue,
            poster,
            root,
            authority: SealingSecretKey::from_bytes([10; 32]),
            tracer,
            cert,
            officers: [12u8, 13, 14].map(|b| Ed25519Secret::from_bytes([b; 32])),
        }
    })
}

//! Writes the seed corpora in `seeds/<target>/`: one valid input per mode of each target,
//! made with the fixed keys in `checkin_fuzz::world`. Run from `fuzz/` (see README.md):
//!
//! ```text
//! RUSTFLAGS="--cfg fuzzing" cargo run --bin make_seeds
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, reason = "a developer tool with fixed inputs")]

use std::fs;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use checkin_fuzz::{BASE_URL, NOW, world};
use protocol::fuzzing::{encode_case, encode_contact, encode_notice_payload};
use protocol::notice::{seal_notices, sign_bundle};
use protocol::query::sign_query;
use protocol::vault::{seal_visit, strip_outer};
use protocol::{
    ApprovalStatement, CaseDiary, CaseVisit, ContactRecord, Severity, VenueNotice, hour_of,
    vault_tag,
};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

fn put(target: &str, name: &str, mode: u8, bytes: &[u8]) {
    let dir = Path::new("seeds").join(target);
    fs::create_dir_all(&dir).expect("create seeds directory");
    let mut data = vec![mode];
    data.extend_from_slice(bytes);
    fs::write(dir.join(name), data).expect("write seed");
}

fn main() {
    let w = world();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let authority_pk = w.authority.public_key();

    // Posters: binary, URL and bare payload.
    put("poster", "binary", 0, w.poster.to_bytes());
    let url = w.poster.to_url(BASE_URL).expect("url");
    put("poster", "url", 1, url.as_bytes());
    put("poster", "payload", 1, w.poster.payload().as_bytes());

    // A notice for the fixed venue over the two hours before NOW.
    let statement = ApprovalStatement {
        venue_id: w.poster.venue_id(),
        cert_digest: protocol::approval::cert_digest(&w.cert),
        start: NOW - 2 * 3600,
        end: NOW - 1800,
        severity: Severity::High,
        message: "Get a test if you feel unwell.".into(),
    };
    let approval = statement.approve_as_venue(&w.venue);
    // The same notice approved by two emergency officers, for the payload seeds.
    let by_officers = statement
        .clone()
        .into_payload(protocol::Approval::Authority(vec![
            statement.sign_as_officer(0, &w.officers[0]),
            statement.sign_as_officer(2, &w.officers[2]),
        ]));
    let payload = statement.into_payload(approval);
    let entries = seal_notices(
        &mut rng,
        &[VenueNotice {
            venue_id: w.poster.venue_id(),
            payload: payload.clone(),
        }],
    )
    .expect("entries");
    let bundle = sign_bundle(&w.tracer, &w.cert, NOW, &entries).expect("bundle");
    put("bundle", "signed", 0, &bundle);
    put("bundle", "body", 1, &bundle[..bundle.len() - 64]);
    put(
        "bundle",
        "payload",
        2,
        &encode_notice_payload(&payload, payload.sealed_len() - 16),
    );
    put(
        "bundle",
        "payload-officers",
        2,
        &encode_notice_payload(&by_officers, by_officers.sealed_len() - 16),
    );

    // The trust file (also written as a seed below).
    let anchor = checkin_fuzz::release_trust();
    // A consented visit: two hourly records.
    let contact = ContactRecord {
        name: "Ada Lovelace".into(),
        phone: "+44 20 7946 0000".into(),
        email: "ada@example.org".into(),
        party_size: 2,
        arrival: NOW - 5400,
        departure: NOW - 1800,
    };
    let records = seal_visit(&mut rng, &w.poster, &anchor, &contact).expect("records");
    put("vault", "record", 0, &records[0]);
    let tag = vault_tag(&w.poster.venue_id(), hour_of(contact.arrival));
    let inner = strip_outer(&w.venue, &[tag], &records[0]).expect("strip");
    put("vault", "inner", 1, &inner);
    put("vault", "contact", 2, &encode_contact(&contact));

    // A case diary with two visits.
    let diary = CaseDiary {
        created_at: NOW,
        visits: vec![
            CaseVisit {
                poster: w.poster.clone(),
                arrival: NOW - 7200,
                departure: NOW - 3600,
            },
            CaseVisit {
                poster: w.poster.clone(),
                arrival: NOW - 600,
                departure: NOW,
            },
        ],
    };
    put(
        "case",
        "sealed",
        0,
        &diary.seal(&mut rng, &authority_pk).expect("seal"),
    );
    put(
        "case",
        "plaintext",
        1,
        &encode_case(&diary).expect("encode"),
    );

    // A vault query for the visit's hours.
    let tags: Vec<_> = records
        .iter()
        .map(|r| protocol::vault::record_tag(r).expect("tag"))
        .collect();
    let query = sign_query(&mut rng, &w.tracer, &w.cert, NOW, &tags).expect("query");
    put("query", "signed", 0, &query);
    put("query", "body", 1, &query[..query.len() - 64]);

    // An hour batch holding the bundle, and an empty one.
    let dir = Path::new("seeds").join("batch");
    fs::create_dir_all(&dir).expect("create seeds directory");
    let hour = NOW / 3600;
    let batch =
        protocol::batch::encode_batch(hour, [bundle.as_slice()].into_iter()).expect("batch");
    fs::write(dir.join("one"), batch).expect("write seed");
    let empty = protocol::batch::encode_batch(hour, std::iter::empty()).expect("batch");
    fs::write(dir.join("empty"), empty).expect("write seed");

    // Revocation lists: one naming the tracer, an empty one, and a body without signature.
    let list = protocol::RevocationList::sign(
        &w.root,
        NOW - 60,
        &[*w.tracer.verifying_key().as_bytes(), [0x42; 32]],
    )
    .expect("list");
    let empty = protocol::RevocationList::sign(&w.root, NOW - 120, &[]).expect("list");
    let dir = Path::new("seeds").join("revocation");
    fs::create_dir_all(&dir).expect("create seeds directory");
    let bytes = list.to_bytes();
    fs::write(dir.join("list"), bytes).expect("write seed");
    fs::write(dir.join("empty"), empty.to_bytes()).expect("write seed");
    fs::write(dir.join("body"), &bytes[..bytes.len() - 64]).expect("write seed");

    let dir = Path::new("seeds").join("trust");
    fs::create_dir_all(&dir).expect("create seeds directory");
    fs::write(dir.join("anchor"), anchor.sign(&w.root)).expect("write seed");

    // A release: its signature file, 0x00, its SHA256SUMS (the committed web app's).
    let sums = include_bytes!("../../../web/dist/SHA256SUMS");
    let signature = protocol::release::sign(
        sums,
        &protocol::Ed25519Secret::from_bytes(checkin_fuzz::RELEASE_SEED),
    );
    let dir = Path::new("seeds").join("release");
    fs::create_dir_all(&dir).expect("create seeds directory");
    fs::write(
        dir.join("signed"),
        [signature.as_bytes(), &[0], sums.as_slice()].concat(),
    )
    .expect("write seed");

    // The server's JSON bodies.
    let json = |key: &str, bytes: &[u8]| {
        serde_json::json!({ key: URL_SAFE_NO_PAD.encode(bytes) }).to_string()
    };
    put(
        "server_bodies",
        "bundle",
        0,
        json("bundle", &bundle).as_bytes(),
    );
    put(
        "server_bodies",
        "record",
        1,
        json("record", &records[0]).as_bytes(),
    );
    put(
        "server_bodies",
        "query",
        2,
        json("query", &query).as_bytes(),
    );
    put(
        "server_bodies",
        "revocations",
        3,
        json("revocations", list.to_bytes()).as_bytes(),
    );
    println!("seeds written to fuzz/seeds/");
}

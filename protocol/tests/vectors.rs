//! The test vectors in `spec/vectors/` are produced here and checked here.
//!
//! `UPDATE_VECTORS=1 cargo test -p protocol --test vectors` rewrites them from fixed seeds.
//! A plain run regenerates them in memory and fails if a single byte differs from the files,
//! then interprets every file on its own terms (decode, verify, open, match), asserting for
//! each negative vector the exact error it names. So code and spec cannot drift apart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use protocol::approval::cert_digest;
use protocol::case::CaseDiary;
use protocol::derive::{hours_covered, notice_key, notice_tag, vault_tag};
use protocol::notice::{
    ENTRY_LEN, open_approved_notice, open_notice, seal_notices_with_salt, sign_bundle,
};
use protocol::query::{sign_query, verify_query};
use protocol::vault::{open_inner, seal_record, strip_outer};
use protocol::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use serde_json::{Value, json};

#[path = "gen/client.rs"]
mod client;
#[path = "gen/files.rs"]
mod files;
#[path = "gen/pin.rs"]
mod pin;
#[path = "gen/release.rs"]
mod release_gen;

/// 2026-01-01T00:00:00Z: every vector's clock starts here.
const T0: u64 = 1_767_225_600;
const BASE_URL: &str = "https://checkin.example/v1/c";

fn rng(label: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([label; 32])
}

fn seed(label: u8) -> [u8; 32] {
    let mut s = [0u8; 32];
    for (i, b) in s.iter_mut().enumerate() {
        *b = label.wrapping_mul(31).wrapping_add(i as u8);
    }
    s
}

/// HKDF-SHA256, absent salt, computed with the primitive crate directly.
fn hkdf32(ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, ikm)
        .expand(info, &mut out)
        .unwrap();
    out
}

/// Ed25519 over `context || 0x00 || body`, computed with the primitive crate directly.
fn sign_raw(secret: &[u8; 32], context: &[u8], body: &[u8]) -> [u8; 64] {
    use ed25519_dalek::Signer;
    let mut m = context.to_vec();
    m.push(0);
    m.extend_from_slice(body);
    ed25519_dalek::SigningKey::from_bytes(secret)
        .sign(&m)
        .to_bytes()
}

fn h(b: &[u8]) -> String {
    hex::encode(b)
}

fn unh(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn arr32(v: &Value) -> [u8; 32] {
    unh(v).try_into().expect("32 bytes")
}

struct Fixture {
    venue: VenueSecret,
    venue2: VenueSecret,
    root: Ed25519Secret,
    tracer: Ed25519Secret,
    authority: SealingSecretKey,
    poster: Poster,
    poster2: Poster,
    cert: Certificate,
    publish_only: Certificate,
    query_only: Certificate,
    /// The authority's three emergency officers; two of them approve together.
    officers: [Ed25519Secret; 3],
    case: SealingSecretKey,
    sealing_next: SealingSecretKey,
    /// The key that signs releases of the web app (release.json).
    release: Ed25519Secret,
}

fn fixture() -> Fixture {
    let venue = VenueSecret::from_bytes(seed(1));
    let venue2 = VenueSecret::from_bytes(seed(2));
    let root = Ed25519Secret::from_bytes(seed(3));
    let tracer = Ed25519Secret::from_bytes(seed(4));
    let authority = SealingSecretKey::from_bytes(seed(5));
    let poster = Poster::sign(
        &venue.keys(),
        PosterInfo {
            name: "Café Zürich".into(),
            address: "Limmatquai 1, 8001 Zürich".into(),
            category: "cafe".into(),
            default_stay_minutes: 90,
            validity: None,
        },
    )
    .unwrap();
    let poster2 = Poster::sign(
        &venue2.keys(),
        PosterInfo {
            name: "東京ラーメン".into(),
            address: "".into(),
            category: "restaurant".into(),
            default_stay_minutes: 45,
            validity: Some(Validity {
                from: T0,
                until: T0 + 365 * 86_400,
            }),
        },
    )
    .unwrap();
    let cert = Certificate::issue(
        &root,
        &tracer.verifying_key(),
        "Example Health Board",
        T0,
        T0 + 90 * 86_400,
    )
    .unwrap();
    let roles_cert = |name: &str, roles: Roles| {
        Certificate::issue_with_roles(
            &root,
            &tracer.verifying_key(),
            name,
            T0,
            T0 + 90 * 86_400,
            roles,
        )
        .unwrap()
    };
    let publish_only = roles_cert("Publisher", Roles::PUBLISH);
    let query_only = roles_cert("Vault Officer", Roles::QUERY);
    Fixture {
        venue,
        venue2,
        root,
        tracer,
        authority,
        poster,
        poster2,
        cert,
        officers: [6, 12, 13].map(|l| Ed25519Secret::from_bytes(seed(l))),
        case: SealingSecretKey::from_bytes(seed(10)),
        sealing_next: SealingSecretKey::from_bytes(seed(11)),
        release: Ed25519Secret::from_bytes(seed(14)),
        publish_only,
        query_only,
    }
}

fn vec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors")
}

// ---------------------------------------------------------------- generation

fn venue_keys_json(v: &VenueSecret) -> Value {
    let vk = v.keys();
    json!({
        "seed": h(v.to_bytes().as_ref()),
        "x25519_secret": h(vk.sealing_secret().to_bytes().as_ref()),
        "x25519_public": h(&vk.sealing_public().0),
        "ed25519_secret": h(&hkdf32(v.to_bytes().as_ref(), protocol::domain::VENUE_ED25519)),
        "ed25519_public": h(vk.verifying_key().as_bytes()),
    })
}

fn ed25519_json(k: &Ed25519Secret) -> Value {
    json!({"ed25519_secret": h(k.to_bytes().as_ref()), "ed25519_public": h(k.verifying_key().as_bytes())})
}

fn gen_keys(f: &Fixture) -> Value {
    let other_sealing = SealingSecretKey::from_bytes(seed(7));
    json!({
        "description": "Key derivations. Venue keys come from the 32-byte venue seed by HKDF-SHA256 (absent salt); other keys are 32-byte secrets used as they are. venue2 signs poster.json's second poster and is the wrong venue in vault.json's strip_with_venue2; other_root signs the forged certificates in certificate.json and notice.json; impostor_tracer signs notice.json's bundle_signed_by_other_key under the real certificate; other_authority_sealing is the wrong authority key in case.json; authority_case is the trust file's case key, which case.json's diary is sealed to; authority_sealing is the trust file's sealing key for January 2026 (vault.json) and authority_sealing_next its key for February 2026; authority_officers are the trust file's three emergency officers' keys (its `emergency` lines, officers 0, 1 and 2), two of whom together approve notice.json's notice for venue2; authority_release is the trust file's release key, which signs release.json's release.",
        "venue": venue_keys_json(&f.venue),
        "venue2": venue_keys_json(&f.venue2),
        "other_root": ed25519_json(&Ed25519Secret::from_bytes(seed(9))),
        "impostor_tracer": ed25519_json(&Ed25519Secret::from_bytes(seed(8))),
        "other_authority_sealing": {"x25519_secret": h(other_sealing.to_bytes().as_ref()), "x25519_public": h(&other_sealing.public_key().0)},
        "authority_root": {"ed25519_secret": h(f.root.to_bytes().as_ref()), "ed25519_public": h(f.root.verifying_key().as_bytes())},
        "authority_officers": f.officers.iter().map(ed25519_json).collect::<Vec<_>>(),
        "authority_release": ed25519_json(&f.release),
        "authority_sealing": {"x25519_secret": h(f.authority.to_bytes().as_ref()), "x25519_public": h(&f.authority.public_key().0)},
        "authority_sealing_next": {"x25519_secret": h(f.sealing_next.to_bytes().as_ref()), "x25519_public": h(&f.sealing_next.public_key().0)},
        "authority_case": {"x25519_secret": h(f.case.to_bytes().as_ref()), "x25519_public": h(&f.case.public_key().0)},
        "tracer": {"ed25519_secret": h(f.tracer.to_bytes().as_ref()), "ed25519_public": h(f.tracer.verifying_key().as_bytes())},
    })
}

fn poster_json(p: &Poster) -> Value {
    let i = p.info();
    json!({
        "name": i.name, "address": i.address, "category": i.category,
        "default_stay_minutes": i.default_stay_minutes,
        "valid_from": i.validity.map(|v| v.from), "valid_until": i.validity.map(|v| v.until),
        "x25519_public": h(&p.sealing_key().0), "ed25519_public": h(p.verifying_key().as_bytes()),
        "encoding": h(p.to_bytes()),
        "payload": p.payload(),
        "url": p.to_url(BASE_URL).unwrap(),
        "venue_id": h(p.venue_id().as_bytes()),
        "fingerprint": p.fingerprint(),
    })
}

fn resign_poster(venue: &VenueSecret, body: &[u8]) -> Vec<u8> {
    let ed = hkdf32(venue.to_bytes().as_ref(), protocol::domain::VENUE_ED25519);
    let mut out = body.to_vec();
    out.extend_from_slice(&sign_raw(&ed, protocol::domain::POSTER_SIGNATURE, body));
    out
}

/// 32 little-endian bytes of the small integer `u` (as an X25519 u-coordinate or an Ed25519 y).
fn small_order_u(u: u8) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[0] = u;
    b
}

/// An X25519 u-coordinate of a point of order 8 (RFC 7748's curve; it appears in every
/// published list of small-order points).
const ORDER_8_U: [u8; 32] = [
    0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
    0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00,
];

/// p + d, little-endian, for p = 2^255 - 19 and small d (only d = -1 is used: p - 1).
fn p_plus(d: i8) -> [u8; 32] {
    let mut b = [0xffu8; 32];
    b[31] = 0x7f;
    b[0] = (0xed_i16 + i16::from(d)) as u8;
    b
}

/// The first non-canonical Ed25519 encoding (y + p for a small y) that decodes to a point of
/// large order.
fn non_canonical_ed25519() -> [u8; 32] {
    for y in 2u8..19 {
        let mut b = p_plus(0);
        b[0] = b[0].wrapping_add(y);
        if let Ok(k) = VerifyingKey::from_bytes(&b)
            && !k.is_weak()
        {
            return b;
        }
    }
    panic!("no non-canonical encoding of a large-order point below p + 19");
}

fn gen_poster(f: &Fixture) -> Value {
    let good = f.poster.to_bytes().to_vec();
    let body = &good[..good.len() - 64];
    let keys = &f.venue;
    let mut negative: Vec<Value> = Vec::new();
    let mut neg = |name: &str, error: &str, bytes: Vec<u8>| {
        negative.push(json!({"name": name, "error": error, "encoding": h(&bytes)}));
    };
    let mut flipped = good.clone();
    flipped[2] ^= 0x01; // a bit of the X25519 key: a swapped key
    neg(
        "poster_swapped_sealing_key",
        "poster_bad_signature",
        flipped,
    );
    let mut sig = good.clone();
    let last = sig.len() - 1;
    sig[last] ^= 0x80;
    neg("poster_bad_signature", "poster_bad_signature", sig);
    // The name changed and the poster re-signed by another venue key: the signature
    // verifies under the key printed, but the venue_id differs, so it never matches.
    neg(
        "poster_truncated",
        "poster_truncated",
        good[..good.len() - 1].to_vec(),
    );
    let mut trailing = good.clone();
    trailing.push(0);
    neg("poster_trailing_bytes", "poster_trailing_bytes", trailing);
    let mut v2 = body.to_vec();
    v2[0] = 1;
    neg(
        "poster_unsupported_version",
        "poster_unsupported_version",
        resign_poster(keys, &v2),
    );
    let mut fl = body.to_vec();
    fl[1] = 0x02;
    neg(
        "poster_unknown_flags",
        "poster_unknown_flags",
        resign_poster(keys, &fl),
    );
    // Name "Café Zürich" starts at offset 67 (after its length byte at 66).
    let mut ctl = body.to_vec();
    ctl[67] = 0x07;
    neg(
        "poster_control_character_in_name",
        "poster_invalid_text",
        resign_poster(keys, &ctl),
    );
    // "Caf" replaced by one three-byte format character, so the name keeps its length.
    for (name, ch) in [
        ("poster_direction_override_in_name", '\u{202E}'),
        ("poster_zero_width_space_in_name", '\u{200B}'),
        ("poster_byte_order_mark_in_name", '\u{FEFF}'),
        // Default-ignorable letters that show as nothing (spec section 3, rule 4).
        ("poster_hangul_choseong_filler_in_name", '\u{115F}'),
        ("poster_hangul_filler_in_name", '\u{3164}'),
        ("poster_halfwidth_hangul_filler_in_name", '\u{FFA0}'),
        ("poster_braille_blank_in_name", '\u{2800}'),
    ] {
        let mut fmt = body.to_vec();
        ch.encode_utf8(&mut fmt[67..70]);
        neg(name, "poster_invalid_text", resign_poster(keys, &fmt));
    }
    // "Ca" replaced by the two-byte U+034F COMBINING GRAPHEME JOINER, default-ignorable.
    let mut cgj = body.to_vec();
    '\u{034F}'.encode_utf8(&mut cgj[67..69]);
    neg(
        "poster_combining_grapheme_joiner_in_name",
        "poster_invalid_text",
        resign_poster(keys, &cgj),
    );
    // Weak keys (spec section 6, "Valid keys"). X25519 keys of small order, re-signed so that only the
    // key check fails: zero, the point of order 4 (u = 1), a point of order 8, and p - 1.
    for (name, x) in [
        ("poster_x25519_key_zero", [0u8; 32]),
        ("poster_x25519_key_order_4", small_order_u(1)),
        ("poster_x25519_key_order_8", ORDER_8_U),
        ("poster_x25519_key_p_minus_1", p_plus(-1)),
    ] {
        let mut weak = body.to_vec();
        weak[2..34].copy_from_slice(&x);
        neg(name, "poster_invalid_key", resign_poster(keys, &weak));
    }
    // Ed25519: the identity (small order), and a non-canonical encoding (y + p) of a point.
    let mut ident = good.clone();
    ident[34..66].copy_from_slice(&small_order_u(1));
    neg("poster_ed25519_key_identity", "poster_invalid_key", ident);
    let mut noncanon = good.clone();
    noncanon[34..66].copy_from_slice(&non_canonical_ed25519());
    neg(
        "poster_ed25519_key_non_canonical",
        "poster_invalid_key",
        noncanon,
    );
    let mut utf = body.to_vec();
    utf[67] = 0xff;
    neg(
        "poster_name_not_utf8",
        "poster_invalid_text",
        resign_poster(keys, &utf),
    );
    let mut stay = body.to_vec();
    let n = stay.len();
    stay[n - 2..].copy_from_slice(&0u16.to_be_bytes());
    neg(
        "poster_zero_stay",
        "poster_invalid_stay",
        resign_poster(keys, &stay),
    );
    // A validity window that is empty or ends before it starts (the good poster has none: set
    // flags bit 0 and append the two times).
    for (name, from, until) in [
        ("poster_validity_empty", T0, T0),
        ("poster_validity_reversed", T0 + 86_400, T0),
    ] {
        let mut val = body.to_vec();
        val[1] = 0x01;
        val.extend_from_slice(&from.to_be_bytes());
        val.extend_from_slice(&until.to_be_bytes());
        neg(name, "poster_invalid_validity", resign_poster(keys, &val));
    }
    neg(
        "poster_too_long",
        "poster_too_long",
        vec![1u8; protocol::poster::MAX_POSTER_LEN + 1],
    );
    neg("poster_empty", "poster_truncated", vec![]);

    let mut text_negative: Vec<Value> = Vec::new();
    let payload = f.poster.payload();
    for (name, error, text) in [
        (
            "url_without_fragment",
            "poster_bad_url",
            "https://checkin.example/v1/c".to_string(),
        ),
        (
            "url_not_https",
            "poster_bad_url",
            format!("http://checkin.example/v1/c#{payload}"),
        ),
        (
            "payload_with_padding",
            "poster_bad_base64",
            format!("{payload}="),
        ),
        (
            "payload_standard_alphabet",
            "poster_bad_base64",
            payload.replace('-', "+").replace('_', "/") + "+/",
        ),
        (
            "payload_not_base64",
            "poster_bad_base64",
            "not a poster!".to_string(),
        ),
        (
            "url_with_empty_fragment",
            "poster_truncated",
            "https://checkin.example/v1/c#".to_string(),
        ),
        (
            "url_without_host",
            "poster_bad_url",
            format!("https:///v1/c#{payload}"),
        ),
        (
            "url_host_with_port_and_user",
            "poster_bad_signature",
            format!("https://u@checkin.example:8443/v1/c#{}", {
                let mut b = base64_decode_url(&payload);
                let last = b.len() - 1;
                b[last] ^= 1;
                base64_url(&b)
            }),
        ),
    ] {
        text_negative.push(json!({"name": name, "error": error, "text": text}));
    }
    json!({
        "description": "Posters. Each valid vector decodes from `encoding`, `payload` and `url`, and yields `venue_id` and `fingerprint`. Each negative vector must fail with `error`. Each `accepted_text` poster decodes, its name holding characters the text rules keep.",
        "base_url": BASE_URL,
        "valid": [poster_json(&f.poster), poster_json(&f.poster2)],
        "validity_checks": [
            {"poster": 1, "now": T0 - 1, "error": "poster_not_yet_valid"},
            {"poster": 1, "now": T0, "error": null},
            {"poster": 1, "now": T0 + 365 * 86_400 - 1, "error": null},
            {"poster": 1, "now": T0 + 365 * 86_400, "error": "poster_expired"},
        ],
        "negative": negative,
        "negative_text": text_negative,
        "accepted_text": accepted_text(f),
    })
}

/// Posters whose names hold characters the text rules keep (spec section 3): a visible
/// combining stroke, an emoji variation selector, joiners in an emoji sequence and in Persian,
/// and an ideographic variation selector.
fn accepted_text(f: &Fixture) -> Vec<Value> {
    [
        "S\u{0336}a\u{0336}l\u{0336}e\u{0336} Caf\u{00E9}",
        "\u{2764}\u{FE0F} Caf\u{00E9}",
        "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} Family",
        "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
        "\u{845B}\u{E0100}\u{57CE}",
    ]
    .into_iter()
    .map(|name| {
        let p = Poster::sign(
            &f.venue.keys(),
            PosterInfo {
                name: name.into(),
                address: String::new(),
                category: String::new(),
                default_stay_minutes: 60,
                validity: None,
            },
        )
        .unwrap();
        json!({"name": name, "encoding": h(p.to_bytes())})
    })
    .collect()
}

fn gen_derive(f: &Fixture) -> Value {
    let id = f.poster.venue_id();
    let bucket_tags: Vec<Value> = [(0u16, 0u64), (1023, 20_454), (517, 1)]
        .iter()
        .map(
            |&(b, d)| json!({"bucket": b, "day": d, "tag": h(&protocol::derive::bucket_tag(b, d))}),
        )
        .collect();
    let hours: Vec<Value> = [hour_of(T0), hour_of(T0) + 1, hour_of(T0) + 13]
        .iter()
        .map(|&hr| {
            json!({
                "hour": hr,
                "notice_tag": h(&notice_tag(&id, hr)),
                "vault_tag": h(&vault_tag(&id, hr)),
                "file_tag": h(&vault_file_tag(&id, hr)),
            })
        })
        .collect();
    let covered: Vec<Value> = [
        (T0, T0, "zero-length visit"),
        (T0, T0 + 3600, "exactly one hour"),
        (T0 + 600, T0 + 3601, "just crosses into the next hour"),
        (T0 + 3599, T0 + 3 * 3600, "ends on an hour boundary"),
    ]
    .iter()
    .map(|&(s, e, what)| {
        let r = hours_covered(s, e);
        json!({"start": s, "end": e, "note": what, "first_hour": r.start(), "last_hour": r.end()})
    })
    .collect();
    json!({
        "description": "Per-hour derivations for the venue of poster.json valid[0]; `vault_bucket` is its bucket, and `file_tag` is `bucket_tag(vault_bucket, floor(hour / 24))`. `bucket_tags` gives bucket_tag for other buckets and days.",
        "venue_id": h(id.as_bytes()),
        "vault_bucket": protocol::derive::vault_bucket(&id),
        "bucket_tags": bucket_tags,
        "hours": hours,
        "notice_key": {"salt": h(&[0x5a; 16]), "key": h(notice_key(&id, &[0x5a; 16]).as_ref())},
        "hours_covered": covered,
    })
}

fn gen_certificate(f: &Fixture) -> Value {
    let good = f.cert.to_bytes().to_vec();
    let mut negative: Vec<Value> = Vec::new();
    let mut bad_sig = good.clone();
    bad_sig[40] ^= 1; // not_before changed
    negative.push(json!({"name": "cert_validity_altered", "error": "cert_bad_signature", "encoding": h(&bad_sig)}));
    let other_root = Ed25519Secret::from_bytes(seed(9));
    let forged = Certificate::issue(
        &other_root,
        &f.tracer.verifying_key(),
        "Example Health Board",
        T0,
        T0 + 90 * 86_400,
    )
    .unwrap();
    negative.push(json!({"name": "cert_signed_by_other_root", "error": "cert_bad_signature", "encoding": h(forged.to_bytes())}));
    negative.push(json!({"name": "cert_truncated", "error": "cert_truncated", "encoding": h(&good[..good.len() - 1])}));
    let mut v = good.clone();
    v[0] = 9;
    negative.push(json!({"name": "cert_unsupported_version", "error": "cert_unsupported_version", "encoding": h(&v)}));
    // A certificate the root did sign, for a weak tracer key: refused at decoding.
    for (name, key) in [
        ("cert_key_identity", small_order_u(1)),
        ("cert_key_non_canonical", non_canonical_ed25519()),
    ] {
        let mut body = good[..good.len() - 64].to_vec();
        body[1..33].copy_from_slice(&key);
        let sig = sign_raw(&seed(3), protocol::domain::CERTIFICATE_SIGNATURE, &body);
        body.extend_from_slice(&sig);
        negative.push(json!({"name": name, "error": "cert_invalid_key", "encoding": h(&body)}));
    }
    // Bytes after the signature.
    let mut trailing = good.clone();
    trailing.push(0);
    negative.push(json!({"name": "cert_trailing_bytes", "error": "cert_trailing_bytes", "encoding": h(&trailing)}));
    // Bodies the root did sign, each with one field breaking a rule: not_after equal to
    // not_before, and names that are empty or hold an invisible format character.
    let body_with = |not_after: Option<u64>, name: Option<&[u8]>, roles: Option<u8>| {
        let mut body = vec![0x02];
        body.extend_from_slice(f.tracer.verifying_key().as_bytes());
        body.extend_from_slice(&f.cert.not_before().to_be_bytes());
        body.extend_from_slice(&not_after.unwrap_or(f.cert.not_after()).to_be_bytes());
        body.push(roles.unwrap_or(3));
        let name = name.unwrap_or(f.cert.name().as_bytes());
        body.push(u8::try_from(name.len()).unwrap());
        body.extend_from_slice(name);
        let sig = sign_raw(&seed(3), protocol::domain::CERTIFICATE_SIGNATURE, &body);
        body.extend_from_slice(&sig);
        body
    };
    // The re-encoding of the good certificate's fields is the good certificate itself, so
    // each negative differs from it in exactly one field.
    assert_eq!(body_with(None, None, None), good);
    negative.push(json!({"name": "cert_validity_empty", "error": "cert_invalid_validity", "encoding": h(&body_with(Some(f.cert.not_before()), None, None))}));
    negative.push(json!({"name": "cert_name_empty", "error": "cert_invalid_name", "encoding": h(&body_with(None, Some(b""), None))}));
    negative.push(json!({"name": "cert_name_format_character", "error": "cert_invalid_name", "encoding": h(&body_with(None, Some("Tracer\u{202E}One".as_bytes()), None))}));
    negative.push(json!({"name": "cert_roles_none", "error": "cert_invalid_roles", "encoding": h(&body_with(None, None, Some(0)))}));
    negative.push(json!({"name": "cert_roles_unknown_bit", "error": "cert_invalid_roles", "encoding": h(&body_with(None, None, Some(0b111)))}));
    json!({
        "description": "Tracer certificates issued by keys.json authority_root for keys.json tracer: valid[0] with both roles (it signs every other vector; `tracer_fingerprint` is how phones show its key beside the name, spec section 13a), valid[1] publish only, valid[2] query only. Negative vectors must fail decoding or root verification with `error`.",
        "valid": [{
            "tracer_public": h(f.tracer.verifying_key().as_bytes()),
            "tracer_fingerprint": f.cert.tracer_fingerprint(),
            "name": f.cert.name(), "not_before": f.cert.not_before(), "not_after": f.cert.not_after(),
            "roles": f.cert.roles().to_byte(),
            "encoding": h(&good),
        }, {
            "tracer_public": h(f.tracer.verifying_key().as_bytes()),
            "name": f.publish_only.name(), "not_before": f.publish_only.not_before(), "not_after": f.publish_only.not_after(),
            "roles": f.publish_only.roles().to_byte(),
            "encoding": h(f.publish_only.to_bytes()),
        }, {
            "tracer_public": h(f.tracer.verifying_key().as_bytes()),
            "name": f.query_only.name(), "not_before": f.query_only.not_before(), "not_after": f.query_only.not_after(),
            "roles": f.query_only.roles().to_byte(),
            "encoding": h(f.query_only.to_bytes()),
        }],
        "negative": negative,
    })
}

fn payload_json(p: &NoticePayload) -> Value {
    json!({"start": p.start, "end": p.end, "severity": p.severity.to_byte(), "message": p.message,
           "approver": p.approval.by().to_byte(), "approval": h(&approval_bytes(&p.approval))})
}

/// An approval's wire form (spec section 11.1), laid out by hand.
fn approval_bytes(a: &Approval) -> Vec<u8> {
    match a {
        Approval::Venue(sig) => sig.to_vec(),
        Approval::Authority(sigs) => {
            let mut out = vec![sigs.len() as u8];
            for s in sigs {
                out.push(s.officer);
                out.extend_from_slice(&s.signature);
            }
            out
        }
    }
}

/// A notice plaintext of `len` bytes with an authority approval of `sigs` laid out by hand.
fn raw_authority_payload(p: &NoticePayload, sigs: &[OfficerSignature], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&p.start.to_be_bytes());
    out.extend_from_slice(&p.end.to_be_bytes());
    out.push(p.severity.to_byte());
    out.push(2);
    out.extend_from_slice(&approval_bytes(&Approval::Authority(sigs.to_vec())));
    out.push(p.message.len() as u8);
    out.extend_from_slice(p.message.as_bytes());
    out.resize(len, 0);
    out
}

/// A notice plaintext of `len` bytes laid out by hand (spec section 11.1), for negative
/// vectors whose payload the library refuses to build.
fn raw_payload(
    start: u64,
    end: u64,
    severity: u8,
    approver: u8,
    msg: &[u8],
    len: usize,
) -> Vec<u8> {
    let mut p = vec![0u8; len];
    p[0..8].copy_from_slice(&start.to_be_bytes());
    p[8..16].copy_from_slice(&end.to_be_bytes());
    p[16] = severity;
    p[17] = approver;
    p[82] = msg.len() as u8;
    p[83..83 + msg.len()].copy_from_slice(msg);
    p
}

/// Seals a raw plaintext as the `index`-th notice under `salt` (spec section 11.2), with the
/// AEAD crate directly.
fn seal_raw(id: &VenueId, salt: &[u8; 16], index: u16, plain: &[u8]) -> Vec<u8> {
    use chacha20poly1305::aead::{AeadInOut, KeyInit};
    let key = notice_key(id, salt);
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&u64::from(index).to_be_bytes());
    let mut body = plain.to_vec();
    let aead_tag = chacha20poly1305::ChaCha20Poly1305::new((&*key).into())
        .encrypt_inout_detached(&nonce.into(), &[], (&mut body[..]).into())
        .unwrap();
    [&body[..], &aead_tag[..]].concat()
}

/// A payload as a notice's plaintext of `len` bytes, laid out by hand.
fn payload_plain(p: &NoticePayload, len: usize) -> Vec<u8> {
    match &p.approval {
        Approval::Venue(sig) => {
            let mut raw = raw_payload(
                p.start,
                p.end,
                p.severity.to_byte(),
                1,
                p.message.as_bytes(),
                len,
            );
            raw[18..82].copy_from_slice(sig);
            raw
        }
        Approval::Authority(sigs) => raw_authority_payload(p, sigs, len),
    }
}

fn statement(
    id: VenueId,
    f: &Fixture,
    start: u64,
    end: u64,
    sev: Severity,
    msg: &str,
) -> ApprovalStatement {
    ApprovalStatement {
        venue_id: id,
        cert_digest: cert_digest(&f.cert),
        start,
        end,
        severity: sev,
        message: msg.into(),
    }
}

fn gen_notice(f: &Fixture) -> (Value, Vec<u8>) {
    let id = f.poster.venue_id();
    let id2 = f.poster2.venue_id();
    // Three notices in one bundle: venue 1, approved by the venue; venue 2, approved by two
    // of the authority's three emergency officers (officers 0 and 2); venue 2 again,
    // "approved" by the tracer's own key, which a phone must not accept.
    let s1 = statement(
        id,
        f,
        T0 + 12 * 3600,
        T0 + 14 * 3600,
        Severity::High,
        "You may have been exposed. Please book a test and watch for symptoms.",
    );
    let payload = s1
        .clone()
        .into_payload(s1.approve_as_venue(&f.venue.keys()));
    let s2 = statement(
        id2,
        f,
        T0 + 2 * 3600,
        T0 + 3 * 3600,
        Severity::Low,
        "Watch for symptoms for ten days.",
    );
    let payload2 = s2.clone().into_payload(Approval::Authority(vec![
        s2.sign_as_officer(0, &f.officers[0]),
        s2.sign_as_officer(2, &f.officers[2]),
    ]));
    let s3 = statement(
        id2,
        f,
        T0 + 5 * 3600,
        T0 + 6 * 3600,
        Severity::High,
        "Approved by nobody but the tracer.",
    );
    let forged_approval = Approval::Venue(s3.sign_as_officer(0, &f.tracer).signature);
    let payload3 = s3.clone().into_payload(forged_approval);
    let mut salt = [0u8; 16];
    rand::Rng::fill_bytes(&mut rng(10), &mut salt);
    let listed = [
        (0, id, &payload, "approved by the venue"),
        (
            1,
            id2,
            &payload2,
            "approved by emergency officers 0 and 2 of the authority's three (threshold 2)",
        ),
        (
            1,
            id2,
            &payload3,
            "approval signed by the tracer, not the venue: notice_bad_approval",
        ),
    ];
    let venue_notices: Vec<VenueNotice> = listed
        .iter()
        .map(|&(_, vid, p, _)| VenueNotice {
            venue_id: vid,
            payload: p.clone(),
        })
        .collect();
    let sealed = seal_notices_with_salt(salt, &venue_notices).unwrap();
    let notice_len = sealed.notice_len;
    let mut notice_vectors = Vec::new();
    for (i, &(poster, vid, p, note)) in listed.iter().enumerate() {
        let hours: Vec<Value> = hours_covered(p.start, p.end)
            .map(|hr| json!({"hour": hr, "tag": h(&notice_tag(&vid, hr))}))
            .collect();
        notice_vectors.push(json!({"index": i, "poster": poster, "venue_id": h(vid.as_bytes()),
            "payload": payload_json(p), "plaintext": h(&payload_plain(p, notice_len - 16)),
            "sealed": h(&sealed.notices[i]), "entries": hours, "note": note,
            "approval": if poster == 1 && p.approval.by() == Approver::Venue { "notice_bad_approval" } else { "valid" }}));
    }
    let created = T0 + 20 * 3600;
    let bundle = sign_bundle(&f.tracer, &f.cert, created, &sealed).unwrap();

    let mut negative: Vec<Value> = Vec::new();
    let mut neg = |name: &str, error: &str, bytes: &[u8], now: u64| {
        negative.push(json!({"name": name, "error": error, "bundle": h(bytes), "now": now}));
    };
    let now = created + 60;
    let cert_len = f.cert.to_bytes().len();
    let notice_len_at = 1 + 2 + cert_len + 8 + 16;
    let first_notice = notice_len_at + 4;
    let first_entry = first_notice + sealed.notices.len() * notice_len + 4;
    let mut t = bundle.clone();
    t[first_entry + 3] ^= 1;
    neg("bundle_entry_altered", "bundle_bad_signature", &t, now);
    let mut t = bundle.clone();
    t[first_notice + 30] ^= 1;
    neg("bundle_notice_altered", "bundle_bad_signature", &t, now);
    let mut t = bundle.clone();
    t[notice_len_at - 1] ^= 1;
    neg("bundle_salt_altered", "bundle_bad_signature", &t, now);
    neg(
        "bundle_truncated",
        "bundle_truncated",
        &bundle[..bundle.len() - 1],
        now,
    );
    let mut tr = bundle.clone();
    tr.push(0);
    neg("bundle_trailing_bytes", "bundle_trailing_bytes", &tr, now);
    let mut ver = bundle.clone();
    ver[0] = 1;
    neg(
        "bundle_unsupported_version_1",
        "bundle_unsupported_version",
        &ver,
        now,
    );
    neg(
        "bundle_from_the_future",
        "bundle_from_the_future",
        &bundle,
        created - 301,
    );
    neg(
        "bundle_too_old",
        "bundle_too_old",
        &bundle,
        created + 14 * 86_400 + 1,
    );
    let late = sign_bundle(&f.tracer, &f.cert, f.cert.not_after() + 1, &sealed).unwrap();
    neg(
        "bundle_after_certificate_expiry",
        "bundle_outside_certificate_validity",
        &late,
        f.cert.not_after() + 2,
    );
    let other_root = Ed25519Secret::from_bytes(seed(9));
    let forged_cert = Certificate::issue(
        &other_root,
        &f.tracer.verifying_key(),
        "Example Health Board",
        T0,
        T0 + 90 * 86_400,
    )
    .unwrap();
    let forged = sign_bundle(&f.tracer, &forged_cert, created, &sealed).unwrap();
    neg(
        "bundle_forged_certificate",
        "cert_bad_signature",
        &forged,
        now,
    );
    let query_only = sign_bundle(&f.tracer, &f.query_only, created, &sealed).unwrap();
    neg(
        "bundle_by_a_query_only_certificate",
        "bundle_certificate_cannot_publish",
        &query_only,
        now,
    );
    let impostor = Ed25519Secret::from_bytes(seed(8));
    let stolen_cert = sign_bundle(&impostor, &f.cert, created, &sealed).unwrap();
    neg(
        "bundle_signed_by_other_key",
        "bundle_bad_signature",
        &stolen_cert,
        now,
    );
    // Swap the first two entries and re-sign: valid signature, but not canonical.
    let mut unsorted = bundle[..bundle.len() - 64].to_vec();
    let (a, b) = (first_entry, first_entry + ENTRY_LEN);
    let first: Vec<u8> = unsorted[a..b].to_vec();
    let second: Vec<u8> = unsorted[b..b + ENTRY_LEN].to_vec();
    unsorted[a..b].copy_from_slice(&second);
    unsorted[b..b + ENTRY_LEN].copy_from_slice(&first);
    let resign = |mut body: Vec<u8>| {
        let digest = blake3::derive_key(protocol::domain::BUNDLE_DIGEST, &body);
        let sig = sign_raw(
            &f.tracer.to_bytes(),
            protocol::domain::BUNDLE_SIGNATURE,
            &digest,
        );
        body.extend_from_slice(&sig);
        body
    };
    neg(
        "bundle_entries_not_sorted",
        "bundle_entries_not_sorted",
        &resign(unsorted),
        now,
    );
    let mut zero = bundle[..first_entry - 4].to_vec();
    zero.extend_from_slice(&0u32.to_be_bytes());
    neg("bundle_no_entries", "bundle_no_entries", &resign(zero), now);
    let mut many = bundle[..first_entry - 4].to_vec();
    many.extend_from_slice(&4097u32.to_be_bytes());
    neg(
        "bundle_too_many_entries",
        "bundle_too_many_entries",
        &many,
        now,
    );
    for (name, len) in [
        ("bundle_notice_length_100", 100u16),
        ("bundle_notice_length_544", 544),
        ("bundle_notice_length_not_a_multiple_of_16", 120),
    ] {
        let mut b = bundle.clone();
        b[notice_len_at..notice_len_at + 2].copy_from_slice(&len.to_be_bytes());
        neg(name, "bundle_invalid_notice_length", &b, now);
    }
    let mut none = bundle[..notice_len_at + 2].to_vec();
    none.extend_from_slice(&0u16.to_be_bytes());
    none.extend_from_slice(&bundle[first_entry - 4..first_entry + ENTRY_LEN * 3]);
    none[first_notice..first_notice + 4].copy_from_slice(&3u32.to_be_bytes());
    neg("bundle_no_notices", "bundle_no_notices", &resign(none), now);
    let mut lots = bundle[..notice_len_at + 2].to_vec();
    lots.extend_from_slice(&257u16.to_be_bytes());
    neg(
        "bundle_too_many_notices",
        "bundle_too_many_notices",
        &lots,
        now,
    );

    // Notices reached through a genuine tag that a phone must refuse, each with the error it
    // names, in the order of spec section 11.3.
    let mut notice_negative: Vec<Value> = Vec::new();
    let hr = hour_of(payload.start);
    let mut neg_notice = |name: &str,
                          error: &str,
                          poster: usize,
                          vid: VenueId,
                          hour: u64,
                          index: u16,
                          n: &[u8]| {
        notice_negative.push(json!({"name": name, "error": error, "poster": poster, "venue_id": h(vid.as_bytes()), "hour": hour, "salt": h(&salt), "index": index, "sealed": h(n)}));
    };
    let mut bad = sealed.notices[0].clone();
    bad[50] ^= 1;
    neg_notice(
        "notice_ciphertext_altered",
        "notice_decryption_failed",
        0,
        id,
        hr,
        0,
        &bad,
    );
    neg_notice(
        "notice_opened_under_another_index",
        "notice_decryption_failed",
        0,
        id,
        hr,
        1,
        &sealed.notices[0],
    );
    neg_notice(
        "notice_opened_by_another_venue",
        "notice_decryption_failed",
        1,
        id2,
        hr,
        0,
        &sealed.notices[0],
    );
    neg_notice(
        "notice_reached_from_an_hour_outside_its_window",
        "notice_window_outside_hour",
        0,
        id,
        hr + 5,
        0,
        &sealed.notices[0],
    );
    let (st, en) = (payload.start, payload.end);
    let msg = b"Please book a test.";
    let plain = notice_len - 16;
    let cases: [(&str, &str, Vec<u8>); 7] = [
        (
            "notice_severity_3",
            "notice_invalid_severity",
            raw_payload(st, en, 3, 1, msg, plain),
        ),
        (
            "notice_approver_3",
            "notice_invalid_approver",
            raw_payload(st, en, 2, 3, msg, plain),
        ),
        ("notice_padding_not_zero", "notice_malformed_payload", {
            let mut p = raw_payload(st, en, 2, 1, msg, plain);
            p[plain - 1] = 1;
            p
        }),
        (
            "notice_message_longer_than_160",
            "notice_malformed_payload",
            raw_payload(st, en, 2, 1, &[b'a'; 161], 256),
        ),
        (
            "notice_message_direction_override",
            "notice_invalid_message",
            raw_payload(st, en, 2, 1, "\u{202E}Please".as_bytes(), plain),
        ),
        (
            "notice_window_empty",
            "notice_invalid_window",
            raw_payload(st, st, 2, 1, msg, plain),
        ),
        // A message length (at offset 82) one byte longer than what is left of the payload.
        (
            "notice_message_runs_past_the_payload",
            "notice_malformed_payload",
            {
                let mut p = raw_payload(st, en, 2, 1, msg, plain);
                p[82] = u8::try_from(plain - 83 + 1).unwrap();
                p
            },
        ),
    ];
    for (name, error, p) in cases {
        neg_notice(name, error, 0, id, hr, 0, &seal_raw(&id, &salt, 0, &p));
    }
    let late = hr + 8;
    neg_notice(
        "notice_window_misses_its_hour",
        "notice_window_outside_hour",
        0,
        id,
        late,
        0,
        &seal_raw(&id, &salt, 0, &raw_payload(st, en, 2, 1, msg, plain)),
    );
    neg_notice(
        "notice_approved_by_the_tracer",
        "notice_bad_approval",
        1,
        id2,
        hour_of(payload3.start),
        2,
        &sealed.notices[2],
    );
    let mut other_cert = s1.clone();
    other_cert.cert_digest = [0x11; 32];
    let moved = other_cert
        .clone()
        .into_payload(other_cert.approve_as_venue(&f.venue.keys()));
    let wrong_key = s1
        .clone()
        .into_payload(s1.approve_as_venue(&f.venue2.keys()));
    let officer = |i: u8, key: usize| s1.sign_as_officer(i, &f.officers[key]);
    let venue_sig = match s1.approve_as_venue(&f.venue.keys()) {
        Approval::Venue(sig) => sig,
        Approval::Authority(_) => unreachable!(),
    };
    let with_officers =
        |sigs: Vec<OfficerSignature>| s1.clone().into_payload(Approval::Authority(sigs));
    // An officer's signature made with the venue approval's context, not the officers'.
    let venue_context = OfficerSignature {
        officer: 0,
        signature: match s1.approve_as_venue(&VenueSecret::from_bytes(seed(6)).keys()) {
            Approval::Venue(sig) => sig,
            Approval::Authority(_) => unreachable!(),
        },
    };
    let as_authority = with_officers(vec![
        OfficerSignature {
            officer: 0,
            signature: venue_sig,
        },
        officer(1, 1),
    ]);
    let officer_cases: [(&str, &str, NoticePayload); 9] = [
        (
            "notice_approval_for_another_certificate",
            "notice_bad_approval",
            moved,
        ),
        (
            "notice_approved_by_another_venue",
            "notice_bad_approval",
            wrong_key,
        ),
        (
            "notice_venue_signature_claimed_as_authority",
            "notice_bad_approval",
            as_authority,
        ),
        (
            "notice_approved_by_one_officer_alone",
            "notice_too_few_officers",
            with_officers(vec![officer(1, 1)]),
        ),
        (
            "notice_approved_by_an_unknown_officer",
            "notice_unknown_officer",
            with_officers(vec![officer(0, 0), officer(3, 1)]),
        ),
        (
            "notice_approved_twice_by_one_officer",
            "notice_duplicate_officer",
            with_officers(vec![officer(2, 2), officer(2, 2)]),
        ),
        (
            "notice_officer_signature_under_another_officers_index",
            "notice_bad_approval",
            with_officers(vec![officer(0, 0), officer(1, 2)]),
        ),
        (
            "notice_officer_signature_made_as_a_venue_approval",
            "notice_bad_approval",
            with_officers(vec![venue_context, officer(1, 1)]),
        ),
        (
            "notice_approved_by_all_three_officers_one_forged",
            "notice_bad_approval",
            with_officers(vec![
                officer(0, 0),
                officer(1, 1),
                OfficerSignature {
                    officer: 2,
                    signature: [7; 64],
                },
            ]),
        ),
    ];
    for (name, error, p) in officer_cases {
        let len = notice_len.max(p.sealed_len()) - 16;
        neg_notice(
            name,
            error,
            0,
            id,
            hr,
            0,
            &seal_raw(&id, &salt, 0, &payload_plain(&p, len)),
        );
    }
    // An authority approval that says it carries no signature, or six.
    for (name, count) in [
        ("notice_authority_approval_with_no_signature", 0u8),
        ("notice_authority_approval_with_six_signatures", 6),
    ] {
        let mut p = raw_authority_payload(&with_officers(vec![]), &[], 512);
        p[18] = count;
        neg_notice(
            name,
            "notice_malformed_payload",
            0,
            id,
            hr,
            0,
            &seal_raw(&id, &salt, 0, &p),
        );
    }

    let v = json!({
        "description": "Venue notices sealed under one bundle's salt, the entries (one tag per hour of each window) and the bundle that carries them, signed by keys.json tracer under certificate.json valid[0]. Verify bundles with keys.json authority_root at `now`. `poster` indexes poster.json valid[]; a notice's approval is checked against that poster's Ed25519 key (approver 1) or the emergency officers and threshold of trust.json (approver 2), for the digest of certificate.json valid[0]; `approval` says whether it verifies. `plaintext` is the padded payload before sealing. Every negative notice, opened as the `index`-th notice under `salt` by the venue `poster` through the entry of `hour`, fails with `error`, in the order of spec section 11.3.",
        "salt": h(&salt),
        "notice_len": notice_len,
        "notices": notice_vectors,
        "bundle": {"created_at": created, "now": now, "encoding": h(&bundle), "id": h(&verify_bundle_ok(f, &bundle, now).id()),
                   "entries": sealed.entries.iter().map(|t| h(t)).collect::<Vec<_>>()},
        "negative_bundles": negative,
        "negative_notices": notice_negative,
    });
    (v, bundle)
}

fn verify_bundle_ok(f: &Fixture, bundle: &[u8], now: u64) -> Bundle {
    BundleVerifier::new(f.root.verifying_key())
        .verify(bundle, now)
        .unwrap()
}

fn gen_matching(f: &Fixture, bundle: &[u8]) -> Value {
    // The bundle notifies poster 0 for [T0+12h, T0+14h) (approved by the venue), poster 1
    // for [T0+2h, T0+3h) (approved by the authority) and poster 1 for [T0+5h, T0+6h) (an
    // approval the tracer signed itself). Threshold 15 minutes.
    let visits = [
        (
            1,
            T0 + 2 * 3600,
            T0 + 3 * 3600,
            "venue 2 during its emergency-approved window: alert, approver authority",
        ),
        (
            1,
            T0 + 5 * 3600,
            T0 + 6 * 3600,
            "venue 2 during the window only the tracer approved: no alert",
        ),
        (
            0,
            T0 + 12 * 3600 + 600,
            T0 + 13 * 3600 + 2400,
            "inside the window: alert",
        ),
        (
            0,
            T0 + 16 * 3600,
            T0 + 17 * 3600,
            "after the window: no alert",
        ),
        (
            1,
            T0 + 12 * 3600 + 1800,
            T0 + 13 * 3600,
            "other venue, same time: no alert",
        ),
        (
            0,
            T0 + 11 * 3600,
            T0 + 12 * 3600 + 900,
            "overlap exactly 15 minutes: alert",
        ),
        (
            0,
            T0 + 11 * 3600,
            T0 + 12 * 3600 + 899,
            "overlap 14:59: no alert",
        ),
        (
            0,
            T0 + 14 * 3600 - 60,
            T0 + 15 * 3600,
            "overlap 1 minute at the end: no alert",
        ),
        (
            0,
            T0 + 13 * 3600,
            T0 + 13 * 3600,
            "zero-length visit inside the window: no alert",
        ),
        (
            0,
            T0,
            T0 + 86_400,
            "a whole day: alert, overlap is the whole window",
        ),
    ];
    let vs: Vec<Visit> = visits
        .iter()
        .map(|&(p, s, e, _)| Visit::new(if p == 0 { &f.poster } else { &f.poster2 }, s, e).unwrap())
        .collect();
    let verified = verify_bundle_ok(f, bundle, T0 + 20 * 3600 + 60);
    let matcher = Matcher::new(&vs, 900, trust_anchor(f).emergency).unwrap();
    let mut stats = ScanStats::default();
    let alerts = matcher.scan(&verified, &mut stats);
    let expected: Vec<Value> = visits
        .iter()
        .enumerate()
        .map(|(i, &(p, s, e, note))| {
            let alert = alerts.iter().find(|al| al.visit == i);
            json!({"poster": p, "arrival": s, "departure": e, "note": note,
                   "alert": alert.is_some(), "overlap_secs": alert.map(|al| al.overlap_secs),
                   "approver": alert.map(|al| al.approver.name())})
        })
        .collect();
    json!({
        "description": "Matching the bundle of notice.json against a diary, threshold 900 seconds, with the emergency officers and threshold of trust.json. `poster` indexes poster.json valid[]. Each visit alerts exactly when `alert` is true; `approver` names who approved its notice. `unapproved` counts the entries whose tag matched and which opened, but whose approval failed.",
        "threshold_secs": 900,
        "unapproved": stats.unapproved,
        "visits": expected,
    })
}

fn contact_json(c: &ContactRecord) -> Value {
    json!({"name": c.name, "phone": c.phone, "email": c.email, "party_size": c.party_size, "arrival": c.arrival, "departure": c.departure})
}

fn gen_vault(f: &Fixture) -> Value {
    let contact = ContactRecord {
        name: "Ada Lovelace".into(),
        phone: "+44 7700 900123".into(),
        email: "ada@example.org".into(),
        party_size: 2,
        arrival: T0 + 12 * 3600 + 600,
        departure: T0 + 13 * 3600 + 2400,
    };
    let mut r = rng(20);
    let hr = hour_of(contact.arrival);
    let record = seal_record(&mut r, &f.poster, &f.authority.public_key(), hr, &contact).unwrap();
    let allowed = [vault_tag(&f.poster.venue_id(), hr)];
    let inner = strip_outer(&f.venue.keys(), &allowed, &record).unwrap();
    // The same inner record with the venue's layer added three days later, as a client that
    // sends it then files it (section 14.5): it strips to the same inner record.
    let sent_day = hr / 24 + 3;
    let sent_later = protocol::vault::seal_outer(
        &mut rng(24),
        f.poster.sealing_key(),
        protocol::derive::vault_bucket(&f.poster.venue_id()),
        sent_day,
        &inner,
    )
    .unwrap();
    let mut tampered = record;
    tampered[200] ^= 1;
    let mut tampered_tag = record;
    tampered_tag[0] ^= 1;
    // A genuine record of this venue for the next hour, which the tracer did not ask about.
    let next_hour = seal_record(
        &mut rng(23),
        &f.poster,
        &f.authority.public_key(),
        hr + 1,
        &contact,
    )
    .unwrap();
    // Inner records the authority must refuse: each seals, under the genuine tag, a contact
    // plaintext with one rule broken.
    let tag = allowed[0];
    let (a, d) = (contact.arrival, contact.departure);
    let mut inner_rng = rng(21);
    let mut inner_with = |p: [u8; 256]| {
        let sealed = hpke_seal_raw(
            &mut inner_rng,
            &f.authority.public_key(),
            protocol::domain::VAULT_INNER,
            &tag,
            &p,
        );
        h(&[&tag[..], &sealed[..]].concat())
    };
    let padding = {
        let mut p = raw_contact(2, 2, a, d, b"Ada");
        p[255] = 1;
        p
    };
    let open_negative = [
        (
            "contact_version_1",
            "vault_unsupported_version",
            inner_with(raw_contact(1, 2, a, d, b"Ada")),
        ),
        (
            "contact_party_of_0",
            "vault_invalid_party_size",
            inner_with(raw_contact(2, 0, a, d, b"Ada")),
        ),
        (
            "contact_party_of_51",
            "vault_invalid_party_size",
            inner_with(raw_contact(2, 51, a, d, b"Ada")),
        ),
        (
            "contact_departure_before_arrival",
            "vault_invalid_times",
            inner_with(raw_contact(2, 2, d, a, b"Ada")),
        ),
        (
            "contact_name_empty",
            "vault_invalid_contact",
            inner_with(raw_contact(2, 2, a, d, b"")),
        ),
        (
            "contact_padding_not_zero",
            "vault_malformed",
            inner_with(padding),
        ),
    ];
    // Sealed before clients had to refuse a name alone: the authority still opens it.
    let name_alone = inner_with(raw_contact(2, 2, a, d, b"Ada"));
    let mut negative = vec![
        json!({"name": "vault_record_altered", "step": "strip", "error": "vault_decryption_failed", "record": h(&tampered)}),
        json!({"name": "vault_file_tag_altered", "step": "strip", "error": "vault_decryption_failed", "record": h(&tampered_tag)}),
        json!({"name": "vault_hour_not_asked_for", "step": "strip", "error": "vault_not_for_this_venue", "record": h(&next_hour)}),
        json!({"name": "vault_record_truncated", "step": "strip", "error": "vault_wrong_length", "record": h(&record[..RECORD_LEN_MINUS_ONE])}),
        json!({"name": "vault_other_venue_key", "step": "strip_with_venue2", "error": "vault_decryption_failed", "record": h(&record)}),
        json!({"name": "vault_inner_with_venue_key", "step": "open_with_venue_key", "error": "vault_decryption_failed", "record": h(&inner)}),
    ];
    for (name, error, rec) in open_negative {
        negative.push(json!({"name": name, "step": "open", "error": error, "record": rec}));
    }
    // A visit into March 2026, for which trust.json names no sealing key.
    let late = ContactRecord {
        arrival: T0 + 59 * 86_400 - 1800,
        departure: T0 + 59 * 86_400 + 1800,
        ..contact.clone()
    };
    assert_eq!(
        protocol::vault::seal_visit(&mut rng(22), &f.poster, &trust_anchor(f), &late)
            .unwrap_err()
            .code(),
        "vault_no_sealing_key"
    );
    negative.push(json!({"name": "vault_visit_past_the_last_sealing_period", "step": "seal", "error": "vault_no_sealing_key", "contact": contact_json(&late)}));
    let unreachable = ContactRecord {
        phone: String::new(),
        email: String::new(),
        ..contact.clone()
    };
    negative.push(json!({"name": "vault_contact_with_a_name_alone", "step": "seal", "error": "vault_no_phone_or_email", "contact": contact_json(&unreachable)}));
    json!({
        "description": "A vault record for poster.json valid[0] at `hour`, sealed to keys.json authority_sealing; it is filed under `file_tag`. The venue strips the outer layer, allowing only `vault_tag(venue_id, hour)`; the authority opens the inner one. Negative steps: `strip` (keys.json venue), `strip_with_venue2`, `open_with_venue_key` (the venue's X25519 key tries the inner layer), `open` (keys.json authority_sealing opens an inner record whose contact plaintext breaks one rule of section 14.1), `seal` (a client seals `contact` for poster.json valid[0] under trust.json: an hour of the visit lies in no sealing period, or the contact gives neither phone nor e-mail). `inner_record_name_alone` is an inner record sealed by an earlier client whose contact has a name but no phone and no e-mail: the authority opens it to `contact_name_alone`. `sent_later` is the same inner record with the venue's layer added on UTC day `day`, three days after the hour's, as a client sending it that day files it (section 14.5): it starts with `file_tag` = `bucket_tag(vault_bucket(venue_id), day)` and strips to `inner_record`.",
        "hour": hr,
        "sent_later": {"day": sent_day, "file_tag": h(&protocol::derive::bucket_tag(protocol::derive::vault_bucket(&f.poster.venue_id()), sent_day)), "record": h(&sent_later)},
        "file_tag": h(&vault_file_tag(&f.poster.venue_id(), hr)),
        "contact": contact_json(&contact),
        "record": h(&record),
        "inner_record": h(&inner),
        "inner_record_name_alone": name_alone,
        "contact_name_alone": json!({"name": "Ada", "phone": "", "email": "", "party_size": 2, "arrival": a, "departure": d}),
        "negative": negative,
    })
}

const RECORD_LEN_MINUS_ONE: usize = protocol::vault::RECORD_LEN - 1;

/// HPKE SealBase (RFC 9180; DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305) with
/// the `hpke` crate directly, returning `enc || ct`: for negative vectors whose plaintext the
/// library refuses to build.
fn hpke_seal_raw(
    rng: &mut ChaCha20Rng,
    to: &SealingPublicKey,
    info: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    use hpke::{Deserializable, Serializable};
    type Kem = hpke::kem::X25519HkdfSha256;
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&to.0).unwrap();
    let (enc, ct) = hpke::single_shot_seal_with_rng::<
        hpke::aead::ChaCha20Poly1305,
        hpke::kdf::HkdfSha256,
        Kem,
    >(&hpke::OpModeS::Base, &pk, info, pt, aad, rng)
    .unwrap();
    [enc.to_bytes().to_vec(), ct].concat()
}

/// A contact plaintext laid out by hand (spec section 14.1).
fn raw_contact(version: u8, party: u8, arr: u64, dep: u64, name: &[u8]) -> [u8; 256] {
    let mut p = [0u8; 256];
    p[0] = version;
    p[1] = party;
    p[2..10].copy_from_slice(&arr.to_be_bytes());
    p[10..18].copy_from_slice(&dep.to_be_bytes());
    p[18] = name.len() as u8;
    p[19..19 + name.len()].copy_from_slice(name);
    // Empty phone and e-mail follow as two zero length bytes, then zero padding.
    p
}

fn gen_case(f: &Fixture) -> Value {
    let diary = CaseDiary {
        created_at: T0 + 2 * 86_400,
        visits: vec![
            CaseVisit {
                poster: f.poster.clone(),
                arrival: T0 + 12 * 3600 + 600,
                departure: T0 + 13 * 3600 + 2400,
            },
            CaseVisit {
                poster: f.poster2.clone(),
                arrival: T0 + 86_400 + 19 * 3600,
                departure: T0 + 86_400 + 20 * 3600,
            },
        ],
    };
    let mut r = rng(30);
    let file = diary.seal(&mut r, &f.case.public_key()).unwrap();
    let other = SealingSecretKey::from_bytes(seed(7));
    let other_file = diary.seal(&mut rng(31), &other.public_key()).unwrap();
    let mut tampered = file.clone();
    let n = tampered.len();
    tampered[n - 1] ^= 1;
    let mut ver = file.clone();
    ver[0] = 7;
    // Files the authority must refuse after opening: each plaintext breaks one rule.
    let mut case_rng = rng(32);
    let mut case_with = |plain: &[u8]| {
        let sealed = hpke_seal_raw(
            &mut case_rng,
            &f.case.public_key(),
            protocol::domain::CASE_DIARY,
            &[2],
            plain,
        );
        h(&[&[2u8][..], &sealed[..]].concat())
    };
    let visit_plain = |poster: &[u8], arr: u64, dep: u64, count: u16, len: usize| {
        let mut p = Vec::new();
        p.extend_from_slice(&diary.created_at.to_be_bytes());
        p.extend_from_slice(&count.to_be_bytes());
        if count == 1 {
            p.extend_from_slice(&u16::try_from(poster.len()).unwrap().to_be_bytes());
            p.extend_from_slice(poster);
            p.extend_from_slice(&arr.to_be_bytes());
            p.extend_from_slice(&dep.to_be_bytes());
        }
        p.resize(len, 0);
        p
    };
    let good_poster = f.poster.to_bytes().to_vec();
    let mut bad_poster = good_poster.clone();
    let last = bad_poster.len() - 1;
    bad_poster[last] ^= 1;
    let (arr, dep) = (T0 + 12 * 3600, T0 + 13 * 3600);
    let small = protocol::case::CASE_SIZES[0];
    let mut nonzero_padding = visit_plain(&good_poster, arr, dep, 1, small);
    nonzero_padding[small - 1] = 1;
    let case_negative = [
        // 1 + 32 + 1000 + 16 = 1,049 bytes, under the shortest case file: refused by its
        // length, before opening, as a server refuses it (spec sections 16 and 16b).
        (
            "case_shorter_than_smallest_size",
            "case_truncated",
            case_with(&visit_plain(&good_poster, arr, dep, 1, 1000)),
        ),
        (
            "case_padding_not_zero",
            "case_malformed",
            case_with(&nonzero_padding),
        ),
        // One visit padded to the second size, where the first holds it.
        (
            "case_padding_longer_than_needed",
            "case_malformed",
            case_with(&visit_plain(
                &good_poster,
                arr,
                dep,
                1,
                protocol::case::CASE_SIZES[1],
            )),
        ),
        (
            "case_2001_visits",
            "case_too_many_visits",
            case_with(&visit_plain(&good_poster, arr, dep, 2001, small)),
        ),
        (
            "case_poster_signature_broken",
            "case_invalid_poster",
            case_with(&visit_plain(&bad_poster, arr, dep, 1, small)),
        ),
        (
            "case_departure_before_arrival",
            "case_invalid_visit",
            case_with(&visit_plain(&good_poster, dep, arr, 1, small)),
        ),
        (
            "case_visit_longer_than_14_days",
            "case_invalid_visit",
            case_with(&visit_plain(
                &good_poster,
                arr,
                arr + 14 * 86_400 + 1,
                1,
                small,
            )),
        ),
        // 1 + 32 + 17,408 + 16 bytes: between the first and second sizes, so none of them,
        // refused by its length before opening.
        (
            "case_length_not_a_size",
            "case_malformed",
            case_with(&visit_plain(&good_poster, arr, dep, 1, small + 1024)),
        ),
    ];
    let mut negative: Vec<Value> = vec![
        json!({"name": "case_sealed_to_other_authority", "error": "case_decryption_failed", "file": h(&other_file)}),
        json!({"name": "case_altered", "error": "case_decryption_failed", "file": h(&tampered)}),
        json!({"name": "case_unsupported_version", "error": "case_unsupported_version", "file": h(&ver)}),
        json!({"name": "case_truncated", "error": "case_truncated", "file": h(&file[..20])}),
    ];
    negative.extend(
        case_negative
            .iter()
            .map(|(n, e, file)| json!({"name": n, "error": e, "file": file})),
    );
    // The hand-over by code (section 16.1): the code the phone shows, what the server is given
    // (the id and the tag of `file`), and files the tracer must refuse.
    let code = protocol::CaseCode::generate(&mut rng(33));
    let other_code = protocol::CaseCode::generate(&mut rng(34));
    let swapped = diary.seal(&mut rng(35), &f.case.public_key()).unwrap();
    let typed = code.to_string().to_lowercase().replace('-', " ");
    let shown = code.to_string();
    let hand_over = json!({
        "description": "The phone shows `code` and gives the server `id` and `tag` (of the top-level `file`); `key` is the tag's key. `typed` is the same code as a person may type it. Each negative gives a code as typed and, for case_code_mismatch, the file and tag a server answered.",
        "code": shown,
        "typed": typed,
        "canonical": String::from_utf8(code.canonical().to_vec()).unwrap(),
        "id": h(&code.id()),
        "key": h(code.key().as_ref()),
        "tag": h(&code.tag(&file)),
        "negative": [
            {"name": "case_code_one_character_short", "error": "case_code_malformed", "code": &shown[..shown.len() - 1]},
            {"name": "case_code_with_an_eight", "error": "case_code_malformed", "code": format!("{}8", &shown[..shown.len() - 1])},
            {"name": "case_code_one_character_long", "error": "case_code_malformed", "code": format!("{shown}A")},
            {"name": "case_file_swapped_by_the_server", "error": "case_code_mismatch", "code": &shown, "file": h(&swapped), "tag": h(&code.tag(&file))},
            {"name": "case_file_swapped_with_its_own_tag_under_another_code", "error": "case_code_mismatch", "code": &shown, "file": h(&swapped), "tag": h(&other_code.tag(&swapped))},
            {"name": "case_tag_cut_short", "error": "case_code_mismatch", "code": &shown, "file": h(&file), "tag": h(&code.tag(&file)[..31])},
        ],
    });
    json!({
        "description": "A case diary sealed to keys.json authority_case. `poster` indexes poster.json valid[].",
        "file": h(&file),
        "hand_over": hand_over,
        "created_at": diary.created_at,
        "visits": diary.visits.iter().map(|v| json!({
            "poster": if v.poster == f.poster { 0 } else { 1 }, "arrival": v.arrival, "departure": v.departure
        })).collect::<Vec<_>>(),
        "negative": negative,
    })
}

fn gen_query(f: &Fixture) -> Value {
    let id = f.poster.venue_id();
    // A query asks for file tags (section 15): one per day, so three days' hours.
    let hours: Vec<u64> = (0..3).map(|i| hour_of(T0) + 12 + 24 * i).collect();
    let tags: Vec<Tag> = hours.iter().map(|&h| vault_file_tag(&id, h)).collect();
    let ts = T0 + 30 * 3600;
    let q = sign_query(&mut rng(40), &f.tracer, &f.cert, ts, &tags).unwrap();
    let mut altered = q.clone();
    let n = altered.len();
    altered[n - 70] ^= 1; // inside the last tag
    let expired = sign_query(
        &mut rng(41),
        &f.tracer,
        &f.cert,
        f.cert.not_after() + 10,
        &tags,
    )
    .unwrap();
    let mut trailing = q.clone();
    trailing.push(0);
    let mut version = q.clone();
    version[0] = 9;
    let publish_only = sign_query(&mut rng(42), &f.tracer, &f.publish_only, ts, &tags).unwrap();
    // Tag counts sign_query refuses to make: 0 and 1025, laid out by hand and signed.
    let with_count = |count: u16| {
        let cert = f.cert.to_bytes();
        let mut b = vec![0x02];
        b.extend_from_slice(&u16::try_from(cert.len()).unwrap().to_be_bytes());
        b.extend_from_slice(cert);
        b.extend_from_slice(&ts.to_be_bytes());
        b.extend_from_slice(&[7u8; 16]);
        b.extend_from_slice(&count.to_be_bytes());
        for i in 0..count {
            b.extend_from_slice(&vault_file_tag(&id, hour_of(T0) + 24 * u64::from(i)));
        }
        let sig = sign_raw(
            &f.tracer.to_bytes(),
            protocol::domain::VAULT_QUERY_SIGNATURE,
            &b,
        );
        b.extend_from_slice(&sig);
        b
    };
    json!({
        "description": "A vault query by keys.json tracer, verified with keys.json authority_root at `now`. Its `tags` are the file tags (section 9, `vault_file_tag`) of poster.json valid[0] for `hours`, one hour on each of three days.",
        "now": ts + 30,
        "query": h(&q),
        "timestamp": ts,
        "hours": hours,
        "tags": tags.iter().map(|t| h(t)).collect::<Vec<_>>(),
        "negative": [
            {"name": "query_tag_altered", "error": "query_bad_signature", "query": h(&altered), "now": ts + 30},
            {"name": "query_stale", "error": "query_stale", "query": h(&q), "now": ts + 301},
            {"name": "query_certificate_expired", "error": "cert_not_valid_at", "query": h(&expired), "now": f.cert.not_after() + 10},
            {"name": "query_truncated", "error": "query_truncated", "query": h(&q[..q.len() - 1]), "now": ts + 30},
            {"name": "query_trailing_bytes", "error": "query_trailing_bytes", "query": h(&trailing), "now": ts + 30},
            {"name": "query_unsupported_version", "error": "query_unsupported_version", "query": h(&version), "now": ts + 30},
            {"name": "query_by_a_publish_only_certificate", "error": "query_certificate_cannot_query", "query": h(&publish_only), "now": ts + 30},
            {"name": "query_no_tags", "error": "query_invalid_tag_count", "query": h(&with_count(0)), "now": ts + 30},
            {"name": "query_1025_tags", "error": "query_invalid_tag_count", "query": h(&with_count(1025)), "now": ts + 30},
        ],
    })
}

/// The trust file of trust.json: sealing periods January and February 2026.
fn trust_anchor(f: &Fixture) -> TrustAnchor {
    TrustAnchor {
        authority: "Example Health Board".into(),
        serial: 2,
        root: f.root.verifying_key(),
        emergency: EmergencyOfficers::new(
            f.officers.iter().map(|k| k.verifying_key()).collect(),
            2,
        )
        .unwrap(),
        case: f.case.public_key(),
        release: Some(f.release.verifying_key()),
        sealing: vec![
            SealingPeriod {
                from: T0,
                until: T0 + 31 * 86_400,
                key: f.authority.public_key(),
            },
            SealingPeriod {
                from: T0 + 31 * 86_400,
                until: T0 + 59 * 86_400,
                key: f.sealing_next.public_key(),
            },
        ],
    }
}

fn sealing_json(t: &TrustAnchor) -> Value {
    t.sealing
        .iter()
        .map(|p| json!({"from": p.from, "until": p.until, "key": h(&p.key.0)}))
        .collect()
}

/// `text` without the lines of field `name`.
fn without_field(text: &str, name: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with(name))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn gen_trust(f: &Fixture) -> Value {
    let anchor = trust_anchor(f);
    // Every file below is a body (all but the signature line) signed by the root, unless it
    // is named for its signature.
    let text = anchor.body_text();
    let signed = anchor.sign(&f.root);
    let root_b64 = base64_url(f.root.verifying_key().as_bytes());
    let officer_line = |i: usize| {
        format!(
            "emergency: {}",
            base64_url(f.officers[i].verifying_key().as_bytes())
        )
    };
    let jan_key = base64_url(&anchor.sealing[0].key.0);
    let feb_key = base64_url(&anchor.sealing[1].key.0);
    let case_line = format!("case: {}", base64_url(&anchor.case.0));
    let release_line = format!(
        "release: {}",
        base64_url(f.release.verifying_key().as_bytes())
    );
    let negative = [
        (
            "trust_wrong_header",
            "trust_not_a_trust_file",
            text.replace("checkin-trust v1", "checkin-trust v2"),
        ),
        (
            "trust_field_twice",
            "trust_malformed",
            format!("{text}authority: Other\n"),
        ),
        (
            "trust_unknown_field",
            "trust_malformed",
            format!("{text}expires: never\n"),
        ),
        (
            "trust_missing_sealing",
            "trust_malformed",
            without_field(&text, "sealing"),
        ),
        (
            "trust_missing_case",
            "trust_malformed",
            without_field(&text, "case"),
        ),
        (
            "trust_case_key_is_a_sealing_key",
            "trust_malformed",
            text.replace(&case_line, &format!("case: {jan_key}")),
        ),
        (
            "trust_sealing_key_twice",
            "trust_malformed",
            text.replace(&feb_key, &jan_key),
        ),
        (
            "trust_sealing_line_without_until",
            "trust_malformed",
            text.replace("2026-01-01 2026-02-01 ", "2026-01-01 "),
        ),
        (
            "trust_sealing_period_gap",
            "trust_invalid_period",
            text.replace("2026-02-01 2026-03-01", "2026-02-02 2026-03-01"),
        ),
        (
            "trust_sealing_period_overlap",
            "trust_invalid_period",
            text.replace("2026-02-01 2026-03-01", "2026-01-31 2026-03-01"),
        ),
        (
            "trust_sealing_period_ends_before_it_starts",
            "trust_invalid_period",
            text.replace("2026-02-01 2026-03-01", "2026-02-01 2026-02-01"),
        ),
        (
            "trust_sealing_period_not_a_date",
            "trust_invalid_period",
            text.replace("2026-02-01 2026-03-01", "2026-02-01 2026-02-30"),
        ),
        // 65 periods that follow one another without a gap from the second one's end
        // (2026-03-01, day 20,513): only the count is wrong.
        ("trust_65_sealing_periods", "trust_invalid_period", {
            let mut t = text.clone();
            for i in 0..63u8 {
                let k = SealingSecretKey::from_bytes([100 + i; 32]).public_key();
                t.push_str(&format!(
                    "sealing: {} {} {}\n",
                    trust::format_day(20_513 + 28 * u64::from(i)),
                    trust::format_day(20_513 + 28 * (u64::from(i) + 1)),
                    base64_url(&k.0)
                ));
            }
            t
        }),
        (
            "trust_missing_emergency",
            "trust_malformed",
            without_field(&text, "emergency:"),
        ),
        (
            "trust_missing_emergency_threshold",
            "trust_malformed",
            without_field(&text, "emergency_threshold:"),
        ),
        (
            "trust_emergency_key_is_the_root",
            "trust_malformed",
            text.replace(&officer_line(2), &format!("emergency: {root_b64}")),
        ),
        (
            "trust_emergency_key_twice",
            "trust_malformed",
            text.replace(&officer_line(2), &officer_line(0)),
        ),
        (
            "trust_one_emergency_key",
            "trust_invalid_threshold",
            text.replace(&format!("{}\n", officer_line(1)), "")
                .replace(&format!("{}\n", officer_line(2)), ""),
        ),
        (
            "trust_six_emergency_keys",
            "trust_invalid_threshold",
            text.replace(
                &format!("{}\n", officer_line(2)),
                &[2u8, 60, 61, 62]
                    .map(|l| {
                        let k = if l == 2 {
                            f.officers[2].verifying_key()
                        } else {
                            Ed25519Secret::from_bytes([l; 32]).verifying_key()
                        };
                        format!("emergency: {}\n", base64_url(k.as_bytes()))
                    })
                    .concat(),
            ),
        ),
        (
            "trust_emergency_threshold_1",
            "trust_invalid_threshold",
            text.replace("emergency_threshold: 2", "emergency_threshold: 1"),
        ),
        (
            "trust_emergency_threshold_above_the_officers",
            "trust_invalid_threshold",
            text.replace("emergency_threshold: 2", "emergency_threshold: 4"),
        ),
        (
            "trust_emergency_threshold_not_a_number",
            "trust_invalid_threshold",
            text.replace("emergency_threshold: 2", "emergency_threshold: two"),
        ),
        (
            "trust_emergency_threshold_leading_zero",
            "trust_invalid_threshold",
            text.replace("emergency_threshold: 2", "emergency_threshold: 02"),
        ),
        (
            "trust_short_key",
            "trust_invalid_key",
            text.replace(
                &format!("root: {}", base64_url(f.root.verifying_key().as_bytes())),
                "root: AAAA",
            ),
        ),
        (
            "trust_sealing_key_zero",
            "trust_invalid_key",
            text.replace(&jan_key, &base64_url(&[0u8; 32])),
        ),
        (
            "trust_case_key_zero",
            "trust_invalid_key",
            text.replace(&case_line, &format!("case: {}", base64_url(&[0u8; 32]))),
        ),
        (
            "trust_root_key_identity",
            "trust_invalid_key",
            text.replace(
                &format!("root: {}", base64_url(f.root.verifying_key().as_bytes())),
                &format!("root: {}", base64_url(&small_order_u(1))),
            ),
        ),
        (
            "trust_direction_override_in_name",
            "trust_invalid_name",
            text.replace("authority: Example", "authority: \u{202E}Example"),
        ),
        (
            "trust_empty_name",
            "trust_invalid_name",
            text.replace("authority: Example Health Board", "authority:"),
        ),
        // Trimming removes ASCII spaces, tabs and carriage returns only (section 16a).
        (
            "trust_byte_order_mark",
            "trust_not_a_trust_file",
            format!("\u{FEFF}{text}"),
        ),
        (
            "trust_name_ends_with_no_break_space",
            "trust_invalid_name",
            text.replace("Example Health Board", "Example Health Board\u{00A0}"),
        ),
        (
            "trust_sealing_lines_out_of_order",
            "trust_invalid_period",
            {
                let lines: Vec<&str> = text.lines().collect();
                let n = lines.len();
                let mut swapped = lines[..n - 2].to_vec();
                swapped.push(lines[n - 1]);
                swapped.push(lines[n - 2]);
                swapped.join("\n") + "\n"
            },
        ),
        (
            "trust_sealing_value_with_two_spaces",
            "trust_malformed",
            text.replace("2026-01-01 2026-02-01", "2026-01-01  2026-02-01"),
        ),
        (
            "trust_serial_zero",
            "trust_malformed",
            text.replace("serial: 2", "serial: 0"),
        ),
        (
            "trust_serial_leading_zero",
            "trust_malformed",
            text.replace("serial: 2", "serial: 02"),
        ),
        (
            "trust_missing_serial",
            "trust_malformed",
            without_field(&text, "serial"),
        ),
        (
            "trust_release_key_twice",
            "trust_malformed",
            text.replace(&release_line, &format!("{release_line}\n{release_line}")),
        ),
        (
            "trust_release_key_is_the_root",
            "trust_malformed",
            text.replace(&release_line, &format!("release: {root_b64}")),
        ),
        (
            "trust_release_key_is_an_emergency_key",
            "trust_malformed",
            text.replace(
                &release_line,
                &officer_line(1).replace("emergency:", "release:"),
            ),
        ),
        (
            "trust_release_key_short",
            "trust_invalid_key",
            text.replace(&release_line, "release: AAAA"),
        ),
        (
            "trust_release_key_identity",
            "trust_invalid_key",
            text.replace(
                &release_line,
                &format!("release: {}", base64_url(&small_order_u(1))),
            ),
        ),
    ];
    let mut negative: Vec<(&str, &str, String)> = negative
        .into_iter()
        .map(|(n, e, t)| (n, e, trust::sign_text(&t, &f.root)))
        .collect();
    // A server's swap of one key, the root's signature kept: refused as a whole.
    let other_x = base64_url(&SealingSecretKey::from_bytes([0x77; 32]).public_key().0);
    let other_ed = base64_url(
        Ed25519Secret::from_bytes([0x78; 32])
            .verifying_key()
            .as_bytes(),
    );
    let emergency_line = format!(
        "emergency: {}",
        base64_url(f.officers[1].verifying_key().as_bytes())
    );
    negative.extend([
        ("trust_unsigned", "trust_unsigned", text.clone()),
        (
            "trust_case_key_swapped",
            "trust_bad_signature",
            signed.replace(&case_line, &format!("case: {other_x}")),
        ),
        (
            "trust_emergency_key_swapped",
            "trust_bad_signature",
            signed.replace(&emergency_line, &format!("emergency: {other_ed}")),
        ),
        // One officer's key dropped: two officers and the threshold 2 read well, but the root
        // did not sign that.
        (
            "trust_emergency_key_dropped",
            "trust_bad_signature",
            signed.replace(&format!("{emergency_line}\n"), ""),
        ),
        (
            "trust_sealing_key_swapped",
            "trust_bad_signature",
            signed.replace(&jan_key, &other_x),
        ),
        (
            "trust_release_key_swapped",
            "trust_bad_signature",
            signed.replace(&release_line, &format!("release: {other_ed}")),
        ),
        (
            "trust_release_key_dropped",
            "trust_bad_signature",
            signed.replace(&format!("{release_line}\n"), ""),
        ),
        (
            "trust_signature_by_another_key",
            "trust_bad_signature",
            trust::sign_text(&text, &Ed25519Secret::from_bytes(seed(9))),
        ),
        (
            "trust_signature_truncated",
            "trust_bad_signature",
            signed.replacen("signature: ", "signature: AAAA", 1)[..signed.len() - 6].to_owned()
                + "\n",
        ),
        (
            "trust_line_after_signature",
            "trust_unsigned",
            format!("{signed}# a comment after the signature\n"),
        ),
    ]);
    // Replacing a pinned file (the one above, serial 2).
    let with_serial = |serial: u64| {
        TrustAnchor {
            serial,
            ..anchor.clone()
        }
        .sign(&f.root)
    };
    let other_root = Ed25519Secret::from_bytes(seed(9));
    let another_authority = TrustAnchor {
        root: other_root.verifying_key(),
        serial: 3,
        ..anchor.clone()
    }
    .sign(&other_root);
    let replacing = [
        ("trust_newer_serial_replaces", None, with_serial(3)),
        ("trust_same_file_replaces", None, signed.clone()),
        (
            "trust_older_serial",
            Some("trust_older_serial"),
            with_serial(1),
        ),
        (
            "trust_different_root",
            Some("trust_different_root"),
            another_authority,
        ),
    ];
    // The same file written otherwise: each parses to exactly the anchor above.
    let accepted = [
        ("trust_crlf_line_ends", text.replace('\n', "\r\n")),
        (
            "trust_spaces_and_tabs_around_names_and_values",
            text.replace("authority: ", " \tauthority :  ")
                .replace("\nroot: ", "\nroot\t:\t")
                .replace("\nsealing: ", "\n  sealing:")
                .replace('\n', " \n"),
        ),
        ("trust_sealing_lines_first_between_comments", {
            let (sealing, other): (Vec<&str>, Vec<&str>) = text
                .lines()
                .skip(1)
                .partition(|l| l.starts_with("sealing:"));
            format!(
                "checkin-trust v1\n\n# periods\n{}\n# keys\n{}\n",
                sealing.join("\n"),
                other.join("\n")
            )
        }),
    ];
    let accepted = accepted.map(|(n, t)| (n, trust::sign_text(&t, &f.root)));
    json!({
        "description": "The authority trust file for keys.json authority_root, authority_officers (its emergency keys, threshold 2), authority_case, authority_release (its release key, section 16d), and authority_sealing (January 2026) and authority_sealing_next (February 2026), signed by authority_root. `sealing` lists the periods as Unix times. Negative files must fail with `error`; each `accepted` file is the same file written otherwise (line ends, spacing, field order), signed again, and must parse to the same values. `replacing`: files offered while `text` is pinned; each parses, and replaces the pinned file unless it has an `error`.",
        "text": signed,
        "authority": anchor.authority,
        "serial": anchor.serial,
        "root": h(anchor.root.as_bytes()),
        "emergency": anchor.emergency.keys().iter().map(|k| h(k.as_bytes())).collect::<Vec<_>>(),
        "emergency_threshold": anchor.emergency.threshold(),
        "case": h(&anchor.case.0),
        "release": anchor.release.map(|k| h(k.as_bytes())),
        "sealing": sealing_json(&anchor),
        "negative": negative.iter().map(|(n, e, t)| json!({"name": n, "error": e, "text": t})).collect::<Vec<_>>(),
        "accepted": accepted.iter().map(|(n, t)| json!({"name": n, "text": t})).collect::<Vec<_>>(),
        "replacing": replacing.iter().map(|(n, e, t)| json!({"name": n, "error": e, "text": t})).collect::<Vec<_>>(),
    })
}

fn gen_revocation(f: &Fixture, bundle: &[u8], bundle_now: u64, query: &Value) -> Value {
    use protocol::revocation::RevocationList;
    let issued = bundle_now - 30;
    let other = [0x42u8; 32];
    let tracer_pk = *f.tracer.verifying_key().as_bytes();
    let list = RevocationList::sign(&f.root, issued, &[tracer_pk, other]).unwrap();
    let good = list.to_bytes().to_vec();
    let empty = RevocationList::sign(&f.root, issued - 86_400, &[]).unwrap();
    // Raw lists laid out by hand and signed with the primitive directly.
    let raw = |version: u8, at: u64, keys: &[[u8; 32]], count: Option<u16>| {
        let mut b = vec![version];
        b.extend_from_slice(&at.to_be_bytes());
        b.extend_from_slice(&count.unwrap_or(keys.len() as u16).to_be_bytes());
        for k in keys {
            b.extend_from_slice(k);
        }
        let sig = sign_raw(&seed(3), b"checkin/v2/revocation-list", &b);
        b.extend_from_slice(&sig);
        b
    };
    let mut sorted = vec![tracer_pk, other];
    sorted.sort_unstable();
    let mut altered = good.clone();
    altered[12] ^= 1;
    let mut trailing = good.clone();
    trailing.push(0);
    let other_root = RevocationList::sign(&Ed25519Secret::from_bytes(seed(9)), issued, &[other])
        .unwrap()
        .to_bytes()
        .to_vec();
    let negative = vec![
        (
            "revocation_truncated",
            "revocation_truncated",
            good[..good.len() - 1].to_vec(),
        ),
        ("revocation_empty_input", "revocation_truncated", vec![]),
        (
            "revocation_trailing_bytes",
            "revocation_trailing_bytes",
            trailing,
        ),
        (
            "revocation_unsupported_version",
            "revocation_unsupported_version",
            raw(1, issued, &sorted, None),
        ),
        (
            "revocation_too_many_keys",
            "revocation_too_many_keys",
            raw(2, issued, &[], Some(4097)),
        ),
        (
            "revocation_keys_descending",
            "revocation_keys_not_sorted",
            raw(2, issued, &[sorted[1], sorted[0]], None),
        ),
        (
            "revocation_key_repeated",
            "revocation_keys_not_sorted",
            raw(2, issued, &[sorted[0], sorted[0]], None),
        ),
        (
            "revocation_key_altered",
            "revocation_bad_signature",
            altered,
        ),
        (
            "revocation_signed_by_other_root",
            "revocation_bad_signature",
            other_root,
        ),
        (
            "revocation_from_the_future",
            "revocation_from_the_future",
            raw(2, bundle_now + 301, &sorted, None),
        ),
    ];
    let same_second = raw(2, issued, &[other], None);
    json!({
        "description": "Revocation lists signed by keys.json authority_root, verified at `now`. `list` names the tracer of notice.json's bundle and query.json's query, so that they must fail with bundle_certificate_revoked and query_certificate_revoked under it. `replacement`: a holder of `held` is offered `offered` and must keep it (newer), do nothing (same) or refuse it (error). Negative lists must fail with `error`.",
        "now": bundle_now,
        "list": {"issued_at": issued, "keys": sorted.iter().map(|k| h(k)).collect::<Vec<_>>(), "encoding": h(&good)},
        "empty_list": {"issued_at": issued - 86_400, "keys": [], "encoding": h(empty.to_bytes())},
        "revoked_bundle": {"bundle": h(bundle), "now": bundle_now, "error": "bundle_certificate_revoked"},
        "revoked_query": {"query": query["query"], "now": query["now"], "error": "query_certificate_revoked"},
        "replacement": [
            {"held": null, "offered": h(&good), "result": "newer"},
            {"held": h(empty.to_bytes()), "offered": h(&good), "result": "newer"},
            {"held": h(&good), "offered": h(&good), "result": "same"},
            {"held": h(&good), "offered": h(empty.to_bytes()), "result": "revocation_not_newer"},
            {"held": h(&good), "offered": h(&same_second), "result": "revocation_not_newer"},
        ],
        "negative": negative.iter().map(|(n, e, b)| json!({"name": n, "error": e, "encoding": h(b), "now": bundle_now})).collect::<Vec<_>>(),
    })
}

fn gen_batch(bundle: &[u8], created: u64) -> Value {
    use protocol::batch::encode_batch;
    let hour = created / 3600;
    let batch = encode_batch(hour, [bundle].into_iter()).unwrap();
    let empty = encode_batch(hour + 1, std::iter::empty()).unwrap();
    // Laid out by hand.
    let raw = |version: u8, h: u64, count: u32, rest: &[u8]| {
        let mut b = vec![version];
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&count.to_be_bytes());
        b.extend_from_slice(rest);
        b
    };
    let mut one = (bundle.len() as u32).to_be_bytes().to_vec();
    one.extend_from_slice(bundle);
    let mut trailing = batch.clone();
    trailing.push(0);
    let negative = [
        (
            "batch_truncated",
            "batch_truncated",
            batch[..batch.len() - 1].to_vec(),
            hour,
        ),
        (
            "batch_count_without_bundles",
            "batch_truncated",
            raw(2, hour, 1, &[]),
            hour,
        ),
        (
            "batch_trailing_bytes",
            "batch_trailing_bytes",
            trailing,
            hour,
        ),
        (
            "batch_unsupported_version",
            "batch_unsupported_version",
            raw(1, hour, 1, &one),
            hour,
        ),
        (
            "batch_wrong_hour",
            "batch_wrong_hour",
            batch.clone(),
            hour + 1,
        ),
        (
            "batch_too_many_bundles",
            "batch_too_many_bundles",
            raw(2, hour, 65_537, &[]),
            hour,
        ),
    ];
    // The day file of the bundle's day: its hour holds the bundle, the 23 others are empty.
    let day = protocol::batch::day_of_hour(hour);
    let hour_batches: Vec<Vec<u8>> = protocol::batch::hours_of_day(day)
        .map(|x| {
            if x == hour {
                batch.clone()
            } else {
                encode_batch(x, std::iter::empty()).unwrap()
            }
        })
        .collect();
    let day_file =
        protocol::batch::encode_day(day, hour_batches.iter().map(Vec::as_slice)).unwrap();
    let raw_day = |version: u8, d: u64, hours: &[Vec<u8>], rest: &[u8]| {
        let mut b = vec![version];
        b.extend_from_slice(&d.to_be_bytes());
        for x in hours {
            b.extend_from_slice(&(x.len() as u32).to_be_bytes());
            b.extend_from_slice(x);
        }
        b.extend_from_slice(rest);
        b
    };
    let mut day_trailing = day_file.clone();
    day_trailing.push(0);
    // The last hour's length says one byte more than follows.
    let mut long_last = raw_day(2, day, &hour_batches[..23], &[]);
    long_last.extend_from_slice(&(hour_batches[23].len() as u32 + 1).to_be_bytes());
    long_last.extend_from_slice(&hour_batches[23]);
    let day_negative = [
        (
            "day_truncated",
            "day_truncated",
            day_file[..day_file.len() - 1].to_vec(),
            day,
        ),
        ("day_empty", "day_truncated", Vec::new(), day),
        (
            "day_23_hours",
            "day_truncated",
            raw_day(2, day, &hour_batches[..23], &[]),
            day,
        ),
        ("day_hour_length_past_end", "day_truncated", long_last, day),
        (
            "day_trailing_bytes",
            "day_trailing_bytes",
            day_trailing,
            day,
        ),
        (
            "day_unsupported_version",
            "day_unsupported_version",
            raw_day(1, day, &hour_batches, &[]),
            day,
        ),
        ("day_wrong_day", "day_wrong_day", day_file.clone(), day + 1),
        (
            "day_hour_batch_read_as_day",
            "day_wrong_day",
            batch.clone(),
            day,
        ),
    ];
    // Files that split, but one hour inside fails as its batch would (the other 23 decode).
    let mut swapped = hour_batches.clone();
    swapped[0] = hour_batches[1].clone();
    let mut cut = hour_batches.clone();
    cut[3].pop();
    let day_hour_negative = [
        (
            "day_hour_of_another_hour",
            "batch_wrong_hour",
            raw_day(2, day, &swapped, &[]),
            0usize,
        ),
        (
            "day_hour_cut_short",
            "batch_truncated",
            raw_day(2, day, &cut, &[]),
            3,
        ),
    ];
    json!({
        "description": "Hour batches and day files: `batch` holds notice.json's bundle, published in `hour`; `empty` is hour + 1 with no bundles. A client asking for `hour` must decode each to `bundles`. Negative batches, asked for as `asked`, must fail with `error`. `day`: the day file of `hour`'s UTC day, which splits into 24 hour batches, `hour`'s being `batch` and the others empty. `day_negative`: files asked for as day `asked` that must be refused whole with `error`; `day_hour_negative`: files that split, but whose hour at `index` (0..=23) must fail with `error` when decoded as that hour's batch, the other 23 decoding.",
        "hour": hour,
        "batch": h(&batch),
        "bundles": [h(bundle)],
        "empty": {"hour": hour + 1, "batch": h(&empty)},
        "negative": negative.iter().map(|(n, e, b, asked)| json!({"name": n, "error": e, "batch": h(b), "asked": asked})).collect::<Vec<_>>(),
        "day": {"day": day, "file": h(&day_file), "hour_batches": hour_batches.iter().map(|x| h(x)).collect::<Vec<_>>()},
        "day_negative": day_negative.iter().map(|(n, e, b, asked)| json!({"name": n, "error": e, "file": h(b), "asked": asked})).collect::<Vec<_>>(),
        "day_hour_negative": day_hour_negative.iter().map(|(n, e, b, i)| json!({"name": n, "error": e, "file": h(b), "day": day, "index": i})).collect::<Vec<_>>(),
    })
}

fn gen_unwrap_request(f: &Fixture) -> Value {
    use protocol::unwrap_request::UnwrapStatement;
    let from = T0 + 12 * 3600 + 600;
    let to = T0 + 14 * 3600;
    let signed_at = T0 + 15 * 3600;
    let now = signed_at + 60;
    let good = UnwrapStatement {
        venue_id: f.poster.venue_id(),
        from,
        to,
        signed_at,
        hours: vec![from / 3600, from / 3600 + 1],
    };
    let sig = good.sign(&f.tracer);
    let with = |g: &dyn Fn(&mut UnwrapStatement)| {
        let mut s = good.clone();
        g(&mut s);
        s
    };
    let json_of = |s: &UnwrapStatement| json!({"venue_id": h(s.venue_id.as_bytes()), "from": s.from, "to": s.to, "signed_at": s.signed_at, "hours": s.hours});
    let signed = |s: &UnwrapStatement| s.sign(&f.tracer);
    let mut negative = Vec::new();
    let mut push = |name: &str,
                    error: &str,
                    s: &UnwrapStatement,
                    cert: &Certificate,
                    sig: [u8; 64],
                    at: u64| {
        negative.push(json!({"name": name, "error": error, "statement": json_of(s), "certificate": h(cert.to_bytes()), "signature": h(&sig), "now": at}));
    };
    let extra = with(&|s| {
        s.hours.push(from / 3600 + 2);
        s.to += 3600;
    });
    push(
        "unwrap_request_window_widened_after_signing",
        "unwrap_request_bad_signature",
        &extra,
        &f.cert,
        sig,
        now,
    );
    let other = with(&|s| s.venue_id = f.poster2.venue_id());
    push(
        "unwrap_request_other_venue",
        "unwrap_request_bad_signature",
        &other,
        &f.cert,
        sig,
        now,
    );
    push(
        "unwrap_request_publish_only_certificate",
        "unwrap_request_cannot_query",
        &good,
        &f.publish_only,
        sig,
        now,
    );
    let outside = with(&|s| s.hours = vec![from / 3600 + 5]);
    push(
        "unwrap_request_hour_outside_window",
        "unwrap_request_invalid_hours",
        &outside,
        &f.cert,
        signed(&outside),
        now,
    );
    let unordered = with(&|s| s.hours = vec![from / 3600 + 1, from / 3600]);
    push(
        "unwrap_request_hours_out_of_order",
        "unwrap_request_invalid_hours",
        &unordered,
        &f.cert,
        signed(&unordered),
        now,
    );
    let none = with(&|s| s.hours = vec![]);
    push(
        "unwrap_request_no_hours",
        "unwrap_request_invalid_hours",
        &none,
        &f.cert,
        signed(&none),
        now,
    );
    push(
        "unwrap_request_signed_in_the_future",
        "unwrap_request_from_the_future",
        &good,
        &f.cert,
        sig,
        signed_at - 301,
    );
    push(
        "unwrap_request_older_than_a_week",
        "unwrap_request_stale",
        &good,
        &f.cert,
        sig,
        signed_at + 7 * 86_400 + 1,
    );
    let late = with(&|s| s.signed_at = f.cert.not_after() + 1);
    push(
        "unwrap_request_signed_after_the_certificate_expired",
        "cert_not_valid_at",
        &late,
        &f.cert,
        signed(&late),
        late.signed_at,
    );
    json!({
        "description": "A tracer's signed request to a venue to unwrap contact records (spec section 14.4), by keys.json tracer under certificate.json's first certificate, verified with keys.json authority_root at `now`. The signature is over the statement's bytes as section 14.4 lays them out. Negative requests must fail with `error`.",
        "statement": json_of(&good),
        "bytes": h(&good.to_bytes()),
        "certificate": h(f.cert.to_bytes()),
        "signature": h(&sig),
        "now": now,
        "negative": negative,
    })
}

fn base64_decode_url(t: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t)
        .unwrap()
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn generate() -> BTreeMap<&'static str, Value> {
    let f = fixture();
    let (notice, bundle) = gen_notice(&f);
    let mut m = BTreeMap::new();
    m.insert("keys.json", gen_keys(&f));
    m.insert("poster.json", gen_poster(&f));
    m.insert("derive.json", gen_derive(&f));
    m.insert("certificate.json", gen_certificate(&f));
    m.insert("matching.json", gen_matching(&f, &bundle));
    m.insert("notice.json", notice);
    m.insert("vault.json", gen_vault(&f));
    m.insert("case.json", gen_case(&f));
    m.insert("query.json", gen_query(&f));
    m.insert("trust.json", gen_trust(&f));
    m.insert("trust_legacy.json", pin::generate(&f));
    m.insert("release.json", release_gen::generate(&f));
    let bundle_now = m["notice.json"]["bundle"]["now"].as_u64().unwrap();
    let created = m["notice.json"]["bundle"]["created_at"].as_u64().unwrap();
    m.insert("batch.json", gen_batch(&bundle, created));
    m.insert("unwrap_request.json", gen_unwrap_request(&f));
    let revocation = gen_revocation(&f, &bundle, bundle_now, &m["query.json"]);
    m.insert("revocation.json", revocation);
    m.insert("files.json", files::gen_files(&f));
    m.insert("client.json", client::generate(&f));
    m
}

fn load(name: &str) -> Value {
    let path = vec_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run UPDATE_VECTORS=1 cargo test -p protocol --test vectors",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

#[test]
fn vectors_match_the_code() {
    let generated = generate();
    let update = std::env::var_os("UPDATE_VECTORS").is_some();
    for (name, value) in &generated {
        let text = serde_json::to_string_pretty(value).unwrap() + "\n";
        let path = vec_dir().join(name);
        if update {
            std::fs::write(&path, &text).unwrap();
        } else {
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                on_disk == text,
                "spec/vectors/{name} differs from what the code produces: \
                 fix the code, or change the spec on purpose and run \
                 UPDATE_VECTORS=1 cargo test -p protocol --test vectors"
            );
        }
    }
}

// ---------------------------------------------------------------- interpretation
// Everything below reads only the files (and the public API), as an implementer would.

#[test]
fn client_vectors() {
    client::check(&load("client.json"));
}

fn posters() -> Vec<Poster> {
    load("poster.json")["valid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Poster::decode(&unh(&v["encoding"])).unwrap())
        .collect()
}

/// The emergency officers of trust.json, whose keys are keys.json authority_officers.
fn emergency() -> EmergencyOfficers {
    let t = TrustAnchor::parse(load("trust.json")["text"].as_str().unwrap()).unwrap();
    let keys = load("keys.json");
    let listed: Vec<String> = keys["authority_officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["ed25519_public"].as_str().unwrap().to_owned())
        .collect();
    let pinned: Vec<String> = t.emergency.keys().iter().map(|k| h(k.as_bytes())).collect();
    assert_eq!(listed, pinned);
    t.emergency
}

fn root() -> VerifyingKey {
    VerifyingKey::from_bytes(&arr32(
        &load("keys.json")["authority_root"]["ed25519_public"],
    ))
    .unwrap()
}

#[test]
fn keys_vectors() {
    let k = load("keys.json");
    let venue = VenueSecret::from_bytes(arr32(&k["venue"]["seed"])).keys();
    assert_eq!(
        h(&venue.sealing_public().0),
        k["venue"]["x25519_public"].as_str().unwrap()
    );
    assert_eq!(
        h(venue.verifying_key().as_bytes()),
        k["venue"]["ed25519_public"].as_str().unwrap()
    );
    assert_eq!(
        h(venue.sealing_secret().to_bytes().as_ref()),
        k["venue"]["x25519_secret"].as_str().unwrap()
    );
    let auth = SealingSecretKey::from_bytes(arr32(&k["authority_sealing"]["x25519_secret"]));
    assert_eq!(
        h(&auth.public_key().0),
        k["authority_sealing"]["x25519_public"].as_str().unwrap()
    );
    let ed = hkdf32(&arr32(&k["venue"]["seed"]), protocol::domain::VENUE_ED25519);
    assert_eq!(h(&ed), k["venue"]["ed25519_secret"].as_str().unwrap());
    let root = Ed25519Secret::from_bytes(arr32(&k["authority_root"]["ed25519_secret"]));
    assert_eq!(
        h(root.verifying_key().as_bytes()),
        k["authority_root"]["ed25519_public"].as_str().unwrap()
    );
}

#[test]
fn poster_vectors() {
    let v = load("poster.json");
    for p in v["valid"].as_array().unwrap() {
        let from_bytes = Poster::decode(&unh(&p["encoding"])).unwrap();
        let from_payload = Poster::from_url_or_payload(p["payload"].as_str().unwrap()).unwrap();
        let from_url = Poster::from_url_or_payload(p["url"].as_str().unwrap()).unwrap();
        assert_eq!(from_bytes, from_payload);
        assert_eq!(from_bytes, from_url);
        assert_eq!(
            h(from_bytes.venue_id().as_bytes()),
            p["venue_id"].as_str().unwrap()
        );
        assert_eq!(from_bytes.fingerprint(), p["fingerprint"].as_str().unwrap());
        assert_eq!(from_bytes.info().name, p["name"].as_str().unwrap());
        assert_eq!(
            u64::from(from_bytes.info().default_stay_minutes),
            p["default_stay_minutes"].as_u64().unwrap()
        );
        assert_eq!(
            from_bytes.info().validity.map(|x| x.from),
            p["valid_from"].as_u64()
        );
    }
    let ps = posters();
    for c in v["validity_checks"].as_array().unwrap() {
        let r =
            ps[c["poster"].as_u64().unwrap() as usize].check_valid_at(c["now"].as_u64().unwrap());
        assert_eq!(r.err().map(|e| e.code()), c["error"].as_str(), "{c}");
    }
    for n in v["negative"].as_array().unwrap() {
        let err = Poster::decode(&unh(&n["encoding"])).expect_err(n["name"].as_str().unwrap());
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    for n in v["negative_text"].as_array().unwrap() {
        let err = Poster::from_url_or_payload(n["text"].as_str().unwrap())
            .expect_err(n["name"].as_str().unwrap());
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    for a in v["accepted_text"].as_array().unwrap() {
        let p = Poster::decode(&unh(&a["encoding"])).unwrap();
        assert_eq!(p.info().name, a["name"].as_str().unwrap());
    }
}

#[test]
fn derive_vectors() {
    let v = load("derive.json");
    let id = posters()[0].venue_id();
    assert_eq!(h(id.as_bytes()), v["venue_id"].as_str().unwrap());
    for x in v["hours"].as_array().unwrap() {
        let hr = x["hour"].as_u64().unwrap();
        assert_eq!(h(&notice_tag(&id, hr)), x["notice_tag"].as_str().unwrap());
        assert_eq!(h(&vault_tag(&id, hr)), x["vault_tag"].as_str().unwrap());
        assert_eq!(h(&vault_file_tag(&id, hr)), x["file_tag"].as_str().unwrap());
    }
    assert_eq!(
        u64::from(protocol::derive::vault_bucket(&id)),
        v["vault_bucket"].as_u64().unwrap()
    );
    for x in v["bucket_tags"].as_array().unwrap() {
        let tag = protocol::derive::bucket_tag(
            x["bucket"].as_u64().unwrap() as u16,
            x["day"].as_u64().unwrap(),
        );
        assert_eq!(h(&tag), x["tag"].as_str().unwrap());
    }
    let salt: [u8; 16] = unh(&v["notice_key"]["salt"]).try_into().unwrap();
    assert_eq!(
        h(notice_key(&id, &salt).as_ref()),
        v["notice_key"]["key"].as_str().unwrap()
    );
    for x in v["hours_covered"].as_array().unwrap() {
        let r = hours_covered(x["start"].as_u64().unwrap(), x["end"].as_u64().unwrap());
        assert_eq!(*r.start(), x["first_hour"].as_u64().unwrap());
        assert_eq!(*r.end(), x["last_hour"].as_u64().unwrap());
    }
}

#[test]
fn certificate_vectors() {
    let v = load("certificate.json");
    let root = root();
    for c in v["valid"].as_array().unwrap() {
        let cert = Certificate::decode(&unh(&c["encoding"])).unwrap();
        cert.verify(&root).unwrap();
        assert_eq!(cert.name(), c["name"].as_str().unwrap());
        assert_eq!(
            h(cert.tracer_key().as_bytes()),
            c["tracer_public"].as_str().unwrap()
        );
        assert_eq!(cert.not_after(), c["not_after"].as_u64().unwrap());
        assert_eq!(cert.roles().to_byte() as u64, c["roles"].as_u64().unwrap());
        if let Some(fp) = c.get("tracer_fingerprint") {
            assert_eq!(cert.tracer_fingerprint(), fp.as_str().unwrap());
        }
    }
    for n in v["negative"].as_array().unwrap() {
        let err = Certificate::decode(&unh(&n["encoding"]))
            .and_then(|c| c.verify(&root))
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

#[test]
fn notice_vectors() {
    let v = load("notice.json");
    let ps = posters();
    let digest = cert_digest(
        &Certificate::decode(&unh(&load("certificate.json")["valid"][0]["encoding"])).unwrap(),
    );
    let emergency = emergency();
    let open = |n: &Value, salt: &[u8; 16], hour: u64| {
        let poster = &ps[n["poster"].as_u64().unwrap() as usize];
        assert_eq!(
            h(poster.venue_id().as_bytes()),
            n["venue_id"].as_str().unwrap()
        );
        open_approved_notice(
            &poster.venue_id(),
            poster.verifying_key(),
            salt,
            n["index"].as_u64().unwrap() as u16,
            &unh(&n["sealed"]),
            hour,
            digest,
            &emergency,
        )
    };
    let salt: [u8; 16] = unh(&v["salt"]).try_into().unwrap();
    let mut notices = Vec::new();
    let mut tags = Vec::new();
    for n in v["notices"].as_array().unwrap() {
        let id = VenueId(arr32(&n["venue_id"]));
        let index = n["index"].as_u64().unwrap() as u16;
        let sealed = unh(&n["sealed"]);
        assert_eq!(sealed.len() as u64, v["notice_len"].as_u64().unwrap());
        for e in n["entries"].as_array().unwrap() {
            let hr = e["hour"].as_u64().unwrap();
            assert_eq!(h(&notice_tag(&id, hr)), e["tag"].as_str().unwrap());
            tags.push(e["tag"].as_str().unwrap().to_owned());
            let p = open_notice(&id, &salt, index, &sealed, hr).unwrap();
            assert_eq!(payload_json(&p), n["payload"]);
            let approval = match open(n, &salt, hr) {
                Ok(_) => "valid",
                Err(err) => err.code(),
            };
            assert_eq!(approval, n["approval"].as_str().unwrap(), "{}", n["note"]);
            notices.push(VenueNotice {
                venue_id: id,
                payload: p,
            });
        }
    }
    notices.dedup_by(|a, b| a.venue_id == b.venue_id && a.payload == b.payload);
    let sealed = seal_notices_with_salt(salt, &notices).unwrap();
    for (n, s) in v["notices"].as_array().unwrap().iter().zip(&sealed.notices) {
        assert_eq!(
            h(s),
            n["sealed"].as_str().unwrap(),
            "sealing is deterministic"
        );
    }
    tags.sort();
    let b = &v["bundle"];
    let verified = BundleVerifier::new(root())
        .verify(&unh(&b["encoding"]), b["now"].as_u64().unwrap())
        .unwrap();
    assert_eq!(h(&verified.id()), b["id"].as_str().unwrap());
    assert_eq!(h(verified.salt()), v["salt"].as_str().unwrap());
    let entries: Vec<String> = verified.entries().map(|e| h(e)).collect();
    assert_eq!(entries, tags);
    assert_eq!(b["entries"].as_array().unwrap().len(), tags.len());
    assert_eq!(
        verified.notices().len(),
        v["notices"].as_array().unwrap().len()
    );
    for n in v["negative_bundles"].as_array().unwrap() {
        let err = BundleVerifier::new(root())
            .verify(&unh(&n["bundle"]), n["now"].as_u64().unwrap())
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    for n in v["negative_notices"].as_array().unwrap() {
        let salt: [u8; 16] = unh(&n["salt"]).try_into().unwrap();
        let err = open(n, &salt, n["hour"].as_u64().unwrap()).expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

#[test]
fn matching_vectors() {
    let v = load("matching.json");
    let n = load("notice.json");
    let ps = posters();
    let bundle = BundleVerifier::new(root())
        .verify(
            &unh(&n["bundle"]["encoding"]),
            n["bundle"]["now"].as_u64().unwrap(),
        )
        .unwrap();
    let cases = v["visits"].as_array().unwrap();
    let visits: Vec<Visit> = cases
        .iter()
        .map(|c| {
            Visit::new(
                &ps[c["poster"].as_u64().unwrap() as usize],
                c["arrival"].as_u64().unwrap(),
                c["departure"].as_u64().unwrap(),
            )
            .unwrap()
        })
        .collect();
    let m = Matcher::new(&visits, v["threshold_secs"].as_u64().unwrap(), emergency()).unwrap();
    let mut stats = ScanStats::default();
    let alerts = m.scan(&bundle, &mut stats);
    assert_eq!(stats.unapproved as u64, v["unapproved"].as_u64().unwrap());
    for (i, c) in cases.iter().enumerate() {
        let got = alerts.iter().find(|a| a.visit == i);
        assert_eq!(
            got.is_some(),
            c["alert"].as_bool().unwrap(),
            "{}",
            c["note"]
        );
        assert_eq!(
            got.map(|a| a.overlap_secs),
            c["overlap_secs"].as_u64(),
            "{}",
            c["note"]
        );
        assert_eq!(
            got.map(|a| a.approver.name()),
            c["approver"].as_str(),
            "{}",
            c["note"]
        );
    }
}

#[test]
fn vault_vectors() {
    let v = load("vault.json");
    let k = load("keys.json");
    let venue = VenueSecret::from_bytes(arr32(&k["venue"]["seed"])).keys();
    let venue2 = fixture().venue2.keys();
    let authority = SealingSecretKey::from_bytes(arr32(&k["authority_sealing"]["x25519_secret"]));
    let id = posters()[0].venue_id();
    let allowed = [vault_tag(&id, v["hour"].as_u64().unwrap())];
    assert_eq!(
        h(&unh(&v["record"])[..16]),
        v["file_tag"].as_str().unwrap(),
        "a record starts with its file tag"
    );
    let inner = strip_outer(&venue, &allowed, &unh(&v["record"])).unwrap();
    assert_eq!(h(&inner), v["inner_record"].as_str().unwrap());
    let later = &v["sent_later"];
    let day = later["day"].as_u64().unwrap();
    assert_eq!(
        h(&protocol::derive::bucket_tag(
            protocol::derive::vault_bucket(&id),
            day
        )),
        later["file_tag"].as_str().unwrap()
    );
    assert_eq!(
        h(&unh(&later["record"])[..16]),
        later["file_tag"].as_str().unwrap(),
        "a record sent later is filed under the day it was sent"
    );
    let inner_later = strip_outer(&venue, &allowed, &unh(&later["record"])).unwrap();
    assert_eq!(h(&inner_later), v["inner_record"].as_str().unwrap());
    let contact = open_inner(&authority, &inner).unwrap();
    assert_eq!(contact_json(&contact), v["contact"]);
    let alone = open_inner(&authority, &unh(&v["inner_record_name_alone"])).unwrap();
    assert_eq!(
        contact_json(&alone),
        v["contact_name_alone"],
        "an opener accepts a record sealed with a name alone"
    );
    let trust = TrustAnchor::parse(load("trust.json")["text"].as_str().unwrap()).unwrap();
    for n in v["negative"].as_array().unwrap() {
        if n["step"] == "seal" {
            let c = &n["contact"];
            let contact = ContactRecord {
                name: c["name"].as_str().unwrap().into(),
                phone: c["phone"].as_str().unwrap().into(),
                email: c["email"].as_str().unwrap().into(),
                party_size: c["party_size"].as_u64().unwrap() as u8,
                arrival: c["arrival"].as_u64().unwrap(),
                departure: c["departure"].as_u64().unwrap(),
            };
            let err = protocol::vault::seal_visit(&mut rng(1), &posters()[0], &trust, &contact)
                .expect_err("negative");
            assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
            continue;
        }
        let rec = unh(&n["record"]);
        let err = match n["step"].as_str().unwrap() {
            "strip" => strip_outer(&venue, &allowed, &rec).map(|_| ()),
            "strip_with_venue2" => strip_outer(&venue2, &allowed, &rec).map(|_| ()),
            "open_with_venue_key" => open_inner(venue.sealing_secret(), &rec).map(|_| ()),
            "open" => open_inner(&authority, &rec).map(|_| ()),
            other => panic!("unknown step {other}"),
        }
        .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

#[test]
fn case_vectors() {
    let v = load("case.json");
    let k = load("keys.json");
    let authority = SealingSecretKey::from_bytes(arr32(&k["authority_case"]["x25519_secret"]));
    let ps = posters();
    let diary = CaseDiary::open(&authority, &unh(&v["file"])).unwrap();
    assert_eq!(diary.created_at, v["created_at"].as_u64().unwrap());
    let want = v["visits"].as_array().unwrap();
    assert_eq!(diary.visits.len(), want.len());
    for (got, w) in diary.visits.iter().zip(want) {
        assert_eq!(got.poster, ps[w["poster"].as_u64().unwrap() as usize]);
        assert_eq!(got.arrival, w["arrival"].as_u64().unwrap());
        assert_eq!(got.departure, w["departure"].as_u64().unwrap());
    }
    for n in v["negative"].as_array().unwrap() {
        let err = CaseDiary::open(&authority, &unh(&n["file"])).expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

#[test]
fn case_hand_over_vectors() {
    let v = load("case.json");
    let ho = &v["hand_over"];
    let file = unh(&v["file"]);
    let code = CaseCode::parse(ho["code"].as_str().unwrap()).unwrap();
    assert_eq!(
        code,
        CaseCode::parse(ho["typed"].as_str().unwrap()).unwrap()
    );
    assert_eq!(code.to_string(), ho["code"].as_str().unwrap());
    assert_eq!(
        code.canonical(),
        ho["canonical"].as_str().unwrap().as_bytes()
    );
    assert_eq!(code.id().to_vec(), unh(&ho["id"]));
    assert_eq!(code.key().to_vec(), unh(&ho["key"]));
    assert_eq!(code.tag(&file).to_vec(), unh(&ho["tag"]));
    code.verify(&file, &unh(&ho["tag"])).unwrap();
    for n in ho["negative"].as_array().unwrap() {
        let err = CaseCode::parse(n["code"].as_str().unwrap())
            .and_then(|c| c.verify(&unh(&n["file"]), &unh(&n["tag"])))
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

/// A server checks a case file's shape without the key (spec section 16b); the authority
/// opens it (section 16). Both name a refusal alike: every file the shape check refuses is
/// refused by opening under the same name, and every file it lets through fails, if at all,
/// only at opening or later.
#[test]
fn the_shape_check_and_opening_name_every_short_or_odd_case_file_alike() {
    let v = load("case.json");
    let k = load("keys.json");
    let authority = SealingSecretKey::from_bytes(arr32(&k["authority_case"]["x25519_secret"]));
    let only_by_length = ["case_truncated", "case_unsupported_version"];
    let mut refused_by_shape = 0;
    for n in v["negative"].as_array().unwrap() {
        let file = unh(&n["file"]);
        let opened = CaseDiary::open(&authority, &file).expect_err("negative");
        match CaseDiary::check_shape(&file) {
            Err(e) => {
                refused_by_shape += 1;
                assert_eq!(e, opened, "{}", n["name"]);
            }
            Ok(()) => assert!(!only_by_length.contains(&opened.code()), "{}", n["name"]),
        }
    }
    assert!(refused_by_shape >= 3);
    // Every length from empty to two blocks: the shape check and opening agree wherever the
    // shape check refuses.
    for len in 0..=protocol::case::MIN_CASE_LEN + 1024 + 64 {
        let mut file = vec![2u8; len];
        if let Some(b) = file.get_mut(1) {
            *b = 0;
        }
        if let Err(e) = CaseDiary::check_shape(&file) {
            assert_eq!(CaseDiary::open(&authority, &file), Err(e), "{len} bytes");
        }
    }
}

#[test]
fn query_vectors() {
    let v = load("query.json");
    let q = verify_query(&root(), &unh(&v["query"]), v["now"].as_u64().unwrap()).unwrap();
    assert_eq!(q.timestamp, v["timestamp"].as_u64().unwrap());
    let tags: Vec<String> = q.tags.iter().map(|t| h(t)).collect();
    let want: Vec<String> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tags, want);
    let id = posters()[0].venue_id();
    let file_tags: Vec<String> = v["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::encode(vault_file_tag(&id, h.as_u64().unwrap())))
        .collect();
    assert_eq!(file_tags, want);
    for n in v["negative"].as_array().unwrap() {
        let err = verify_query(&root(), &unh(&n["query"]), n["now"].as_u64().unwrap())
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

#[test]
fn trust_vectors() {
    let v = load("trust.json");
    let t = TrustAnchor::parse(v["text"].as_str().unwrap()).unwrap();
    assert_eq!(t.authority, v["authority"].as_str().unwrap());
    assert_eq!(h(t.root.as_bytes()), v["root"].as_str().unwrap());
    assert_eq!(sealing_json(&t), v["sealing"]);
    assert_eq!(h(&t.case.0), v["case"].as_str().unwrap());
    assert_eq!(
        t.release.map(|k| h(k.as_bytes())).as_deref(),
        v["release"].as_str()
    );
    let officers: Vec<Value> = t
        .emergency
        .keys()
        .iter()
        .map(|k| json!(h(k.as_bytes())))
        .collect();
    assert_eq!(Value::from(officers), v["emergency"]);
    assert_eq!(
        t.emergency.threshold() as u64,
        v["emergency_threshold"].as_u64().unwrap()
    );
    assert_eq!(t.serial, v["serial"].as_u64().unwrap());
    assert_eq!(
        t.sign(&Ed25519Secret::from_bytes(seed(3))),
        v["text"].as_str().unwrap()
    );
    for n in v["negative"].as_array().unwrap() {
        let err = TrustAnchor::parse(n["text"].as_str().unwrap()).expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    for a in v["accepted"].as_array().unwrap() {
        let other = TrustAnchor::parse(a["text"].as_str().unwrap()).unwrap();
        assert_eq!(other, t, "{}", a["name"]);
    }
    for r in v["replacing"].as_array().unwrap() {
        let offered = TrustAnchor::parse(r["text"].as_str().unwrap()).unwrap();
        let got = offered.check_replaces(&t).err().map(|e| e.code());
        assert_eq!(got, r["error"].as_str(), "{}", r["name"]);
    }
}

#[test]
fn release_vectors() {
    release_gen::check(
        &load("release.json"),
        load("trust.json")["text"].as_str().unwrap(),
    );
}

#[test]
fn trust_legacy_vectors() {
    pin::check(&load("trust_legacy.json"));
}

#[test]
fn batch_vectors() {
    use protocol::batch::decode_batch;
    let v = load("batch.json");
    let hour = v["hour"].as_u64().unwrap();
    let batch = unh(&v["batch"]);
    let got: Vec<String> = decode_batch(&batch, hour)
        .unwrap()
        .iter()
        .map(|b| h(b))
        .collect();
    assert_eq!(serde_json::to_value(&got).unwrap(), v["bundles"]);
    let empty = unh(&v["empty"]["batch"]);
    assert!(
        decode_batch(&empty, v["empty"]["hour"].as_u64().unwrap())
            .unwrap()
            .is_empty()
    );
    for n in v["negative"].as_array().unwrap() {
        let err =
            decode_batch(&unh(&n["batch"]), n["asked"].as_u64().unwrap()).expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    let day = v["day"]["day"].as_u64().unwrap();
    let file = unh(&v["day"]["file"]);
    let hours = protocol::batch::decode_day(&file, day).unwrap();
    let want: Vec<Value> = v["day"]["hour_batches"].as_array().unwrap().clone();
    assert_eq!(hours.len(), want.len());
    for (i, (x, b)) in hours.iter().enumerate() {
        assert_eq!(*x, day * 24 + i as u64);
        assert_eq!(Value::from(h(b)), want[i]);
        let bundles = decode_batch(b, *x).unwrap();
        assert_eq!(bundles.len(), usize::from(*x == hour));
    }
    for n in v["day_negative"].as_array().unwrap() {
        let err = protocol::batch::decode_day(&unh(&n["file"]), n["asked"].as_u64().unwrap())
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    for n in v["day_hour_negative"].as_array().unwrap() {
        let file = unh(&n["file"]);
        let hours = protocol::batch::decode_day(&file, n["day"].as_u64().unwrap()).unwrap();
        let index = n["index"].as_u64().unwrap() as usize;
        for (i, (x, b)) in hours.iter().enumerate() {
            match decode_batch(b, *x) {
                Err(e) if i == index => {
                    assert_eq!(e.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
                }
                Ok(_) if i != index => {}
                other => panic!("{}: hour {i}: {other:?}", n["name"]),
            }
        }
    }
}

#[test]
fn unwrap_request_vectors() {
    use protocol::unwrap_request::UnwrapStatement;
    let v = load("unwrap_request.json");
    let statement = |j: &Value| UnwrapStatement {
        venue_id: VenueId(arr32(&j["venue_id"])),
        from: j["from"].as_u64().unwrap(),
        to: j["to"].as_u64().unwrap(),
        signed_at: j["signed_at"].as_u64().unwrap(),
        hours: j["hours"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect(),
    };
    let good = statement(&v["statement"]);
    assert_eq!(h(&good.to_bytes()), v["bytes"].as_str().unwrap());
    let cert = Certificate::decode(&unh(&v["certificate"])).unwrap();
    let sig: [u8; 64] = unh(&v["signature"]).try_into().unwrap();
    good.verify(&root(), &cert, &sig, v["now"].as_u64().unwrap())
        .unwrap();
    for n in v["negative"].as_array().unwrap() {
        let cert = Certificate::decode(&unh(&n["certificate"])).unwrap();
        let sig: [u8; 64] = unh(&n["signature"]).try_into().unwrap();
        let err = statement(&n["statement"])
            .verify(&root(), &cert, &sig, n["now"].as_u64().unwrap())
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

#[test]
fn revocation_vectors() {
    use protocol::revocation::{Replacement, RevocationList};
    let v = load("revocation.json");
    let root = root();
    let now = v["now"].as_u64().unwrap();
    let list = RevocationList::verify(&root, &unh(&v["list"]["encoding"]), now).unwrap();
    assert_eq!(list.issued_at(), v["list"]["issued_at"].as_u64().unwrap());
    let keys: Vec<String> = list.keys().iter().map(|k| h(k)).collect();
    assert_eq!(serde_json::to_value(&keys).unwrap(), v["list"]["keys"]);
    let empty = RevocationList::verify(&root, &unh(&v["empty_list"]["encoding"]), now).unwrap();
    assert!(empty.keys().is_empty());
    let rb = &v["revoked_bundle"];
    let mut verifier = BundleVerifier::new(root);
    let bundle = unh(&rb["bundle"]);
    let at = rb["now"].as_u64().unwrap();
    verifier
        .verify(&bundle, at)
        .expect("valid without the list");
    verifier.set_revocations(list.clone());
    assert_eq!(
        verifier.verify(&bundle, at).unwrap_err().code(),
        rb["error"].as_str().unwrap()
    );
    let rq = &v["revoked_query"];
    let q = verify_query(&root, &unh(&rq["query"]), rq["now"].as_u64().unwrap()).unwrap();
    q.check_not_revoked(None).expect("valid without the list");
    assert_eq!(
        q.check_not_revoked(Some(&list)).unwrap_err().code(),
        rq["error"].as_str().unwrap()
    );
    for r in v["replacement"].as_array().unwrap() {
        let held = (!r["held"].is_null())
            .then(|| RevocationList::verify(&root, &unh(&r["held"]), now).unwrap());
        let offered = RevocationList::verify(&root, &unh(&r["offered"]), now).unwrap();
        let got = match offered.replaces(held.as_ref()) {
            Ok(Replacement::Newer) => "newer",
            Ok(Replacement::Same) => "same",
            Err(e) => e.code(),
        };
        assert_eq!(got, r["result"].as_str().unwrap());
    }
    for n in v["negative"].as_array().unwrap() {
        let err = RevocationList::verify(&root, &unh(&n["encoding"]), n["now"].as_u64().unwrap())
            .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

/// The sizes and limits that spec/protocol.md states in prose, pinned to the code's constants.
#[test]
fn limits_match_the_spec() {
    use protocol::{cert, notice, poster, query, revocation, vault};
    assert_eq!(revocation::MAX_REVOKED_KEYS, 4096);
    assert_eq!(protocol::case::MAX_CASE_LEN, 802_865);
    assert_eq!(protocol::case::MIN_CASE_LEN, 16_433);
    assert_eq!(protocol::case::CASE_SIZES, [16_384, 131_072, 802_816]);
    assert_eq!(protocol::case::CASE_CODE_LEN, 16);
    assert_eq!(protocol::unwrap_request::MAX_REQUEST_RECORDS, 100_000);
    // The shortest case file: no visits, the smallest size.
    let empty = CaseDiary {
        created_at: T0,
        visits: vec![],
    };
    let sealing = SealingSecretKey::from_bytes(seed(5)).public_key();
    let file = empty.seal(&mut rng(99), &sealing).unwrap();
    assert_eq!(file.len(), 16_433);
    assert_eq!(
        CaseDiary::open(&SealingSecretKey::from_bytes(seed(5)), &file).unwrap(),
        empty
    );
    assert_eq!(protocol::batch::MAX_BATCH_BUNDLES, 65_536);
    assert_eq!(protocol::batch::CLOSE_GRACE_SECS, 120);
    assert_eq!(poster::MAX_POSTER_LEN, 383);
    assert_eq!(cert::MAX_CERT_LEN, 179);
    assert_eq!(notice::MIN_NOTICE_LEN, 112);
    assert_eq!(notice::MAX_NOTICE_LEN, 528);
    assert_eq!(notice::MAX_APPROVAL_LEN, 326);
    assert_eq!(notice::MAX_BUNDLE_NOTICES, 256);
    assert_eq!(notice::ENTRY_LEN, 16);
    assert_eq!(notice::notice_len_for(64, 0), 112);
    assert_eq!(notice::notice_len_for(64, 13), 112);
    assert_eq!(notice::notice_len_for(64, 14), 128);
    assert_eq!(notice::notice_len_for(64, 160), 272);
    assert_eq!(notice::notice_len_for(131, 0), 176);
    assert_eq!(notice::notice_len_for(326, 160), 528);
    assert_eq!(notice::MAX_BUNDLE_LEN, 200_982);
    assert_eq!(notice::MAX_BUNDLE_ENTRIES, 4096);
    assert_eq!(notice::MAX_WINDOW_SECS, 1_209_600);
    assert_eq!(notice::MAX_FUTURE_SKEW_SECS, 300);
    assert_eq!(vault::CONTACT_LEN, 256);
    assert_eq!(vault::INNER_RECORD_LEN, 320);
    assert_eq!(vault::RECORD_LEN, 384);
    assert_eq!(query::MAX_QUERY_TAGS, 1024);
    assert_eq!(query::MAX_QUERY_SKEW_SECS, 300);
    assert_eq!(protocol::case::MAX_CASE_VISITS, 2000);
    assert_eq!(protocol::matching::DEFAULT_THRESHOLD_SECS, 900);
}

//! Every file of `spec/vectors/files.json` read through the functions the programs read such
//! files with: each valid file is accepted, and each negative one refused with exactly the
//! error the vector names.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

use common::Error;
use protocol::{Certificate, Poster, RevocationList, TrustAnchor, VerifyingKey};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn unhex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Context {
    now: u64,
    trust: TrustAnchor,
    venue: Poster,
    own_cert: Certificate,
    revoked: RevocationList,
    vault_request: String,
}

fn context(v: &Value) -> Context {
    let now = v["now"].as_u64().unwrap();
    let trust = TrustAnchor::parse(load("trust.json")["text"].as_str().unwrap()).unwrap();
    let venue = Poster::decode(&unhex(&load("poster.json")["valid"][0]["encoding"])).unwrap();
    let own_cert =
        Certificate::decode(&unhex(&load("certificate.json")["valid"][0]["encoding"])).unwrap();
    let revoked = RevocationList::verify(
        &trust.root,
        &unhex(&load("revocation.json")["list"]["encoding"]),
        now,
    )
    .unwrap();
    Context {
        now,
        trust,
        venue,
        own_cert,
        revoked,
        vault_request: v["vault_request"].as_str().unwrap().to_owned(),
    }
}

/// Reads `text` as a file of `kind`, as the program that receives such a file does.
fn read(c: &Context, kind: &str, text: &str) -> Result<(), Error> {
    let path = Path::new(kind);
    let bytes = text.as_bytes();
    let request = || {
        let r = common::exchange::read_json(
            path,
            bytes,
            api::files::APPROVAL_REQUEST_FORMAT,
            "an approval request",
        )?;
        common::approval::check(path, r, &c.trust, c.now)
    };
    let approval = || {
        let a =
            common::exchange::read_json(path, bytes, api::files::APPROVAL_FORMAT, "an approval")?;
        common::approval::check_approval(path, a, &c.trust, c.now)
    };
    let vault_request =
        || common::exchange::check_vault_request(path, bytes, &c.venue, &c.trust, c.now);
    match kind {
        "approval_request" => request().map(drop),
        "approval_request_for_venue" => {
            common::approval::check_own_venue(path, &request()?, &c.venue)
        }
        "approval_request_revoked" => common::revocation::refuse_revoked(
            &c.revoked,
            &request()?.cert,
            path,
            protocol::ApprovalError::CertificateRevoked.code(),
        ),
        "approval" => approval().map(drop),
        "approval_for_tracer" => {
            common::approval::check_own_certificate(path, &approval()?.0, &c.own_cert)
        }
        "vault_request" => vault_request().map(drop),
        "vault_request_revoked" => common::revocation::refuse_revoked(
            &c.revoked,
            &vault_request()?.certificate,
            path,
            protocol::UnwrapRequestError::CertificateRevoked.code(),
        ),
        "vault_response" => common::exchange::check_vault_response(
            Path::new("vault_request"),
            c.vault_request.as_bytes(),
            path,
            bytes,
        )
        .map(drop),
        "tracer_pub" => {
            common::keyfile::ed25519_public(path, bytes, "checkin-tracer-pub v1", "public")
                .map(|_: VerifyingKey| ())
        }
        "tracer_cert" => {
            let b = common::keyfile::parse(path, bytes, "checkin-tracer-cert v1", "cert")?;
            Certificate::decode(&b)
                .map(drop)
                .map_err(|e| Error::refused(path, e.code(), &e))
        }
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn every_valid_file_is_accepted_as_its_own_kind() {
    let v = load("files.json");
    let c = context(&v);
    for kind in [
        "approval_request",
        "approval_request_for_venue",
        "approval",
        "approval_for_tracer",
        "vault_request",
        "vault_response",
        "tracer_pub",
        "tracer_cert",
    ] {
        let field = kind
            .trim_end_matches("_for_venue")
            .trim_end_matches("_for_tracer");
        let text = v[field].as_str().unwrap();
        read(&c, kind, text).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
    // Two emergency officers together approve in place of the venue.
    let text = v["approval_by_authority"].as_str().unwrap();
    read(&c, "approval", text).unwrap_or_else(|e| panic!("approval_by_authority: {e}"));
}

#[test]
fn every_negative_file_is_refused_with_its_named_error() {
    let v = load("files.json");
    let c = context(&v);
    let negatives = v["negative"].as_array().unwrap();
    assert!(negatives.len() > 40);
    for n in negatives {
        let name = n["name"].as_str().unwrap();
        let err =
            read(&c, n["kind"].as_str().unwrap(), n["text"].as_str().unwrap()).expect_err(name);
        assert_eq!(err.code(), n["error"].as_str(), "{name}: {err}");
    }
}

#[test]
fn a_file_of_another_kind_says_what_it_is_and_what_was_expected() {
    let v = load("files.json");
    let c = context(&v);
    let err = read(&c, "approval_request", v["vault_request"].as_str().unwrap()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("it is a vault request, not an approval request"),
        "{text}"
    );
}

//! The notify-server's request bodies, through the same functions its handlers call:
//! JSON parsing, base64, and the checks on bundles, vault records and queries. Every
//! refusal must be a 4xx: a 5xx would blame the server for the client's input.
//!
//! First byte mod 4 picks the endpoint (`POST /v1/bundles`, `/v1/vault`, `/v1/vault/query`,
//! `/v1/revocations`); the rest is the body.
#![no_main]

use checkin_fuzz::{NOW, world};
use libfuzzer_sys::fuzz_target;
use notify_server::api::{
    ApiError, PostBundle, PostQuery, PostRecord, Revocations, check_bundle, check_query,
    check_revocations, check_vault_record, parse_body,
};
use protocol::BundleVerifier;

fn client_error<T>(r: Result<T, ApiError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            let s = e.status().code;
            assert!((400..500).contains(&s), "{} answered {s}", e.code());
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    // Rocket refuses a body that is not UTF-8 before any handler runs (400).
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let w = world();
    match mode % 4 {
        0 => {
            if let Some(body) = client_error(parse_body::<PostBundle>(text)) {
                let mut verifier = BundleVerifier::new(w.root.verifying_key());
                if let Some((bytes, bundle)) =
                    client_error(check_bundle(&body, &mut verifier, NOW, (600, 60)))
                {
                    assert_eq!(bundle.to_bytes(), &bytes[..]);
                }
            }
        }
        1 => {
            if let Some(body) = client_error(parse_body::<PostRecord>(text)) {
                if let Some((tag, record)) = client_error(check_vault_record(&body)) {
                    assert_eq!(record.len(), protocol::vault::RECORD_LEN);
                    assert_eq!(&record[..tag.len()], &tag[..]);
                }
            }
        }
        2 => {
            if let Some(body) = client_error(parse_body::<PostQuery>(text)) {
                let _ = client_error(check_query(&body, &w.root.verifying_key(), NOW));
            }
        }
        _ => {
            if let Some(body) = client_error(parse_body::<Revocations>(text)) {
                if let Some(list) =
                    client_error(check_revocations(&body, &w.root.verifying_key(), NOW))
                {
                    // A list that passed once replaces nothing but itself.
                    assert_eq!(
                        list.replaces(Some(&list)),
                        Ok(protocol::revocation::Replacement::Same)
                    );
                }
            }
        }
    }
});

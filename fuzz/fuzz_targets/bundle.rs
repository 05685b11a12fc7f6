//! Bundle decoding, verification and matching.
//!
//! First byte mod 3:
//! - 0: the rest is a bundle, verified as received (certificate chain, signature);
//! - 1: the rest is a bundle body, signed here with the fixed tracer's key so that the
//!   decoder's later checks and the matcher are reached;
//! - 2: the rest is a notice payload, the plaintext of a sealed notice.
#![no_main]

use checkin_fuzz::{NOW, world};
use libfuzzer_sys::fuzz_target;
use protocol::fuzzing::{encode_notice_payload, notice_payload, sign_bundle_body};
use protocol::{BundleVerifier, Matcher, ScanStats, Visit};

fn check(bytes: Vec<u8>) {
    let w = world();
    let mut verifier = BundleVerifier::new(w.root.verifying_key());
    let Ok(bundle) = verifier.verify_owned(bytes, NOW) else {
        return;
    };
    assert!(!bundle.is_empty());
    assert_eq!(bundle.entries().len(), bundle.len());
    // A diary with one long visit to the fixed venue around every hour the seeds use.
    let visit = Visit::new(&w.poster, NOW - 12 * 3600, NOW).expect("valid visit");
    let matcher = Matcher::new(&[visit], 60, w.emergency()).expect("valid diary");
    let mut stats = ScanStats::default();
    for alert in matcher.scan(&bundle, &mut stats) {
        assert!(alert.overlap_secs >= 60);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => check(rest.to_vec()),
        1 => check(sign_bundle_body(&world().tracer, rest)),
        _ => {
            if let Ok(p) = notice_payload(rest) {
                assert_eq!(
                    encode_notice_payload(&p, rest.len()),
                    rest,
                    "decoding is canonical"
                );
            }
        }
    }
});

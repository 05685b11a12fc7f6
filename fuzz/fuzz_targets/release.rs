//! A web app release (spec section 16d): its signature file and `SHA256SUMS` under a trust
//! file that names a release key. A fuzzed signature file never panics the verifier; fuzzed
//! sums, signed by the release key, either verify or fail only as malformed sums, and when they
//! verify they list valid, sorted, distinct names and write back to the very bytes signed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::release::{self, MAX_FILES};
use protocol::{Ed25519Secret, Release};

fuzz_target!(|data: &[u8]| {
    // The signature file, a 0x00 byte, then SHA256SUMS.
    let Some(at) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (signature, sums) = (&data[..at], &data[at + 1..]);
    let key = Ed25519Secret::from_bytes(checkin_fuzz::RELEASE_SEED);
    let trust = checkin_fuzz::release_trust();
    let _ = Release::verify(&trust, sums, signature);
    let signed = release::sign(sums, &key);
    match Release::verify(&trust, sums, signed.as_bytes()) {
        Ok(r) => {
            assert!(!r.files().is_empty() && r.files().len() <= MAX_FILES);
            assert!(r.files().windows(2).all(|w| w[0].name < w[1].name));
            let back: String = r
                .files()
                .iter()
                .map(|f| {
                    let hex: String = f.sha256.iter().map(|b| format!("{b:02x}")).collect();
                    format!("{hex}  {}\n", f.name)
                })
                .collect();
            assert_eq!(back.as_bytes(), sums);
        }
        Err(e) => assert_eq!(e.code(), "release_malformed_sums"),
    }
});

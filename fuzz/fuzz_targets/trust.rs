//! The trust file parser (`checkin-trust v1`): whatever parses carries a signature that
//! verified, so its body alone is unsigned, and it may replace itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::TrustAnchor;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(anchor) = TrustAnchor::parse(text) {
        let unsigned = TrustAnchor::parse(&anchor.body_text()).expect_err("a body is unsigned");
        assert_eq!(unsigned.code(), "trust_unsigned");
        anchor
            .check_replaces(&anchor)
            .expect("a file replaces itself");
    }
});

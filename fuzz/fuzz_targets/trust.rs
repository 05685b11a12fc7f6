//! The trust file parser (`checkin-trust v1`): whatever parses must print and parse back
//! to the same anchor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::TrustAnchor;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(anchor) = TrustAnchor::parse(text) {
        let again = TrustAnchor::parse(&anchor.to_text()).expect("printed anchors parse");
        assert_eq!(again, anchor);
    }
});

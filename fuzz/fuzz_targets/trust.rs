//! The trust file parser (`checkin-trust v1`): whatever parses carries a signature that
//! verified, so its body alone is unsigned, and it may replace itself; read as a pin, it is
//! that file and never a legacy pin of its root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{Pin, TrustAnchor};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pin = Pin::read(text);
    if let Ok(anchor) = TrustAnchor::parse(text) {
        assert!(matches!(&pin, Ok(Pin::File(p)) if **p == anchor));
        let unsigned = TrustAnchor::parse(&anchor.body_text()).expect_err("a body is unsigned");
        assert_eq!(unsigned.code(), "trust_unsigned");
        anchor
            .check_replaces(&anchor)
            .expect("a file replaces itself");
    } else if let Ok(legacy) = &pin {
        // Only an unsigned file is read as a legacy pin; it trusts nothing but a root.
        assert!(matches!(legacy, Pin::LegacyRoot(_)));
    }
});

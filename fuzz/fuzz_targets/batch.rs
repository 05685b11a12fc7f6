//! Hour batches (spec section 12.3): whatever decodes for the hour it names encodes back to
//! the same bytes, and decoding for any other hour fails.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::batch::{decode_batch, encode_batch};

fuzz_target!(|data: &[u8]| {
    let Some(hour) = data
        .get(1..9)
        .map(|h| u64::from_be_bytes(h.try_into().expect("8 bytes")))
    else {
        return;
    };
    if let Ok(bundles) = decode_batch(data, hour) {
        let again = encode_batch(hour, bundles.iter().copied()).expect("a decoded batch encodes");
        assert_eq!(again, data);
        assert!(decode_batch(data, hour.wrapping_add(1)).is_err());
    }
});

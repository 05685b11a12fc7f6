//! Vault query decoding and verification, as the server does it.
//!
//! First byte even: the rest is a query as received. Odd: the rest is a query body, signed
//! here with the fixed tracer's key so that the checks after the signature are reached.
#![no_main]

use checkin_fuzz::{NOW, world};
use libfuzzer_sys::fuzz_target;
use protocol::fuzzing::sign_query_body;
use protocol::query::{MAX_QUERY_TAGS, verify_query};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        sign_query_body(&w.tracer, rest)
    };
    if let Ok(q) = verify_query(&w.root.verifying_key(), &bytes, NOW) {
        assert!(!q.tags.is_empty() && q.tags.len() <= MAX_QUERY_TAGS);
        assert!(q.timestamp.abs_diff(NOW) <= protocol::query::MAX_QUERY_SKEW_SECS);
    }
});

//! Case file decoding: the sealed file a citizen hands to a tracer, and the diary inside it.
//!
//! First byte even: the rest is a case file, opened with the fixed authority key.
//! Odd: the rest is the diary plaintext; whatever decodes must re-encode to the same bytes.
#![no_main]

use checkin_fuzz::world;
use libfuzzer_sys::fuzz_target;
use protocol::CaseDiary;
use protocol::fuzzing::{case_plaintext, encode_case};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let _ = CaseDiary::open(&world().authority, rest);
    } else if let Ok(diary) = case_plaintext(rest) {
        let again = encode_case(&diary).expect("a decoded diary encodes");
        assert_eq!(again, rest, "decoding is canonical");
    }
});

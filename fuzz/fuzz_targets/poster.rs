//! Poster decoding and URL parsing: `Poster::decode`, `inspect`, `from_url_or_payload`,
//! `inspect_url_or_payload` and `check_base_url`. Whatever decodes must re-encode to the
//! same bytes and survive the payload and URL round trips.
//!
//! First byte even: the rest is a binary poster. Odd: the rest is text (a URL or payload).
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::Poster;
use protocol::poster::{check_base_url, inspect, inspect_url_or_payload};

fn round_trips(p: &Poster) {
    let again = Poster::from_payload(&p.payload()).expect("a poster's own payload decodes");
    assert_eq!(again.to_bytes(), p.to_bytes());
    let url = p
        .to_url(checkin_fuzz::BASE_URL)
        .expect("the base URL is valid");
    let again = Poster::from_url_or_payload(&url).expect("a poster's own URL decodes");
    assert_eq!(again.venue_id(), p.venue_id());
    assert_eq!(again.info(), p.info());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let _ = inspect(rest);
        if let Ok(p) = Poster::decode(rest) {
            assert_eq!(p.to_bytes(), rest, "decoding is canonical");
            round_trips(&p);
        }
    } else if let Ok(text) = std::str::from_utf8(rest) {
        let _ = inspect_url_or_payload(text);
        let _ = check_base_url(text);
        if let Ok(p) = Poster::from_url_or_payload(text) {
            round_trips(&p);
        }
    }
});

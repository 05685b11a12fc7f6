//! Vault record decoding: the server's tag split, the venue's outer layer and the
//! authority's inner layer.
//!
//! First byte mod 3:
//! - 0: the rest is a stored record, stripped by the fixed venue (its vault tags for the
//!   four hours before `NOW` allowed) and, if that opens, opened by the fixed authority;
//! - 1: the rest is an inner record, opened by the authority;
//! - 2: the rest is a contact record's plaintext.
#![no_main]

use checkin_fuzz::{NOW, world};
use libfuzzer_sys::fuzz_target;
use protocol::fuzzing::{contact_plaintext, encode_contact};
use protocol::vault::{open_inner, strip_outer};
use protocol::{hour_of, vault_tag};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    match mode % 3 {
        0 => {
            let id = w.poster.venue_id();
            let allowed: Vec<_> = (hour_of(NOW) - 3..=hour_of(NOW))
                .map(|h| vault_tag(&id, h))
                .collect();
            if let Ok(inner) = strip_outer(&w.venue, &allowed, rest) {
                let _ = open_inner(&w.authority, &inner);
            }
        }
        1 => {
            let _ = open_inner(&w.authority, rest);
        }
        _ => {
            if let Ok(c) = contact_plaintext(rest) {
                // Decoding checks each field; a name alone (no phone, no e-mail) decodes,
                // since an authority opens such records, but a client would not seal it.
                let name_alone = c.phone.is_empty() && c.email.is_empty();
                assert_eq!(c.validate().is_ok(), !name_alone);
                assert_eq!(encode_contact(&c), rest, "decoding is canonical");
            }
        }
    }
});

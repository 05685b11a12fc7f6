//! Revocation lists (spec section 10.3): whatever verifies is exactly what the root would sign
//! for its time and keys (Ed25519 is deterministic), and replaces nothing but itself.
#![no_main]

use checkin_fuzz::{NOW, world};
use libfuzzer_sys::fuzz_target;
use protocol::RevocationList;
use protocol::revocation::Replacement;

fuzz_target!(|data: &[u8]| {
    let w = world();
    if let Ok(list) = RevocationList::verify(&w.root.verifying_key(), data, NOW) {
        let again = RevocationList::sign(&w.root, list.issued_at(), list.keys())
            .expect("a verified list can be signed again");
        assert_eq!(again.to_bytes(), data);
        assert_eq!(list.replaces(Some(&again)), Ok(Replacement::Same));
        assert!(list.keys().windows(2).all(|k| k[0] < k[1]));
    }
});

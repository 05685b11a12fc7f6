//! `trust_legacy.json`: what a phone does with a trust file it pinned before trust files were
//! signed (spec section 16a, "Legacy pins"): that file pins its root key only, the first signed
//! file of that root replaces it, and every other file is refused. Both clients run the file.

use protocol::Pin;
use protocol::keys::{Ed25519Secret, SealingSecretKey};
use protocol::trust;

use super::*;

pub fn generate(f: &Fixture) -> Value {
    let anchor = trust_anchor(f);
    let signed = anchor.sign(&f.root);
    // The file as `tracer authority init` wrote it before files were signed: no serial line,
    // no signature line.
    let legacy = without_field(&anchor.body_text(), "serial");
    let root_line = format!("root: {}", base64_url(f.root.verifying_key().as_bytes()));
    let other_root = Ed25519Secret::from_bytes(seed(9));
    let another_authority = TrustAnchor {
        root: other_root.verifying_key(),
        ..anchor.clone()
    }
    .sign(&other_root);
    let case_line = format!("case: {}", base64_url(&anchor.case.0));
    let other_case = base64_url(&SealingSecretKey::from_bytes([0x77; 32]).public_key().0);
    let offered = [
        ("legacy_replaced_by_the_signed_file", None, signed.clone()),
        (
            "legacy_replaced_by_a_signed_file_of_serial_1",
            None,
            TrustAnchor {
                serial: 1,
                ..anchor.clone()
            }
            .sign(&f.root),
        ),
        (
            "legacy_offered_another_roots_file",
            Some("trust_different_root"),
            another_authority,
        ),
        (
            "legacy_offered_a_file_with_a_swapped_case_key",
            Some("trust_bad_signature"),
            signed.replace(&case_line, &format!("case: {other_case}")),
        ),
        (
            "legacy_offered_itself",
            Some("trust_unsigned"),
            legacy.clone(),
        ),
    ];
    let not_legacy = [
        (
            "legacy_with_two_root_lines",
            "trust_unsigned",
            format!("{legacy}{root_line}\n"),
        ),
        (
            "legacy_with_a_serial_line",
            "trust_unsigned",
            anchor.body_text(),
        ),
        (
            "legacy_with_a_short_root_key",
            "trust_unsigned",
            legacy.replace(&root_line, "root: AAAA"),
        ),
        (
            "legacy_without_a_root_line",
            "trust_unsigned",
            without_field(&legacy, "root"),
        ),
        (
            "legacy_with_a_line_without_a_colon",
            "trust_unsigned",
            format!("{legacy}sealing\n"),
        ),
        (
            "legacy_with_a_signature_line_not_last",
            "trust_unsigned",
            format!("{}# after\nroot2: x\n", trust::sign_text(&legacy, &f.root)),
        ),
        (
            "legacy_with_another_header",
            "trust_not_a_trust_file",
            legacy.replace("checkin-trust v1", "checkin-trust v0"),
        ),
    ];
    json!({
        "description": "Trust files pinned before trust files were signed (section 16a, \"Legacy pins\"). `pinned` is such a file for keys.json authority_root, as the authority wrote it then (trust.json's file without its serial and signature lines); it pins `root` (hex) and nothing else. `offered`: files offered while `pinned` is pinned; each replaces it unless it has an `error`, the error the offer is refused with. `not_legacy`: pinned files that are neither a signed file nor a legacy pin; reading them fails with `error`, and nothing is trusted.",
        "pinned": legacy,
        "root": h(anchor.root.as_bytes()),
        "offered": offered.iter().map(|(n, e, t)| json!({"name": n, "error": e, "text": t})).collect::<Vec<_>>(),
        "not_legacy": not_legacy.iter().map(|(n, e, t)| json!({"name": n, "error": e, "text": t})).collect::<Vec<_>>(),
    })
}

/// Runs the file as an implementer would, through [`Pin`].
pub fn check(v: &Value) {
    let pin = Pin::read(v["pinned"].as_str().unwrap()).unwrap();
    let Pin::LegacyRoot(root) = &pin else {
        panic!("the pinned file is read as a legacy pin");
    };
    assert_eq!(h(root.as_bytes()), v["root"].as_str().unwrap());
    for o in v["offered"].as_array().unwrap() {
        let got = TrustAnchor::parse(o["text"].as_str().unwrap())
            .and_then(|offered| pin.check_replaced_by(&offered))
            .err()
            .map(|e| e.code());
        assert_eq!(got, o["error"].as_str(), "{}", o["name"]);
    }
    for n in v["not_legacy"].as_array().unwrap() {
        let err = Pin::read(n["text"].as_str().unwrap()).expect_err("not a legacy pin");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
}

//! `release.json`: a signed release of the web app (spec section 16d): its `SHA256SUMS`, the
//! release key's signature file, negative releases (one per refusal), and the comparison of
//! served files with a release. Both clients run the file.

use protocol::Release;
use protocol::keys::Ed25519Secret;
use protocol::release::{self, FileCheck};

use super::*;

/// The three files of the vector release, by name (sorted).
fn files() -> [(&'static str, &'static [u8]); 3] {
    [
        ("app.js", b"console.log(\"checkin\");\n"),
        ("icon.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"),
        ("index.html", b"<!doctype html><div id=\"app\"></div>\n"),
    ]
}

fn sums_of(files: &[(&str, &[u8])]) -> String {
    files
        .iter()
        .map(|(n, b)| format!("{}  {n}\n", h(&release::sha256(b))))
        .collect()
}

pub fn generate(f: &Fixture) -> Value {
    let anchor = trust_anchor(f);
    let sums = sums_of(&files());
    let signature = release::sign(sums.as_bytes(), &f.release);
    let signed = |s: &str| (s.to_owned(), release::sign(s.as_bytes(), &f.release));
    let no_release_key = TrustAnchor {
        release: None,
        ..anchor.clone()
    }
    .sign(&f.root);
    let app_line = format!("{}  app.js\n", h(&release::sha256(files()[0].1)));
    let mut negative: Vec<(&str, &str, String, String, Option<String>)> = vec![
        (
            "release_trust_names_no_release_key",
            "release_no_key",
            sums.clone(),
            signature.clone(),
            Some(no_release_key),
        ),
        (
            "release_signature_wrong_header",
            "release_not_a_signature",
            sums.clone(),
            signature.replace(
                "checkin-release-signature v1",
                "checkin-release-signature v2",
            ),
            None,
        ),
        (
            "release_signature_line_after_signature",
            "release_not_a_signature",
            sums.clone(),
            format!("{signature}# comment\n"),
            None,
        ),
        (
            "release_signature_empty_file",
            "release_not_a_signature",
            sums.clone(),
            String::new(),
            None,
        ),
        (
            "release_sums_altered",
            "release_bad_signature",
            sums.replace(
                &app_line,
                &format!("{}  app.js\n", h(&release::sha256(b"changed"))),
            ),
            signature.clone(),
            None,
        ),
        (
            "release_signed_by_the_root",
            "release_bad_signature",
            sums.clone(),
            release::sign(sums.as_bytes(), &f.root),
            None,
        ),
        (
            "release_signature_truncated",
            "release_bad_signature",
            sums.clone(),
            format!("{}\n", &signature[..signature.len() - 5]),
            None,
        ),
    ];
    // Well signed, badly formed.
    for (name, text) in [
        (
            "release_sums_not_sorted",
            format!("{}{app_line}", sums.replace(&app_line, "")),
        ),
        ("release_sums_name_twice", format!("{app_line}{sums}")),
        (
            "release_sums_upper_case_hex",
            sums.replacen(&app_line[..64], &app_line[..64].to_uppercase(), 1),
        ),
        (
            "release_sums_one_space",
            sums.replacen("  app.js", " app.js", 1),
        ),
        (
            "release_sums_no_final_line_break",
            sums.trim_end().to_owned(),
        ),
        (
            "release_sums_name_with_a_slash",
            sums.replacen("  app.js", "  js/app.js", 1),
        ),
        (
            "release_sums_lists_the_signature",
            format!(
                "{sums}{}  SHA256SUMS.sig\n",
                h(&release::sha256(signature.as_bytes()))
            ),
        ),
        ("release_sums_empty", String::new()),
    ] {
        let (s, sig) = signed(&text);
        negative.push((name, "release_malformed_sums", s, sig, None));
    }
    // What a server serves: app.js changed, icon.svg not served, index.html the release's.
    let served = [
        ("app.js", Some(h(b"console.log(\"changed\");\n"))),
        ("icon.svg", None),
        ("index.html", Some(h(files()[2].1))),
    ];
    json!({
        "description": "A release of the web app signed by keys.json authority_release, the release key trust.json names: `files` (name and content, hex), their `sums` (SHA256SUMS) and the signature file. Verify with trust.json's text (or the negative's own `trust`): each negative fails with `error`. `served`: what a server serves for each file of the release (null: not served); `differs` lists the files that are not the release's, in the release's order.",
        "files": files().iter().map(|(n, b)| json!({"name": n, "content": h(b)})).collect::<Vec<_>>(),
        "sums": sums,
        "signature": signature,
        "negative": negative.iter().map(|(n, e, s, sig, t)| json!({"name": n, "error": e, "sums": s, "signature": sig, "trust": t})).collect::<Vec<_>>(),
        "served": served.iter().map(|(n, c)| json!({"name": n, "content": c})).collect::<Vec<_>>(),
        "differs": ["app.js", "icon.svg"],
    })
}

pub fn check(v: &Value, trust_text: &str) {
    let trust = TrustAnchor::parse(trust_text).unwrap();
    let sums = v["sums"].as_str().unwrap();
    let r = Release::verify(
        &trust,
        sums.as_bytes(),
        v["signature"].as_str().unwrap().as_bytes(),
    )
    .unwrap();
    let names: Vec<&str> = r.files().iter().map(|f| f.name.as_str()).collect();
    let listed: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, listed);
    for (file, want) in r.files().iter().zip(v["files"].as_array().unwrap()) {
        let content = hex::decode(want["content"].as_str().unwrap()).unwrap();
        assert_eq!(file.sha256, release::sha256(&content), "{}", file.name);
    }
    for n in v["negative"].as_array().unwrap() {
        let t = n["trust"]
            .as_str()
            .map_or(trust.clone(), |t| TrustAnchor::parse(t).unwrap());
        let err = Release::verify(
            &t,
            n["sums"].as_str().unwrap().as_bytes(),
            n["signature"].as_str().unwrap().as_bytes(),
        )
        .expect_err("negative");
        assert_eq!(err.code(), n["error"].as_str().unwrap(), "{}", n["name"]);
    }
    let served: Vec<(String, Option<Vec<u8>>)> = v["served"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["content"].as_str().map(|c| hex::decode(c).unwrap()),
            )
        })
        .collect();
    let checks = r.compare(|name| {
        served
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, c)| c.clone())
    });
    let differs: Vec<&str> = checks
        .iter()
        .filter(|c| !c.is_same())
        .map(FileCheck::name)
        .collect();
    let want: Vec<&str> = v["differs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(differs, want);
    // The release key signs the same bytes again: signatures are deterministic.
    assert_eq!(
        release::sign(sums.as_bytes(), &Ed25519Secret::from_bytes(seed(14))),
        v["signature"].as_str().unwrap()
    );
}

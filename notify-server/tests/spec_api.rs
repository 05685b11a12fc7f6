//! The spec's HTTP API section (spec/protocol.md, "16b. HTTP API") is normative: every
//! endpoint that `openapi.yaml` describes, and every error name the server's handlers can
//! answer, must appear in it, so that the spec alone is enough to write a client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

fn spec_api_section() -> String {
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/protocol.md"))
            .unwrap();
    let start = spec
        .find("## 16b. HTTP API")
        .expect("the spec has section 16b");
    let end = spec[start..].find("\n## 17.").unwrap() + start;
    spec[start..end].to_owned()
}

#[test]
fn every_openapi_endpoint_is_in_the_spec() {
    let section = spec_api_section();
    let yaml = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml"))
        .unwrap();
    let mut path = None;
    let mut seen = 0;
    for line in yaml.lines() {
        if let Some(p) = line.strip_prefix("  /") {
            path = Some(format!("/{}", p.trim_end_matches(':')));
        } else if let (Some(p), Some(m)) = (&path, line.strip_prefix("    ")) {
            let method = m.trim_end_matches(':');
            if ["get", "post", "put", "delete"].contains(&method) {
                let want = format!("{} {p}", method.to_uppercase());
                assert!(section.contains(&want), "spec 16b does not name `{want}`");
                seen += 1;
            }
        } else if !line.starts_with(' ') {
            path = None;
        }
    }
    assert!(seen >= 7, "read only {seen} endpoints from openapi.yaml");
}

#[test]
fn every_error_name_the_server_answers_is_in_the_spec() {
    let section = spec_api_section();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        // Handlers build errors as `ApiError::new(Status::X, "name", …)`, one argument a line.
        for pair in lines.windows(2) {
            if pair[0].starts_with("Status::")
                && let Some(name) = pair[1]
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix("\","))
            {
                names.push(name.to_owned());
            }
        }
    }
    names.sort();
    names.dedup();
    assert!(names.len() >= 12, "found only {names:?}");
    for name in &names {
        assert!(
            section.contains(&format!("`{name}`")) || section.contains(&format!(" {name}`")),
            "spec 16b does not name the server's error `{name}`"
        );
    }
}

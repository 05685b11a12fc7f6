//! The spec's HTTP API section (spec/protocol.md, "16b. HTTP API") is normative: every
//! endpoint that `openapi.yaml` describes, and every error name the server's handlers can
//! answer, must appear in it, so that the spec alone is enough to write a client; and the
//! server answers malformed bodies with the status the spec gives, on every POST endpoint.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::path::Path;

use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{Value, json};

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

/// Every (method, path) that `openapi.yaml` describes.
fn openapi_endpoints() -> Vec<(String, String)> {
    let yaml = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml"))
        .unwrap();
    let mut path = None;
    let mut out = Vec::new();
    for line in yaml.lines() {
        if let Some(p) = line.strip_prefix("  /") {
            path = Some(format!("/{}", p.trim_end_matches(':')));
        } else if let (Some(p), Some(m)) = (&path, line.strip_prefix("    ")) {
            let method = m.trim_end_matches(':');
            if ["get", "post", "put", "delete"].contains(&method) {
                out.push((method.to_uppercase(), p.clone()));
            }
        } else if !line.starts_with(' ') {
            path = None;
        }
    }
    out
}

#[test]
fn every_openapi_endpoint_is_in_the_spec() {
    let section = spec_api_section();
    let endpoints = openapi_endpoints();
    for (method, path) in &endpoints {
        let want = format!("{method} {path}");
        assert!(section.contains(&want), "spec 16b does not name `{want}`");
    }
    assert!(
        endpoints.len() >= 7,
        "read only {} endpoints from openapi.yaml",
        endpoints.len()
    );
}

/// The one field of each POST endpoint's body, as spec 16b's table gives it
/// (`` `POST /v1/vault` `{"record": R}` ``).
fn spec_body_fields(section: &str, path: &str) -> Vec<String> {
    let row = format!("`POST {path}` `{{");
    let at = section
        .find(&row)
        .unwrap_or_else(|| panic!("spec 16b's table has no body for POST {path}"));
    let rest = &section[at + row.len()..];
    // The body's top-level names: quoted names outside any nested `{…}`, up to the closing `}`.
    let (mut depth, mut names, mut name, mut quoted) = (0, Vec::new(), String::new(), false);
    for c in rest.chars() {
        match c {
            '"' if quoted => {
                quoted = false;
                if depth == 0 {
                    names.push(std::mem::take(&mut name));
                }
                name.clear();
            }
            '"' => quoted = true,
            _ if quoted => name.push(c),
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            _ => {}
        }
    }
    assert!(!names.is_empty(), "spec 16b names no field for POST {path}");
    names
}

/// Spec 16b: "an unknown or missing field is `400 bad_request` ..., a well-formed body of
/// another shape `422 unprocessable`". Sent to every POST endpoint `openapi.yaml` lists, with
/// the field the spec's table names.
#[test]
fn every_post_endpoint_answers_unknown_and_missing_fields_as_the_spec_says() {
    let section = spec_api_section();
    let dir = tempfile::TempDir::new().unwrap();
    let f = common::Fixture::new(dir.path(), 30);
    let mut fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("trust_file", &f.trust_file))
        .merge(("log_level", "off"));
    for (k, v) in common::store_settings() {
        fig = fig.merge((k, v));
    }
    let c = Client::tracked(notify_server::build(fig).unwrap()).unwrap();
    let posts: Vec<String> = openapi_endpoints()
        .into_iter()
        .filter(|(m, _)| m == "POST")
        .map(|(_, p)| p)
        .collect();
    assert!(posts.len() >= 5, "only {posts:?}");
    for path in &posts {
        let fields = spec_body_fields(&section, path);
        let field = fields[0].clone();
        // Every field present, the first of the wrong type.
        let mut wrong_type = serde_json::Map::new();
        for (i, f) in fields.iter().enumerate() {
            wrong_type.insert(f.clone(), if i == 0 { json!(5) } else { json!("AAAA") });
        }
        for (what, body, status, name) in [
            (
                "an unknown field",
                json!({field.as_str(): "AAAA", "unexpected": 1}),
                Status::BadRequest,
                "bad_request",
            ),
            (
                "only an unknown field",
                json!({"unexpected": "AAAA"}),
                Status::BadRequest,
                "bad_request",
            ),
            ("no field", json!({}), Status::BadRequest, "bad_request"),
            (
                "a field of the wrong type",
                Value::Object(wrong_type),
                Status::UnprocessableEntity,
                "unprocessable",
            ),
            (
                "not an object",
                json!([field]),
                Status::UnprocessableEntity,
                "unprocessable",
            ),
        ] {
            let r = c
                .post(path.as_str())
                .header(ContentType::JSON)
                .remote("192.0.2.30:40000".parse().unwrap())
                .body(body.to_string())
                .dispatch();
            let got = r.status();
            let v: Value = r.into_json().unwrap_or(Value::Null);
            assert_eq!(
                (got, v["error"].as_str()),
                (status, Some(name)),
                "POST {path} with {what} ({body}): {v}"
            );
        }
        let r = c
            .post(path.as_str())
            .header(ContentType::JSON)
            .body("{\"unterminated")
            .dispatch();
        assert_eq!(r.status(), Status::BadRequest, "POST {path}: not JSON");
    }
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

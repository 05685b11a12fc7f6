//! The handlers through Rocket's local client, against a real redb store in a temp dir.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use common::{Fixture, b64, now, unb64};
use protocol::{Certificate, Ed25519Secret, TrustAnchor, hour_of};
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::{Value, json};
use tempfile::TempDir;

fn client(dir: &TempDir, f: &Fixture, extra: &[(&str, i64)]) -> Client {
    let mut fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("trust_file", &f.trust_file))
        .merge(("log_level", "off"));
    for (k, v) in common::store_settings() {
        fig = fig.merge((k, v));
    }
    for (k, v) in extra {
        fig = fig.merge((*k, *v));
    }
    Client::tracked(notify_server::build(fig).unwrap()).unwrap()
}

fn post(c: &Client, path: &str, body: &Value) -> (Status, Value) {
    let r = c
        .post(path)
        .header(ContentType::JSON)
        .remote("192.0.2.7:40000".parse().unwrap())
        .body(body.to_string())
        .dispatch();
    let status = r.status();
    let v = r.into_json::<Value>().unwrap_or(Value::Null);
    (status, v)
}

fn get(c: &Client, path: &str) -> (Status, Value) {
    let r = c.get(path).dispatch();
    let status = r.status();
    (status, r.into_json::<Value>().unwrap_or(Value::Null))
}

#[test]
fn publish_is_verified_idempotent_and_synced() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 1);
    let c = client(&dir, &f, &[]);
    let b1 = f.bundle_at(now(), "first");
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b1)}));
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["seq"], 1);
    assert_eq!(v["duplicate"], false);
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b1)}));
    assert_eq!(s, Status::Ok, "re-posting is idempotent");
    assert_eq!(v["seq"], 1);
    assert_eq!(v["duplicate"], true);
    let b2 = f.bundle_at(now(), "second");
    assert_eq!(
        post(&c, "/v1/bundles", &json!({"bundle": b64(&b2)})).1["seq"],
        2
    );

    let r = c.get("/v1/bundles?after=0").dispatch();
    assert_eq!(r.status(), Status::Ok);
    let etag = r.headers().get_one("ETag").unwrap().to_owned();
    let v: Value = r.into_json().unwrap();
    assert_eq!(v["bundles"].as_array().unwrap().len(), 2);
    assert_eq!(unb64(v["bundles"][0]["bundle"].as_str().unwrap()), b1);
    assert_eq!(v["next_after"], 2);
    assert_eq!(v["more"], false);
    let r = c
        .get("/v1/bundles?after=0")
        .header(Header::new("If-None-Match", etag))
        .dispatch();
    assert_eq!(r.status(), Status::NotModified);
    let (_, v) = get(&c, "/v1/bundles?after=1&limit=1");
    assert_eq!(v["bundles"][0]["seq"], 2);
    let (_, v) = get(&c, "/v1/bundles?after=0&limit=1");
    assert_eq!(v["more"], true);
    let (_, v) = get(&c, "/v1/bundles?after=2");
    assert_eq!(v["bundles"].as_array().unwrap().len(), 0);
}

#[test]
fn batches_are_immutable_once_the_hour_has_closed() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 2);
    let c = client(&dir, &f, &[]);
    let b = f.bundle_at(now(), "m");
    post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    let h = hour_of(now());
    let r = c.get(format!("/v1/batches/{h}")).dispatch();
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.content_type(), Some(rocket::http::ContentType::Binary));
    let cc = r.headers().get_one("Cache-Control").unwrap().to_owned();
    assert!(
        cc.starts_with("public, max-age=") && !cc.contains("immutable"),
        "{cc}"
    );
    let etag = r.headers().get_one("ETag").unwrap().to_owned();
    let body = r.into_bytes().unwrap();
    let bundles = protocol::batch::decode_batch(&body, h).unwrap();
    assert_eq!(
        bundles,
        vec![&b[..]],
        "the open hour holds the bundle, byte for byte"
    );
    // Unchanged: 304 without a body.
    let r = c
        .get(format!("/v1/batches/{h}"))
        .header(rocket::http::Header::new("If-None-Match", etag))
        .dispatch();
    assert_eq!(r.status(), Status::NotModified);
    // A closed hour (two hours back, past the 120-second grace whatever the minute) is
    // immutable, but caches may keep it only until it leaves retention (14 days after its
    // end), never a year.
    let r = c.get(format!("/v1/batches/{}", h - 2)).dispatch();
    let cc = r.headers().get_one("Cache-Control").unwrap().to_owned();
    let age: u64 = cc
        .strip_prefix("public, max-age=")
        .and_then(|r| r.strip_suffix(", immutable"))
        .unwrap()
        .parse()
        .unwrap();
    let left = (h - 2 + 14 * 24 + 1) * 3600 - now();
    assert!(age >= left && age <= left + 2, "{cc}: {left} s are left");
    assert!(
        protocol::batch::decode_batch(&r.into_bytes().unwrap(), h - 2)
            .unwrap()
            .is_empty()
    );
    let r = c.get(format!("/v1/batches/{}", h - 14 * 24)).dispatch();
    let cc = r.headers().get_one("Cache-Control").unwrap().to_owned();
    assert!(cc.starts_with("public, max-age=") && cc.len() < 40, "{cc}");
    assert_eq!(
        get(&c, &format!("/v1/batches/{}", h + 1)).0,
        Status::NotFound
    );
    assert_eq!(
        get(&c, &format!("/v1/batches/{}", h - 15 * 24)).0,
        Status::Gone
    );
    assert_eq!(get(&c, "/v1/batches/not-a-number").0, Status::NotFound);
}

/// `batch_dir`: each closed hour is written once as the bytes the API serves (and gzip-coded
/// beside it), never rewritten, and removed when it leaves retention.
#[test]
fn closed_hours_are_written_once_as_files_for_a_static_host() {
    use std::io::Read as _;
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 5);
    let c = client(&dir, &f, &[]);
    for i in 0..4 {
        let b = f.bundle_at(now(), &format!("bundle {i}"));
        assert_eq!(
            post(&c, "/v1/bundles", &json!({"bundle": b64(&b)})).0,
            Status::Created
        );
    }
    let h = hour_of(now());
    let served = c
        .get(format!("/v1/batches/{h}"))
        .dispatch()
        .into_bytes()
        .unwrap();
    let app = c.rocket().state::<notify_server::api::App>().unwrap();
    let out = dir.path().join("cdn");
    // An hour and a half later this hour has closed: it is written, with every closed hour of
    // the retention period (empty ones too, so a host answers them all).
    let later = (h + 1) * 3600 + 1800;
    let done = notify_server::batches::export(app.store.as_ref(), &out, 14, later).unwrap();
    assert_eq!(done.written, 14 * 24, "{done:?}");
    let files = notify_server::batches::batches_path(&out);
    let plain = std::fs::read(files.join(h.to_string())).unwrap();
    assert_eq!(plain, served, "the file is what the API serves");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&std::fs::read(files.join(format!("{h}.gz"))).unwrap()[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, served);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(files.join(h.to_string()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "readable by a web server");
    // Every closed day whose last hour is within retention is a day file too, byte for byte
    // what /v1/days serves, and its hours are the hour files.
    assert!(done.days_written >= 14, "{done:?}");
    let day = h / 24 - 1;
    let day_file =
        std::fs::read(notify_server::batches::days_path(&out).join(day.to_string())).unwrap();
    let hours = protocol::batch::decode_day(&day_file, day).unwrap();
    for (hour, batch) in hours {
        assert_eq!(std::fs::read(files.join(hour.to_string())).unwrap(), batch);
    }
    let served_day = c
        .get(format!("/v1/days/{day}"))
        .dispatch()
        .into_bytes()
        .unwrap();
    assert_eq!(served_day, day_file);
    // Written once: a second round writes nothing and leaves the file as it was.
    let again = notify_server::batches::export(app.store.as_ref(), &out, 14, later + 60).unwrap();
    assert_eq!(again, notify_server::batches::Exported::default());
    // Fifteen days on, this hour has left retention and its files are gone.
    let gone =
        notify_server::batches::export(app.store.as_ref(), &out, 14, later + 15 * 86_400).unwrap();
    assert!(gone.removed >= 14 * 24, "{gone:?}");
    assert!(!files.join(h.to_string()).exists());
    assert!(!files.join(format!("{h}.gz")).exists());
    assert!(gone.days_removed >= 14, "{gone:?}");
    // A batch_dir that cannot be made stops the start with its name.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"x").unwrap();
    let fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data2")))
        .merge(("trust_file", &f.trust_file))
        .merge(("batch_dir", &blocker))
        .merge(("log_level", "off"));
    let err = notify_server::build(fig).err().unwrap().0;
    assert!(err.contains("cannot create batch_dir"), "{err}");
}

/// The body a phone posts to hand `file` over under `code` (spec section 16.1).
fn case_body(code: &protocol::CaseCode, file: &[u8]) -> Value {
    json!({"case": b64(file), "id": b64(&code.id()), "tag": b64(&code.tag(file))})
}

/// A case file handed over by code: held durably under the code's id, answered once with its
/// tag to whoever has the id, checked for its shape, and refused with the spec's names when
/// malformed.
#[test]
fn case_files_are_held_for_a_tracer_and_fetched_once_by_the_codes_id() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 6);
    let c = client(&dir, &f, &[]);
    let case_key = protocol::SealingSecretKey::from_bytes([0xca; 32]);
    let t = now();
    let diary = protocol::CaseDiary {
        created_at: t,
        visits: vec![protocol::CaseVisit {
            poster: f.poster.clone(),
            arrival: t - 7200,
            departure: t - 3600,
        }],
    };
    let file = diary.seal(&mut f.rng, &case_key.public_key()).unwrap();
    let code = protocol::CaseCode::generate(&mut f.rng);
    // No cache may keep the id or the file (spec 16b).
    let r = c
        .post("/v1/cases")
        .header(ContentType::JSON)
        .remote("192.0.2.7:40000".parse().unwrap())
        .body(case_body(&code, &file).to_string())
        .dispatch();
    assert_eq!(r.status(), Status::Created);
    assert_eq!(r.headers().get_one("Cache-Control"), Some("no-store"));
    let v = r.into_json::<Value>().unwrap();
    assert!(
        v.get("code").is_none(),
        "the server has no code to give: {v}"
    );
    let expires = v["expires_at"].as_u64().unwrap();
    assert!(expires >= t + 86_400 && expires <= now() + 86_400);
    let fetch = json!({"id": b64(&code.id())});
    let r = c
        .post("/v1/cases/fetch")
        .header(ContentType::JSON)
        .body(fetch.to_string())
        .dispatch();
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.headers().get_one("Cache-Control"), Some("no-store"));
    let v = r.into_json::<Value>().unwrap();
    let got = unb64(v["case"].as_str().unwrap());
    assert_eq!(got, file);
    code.verify(&got, &unb64(v["tag"].as_str().unwrap()))
        .unwrap();
    assert_eq!(protocol::CaseDiary::open(&case_key, &got).unwrap(), diary);
    // Once only.
    let (s, v) = post(&c, "/v1/cases/fetch", &fetch);
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::NotFound, Some("case_not_found"))
    );
    for (body, name) in [
        (json!({"id": "not base64!"}), "bad_base64"),
        (json!({"id": b64(&[0u8; 15])}), "bad_parameter"),
    ] {
        let (s, v) = post(&c, "/v1/cases/fetch", &body);
        assert_eq!((s, v["error"].as_str()), (Status::BadRequest, Some(name)));
    }
    // The id never travels in a path.
    let id = b64(&code.id());
    assert_eq!(get(&c, &format!("/v1/cases/{id}")).0, Status::NotFound);
    // What the server can check without the key, each with its name.
    let mut other_version = file.clone();
    other_version[0] = 3;
    let mut off_by_one = file.clone();
    off_by_one.push(0);
    for (bytes, name) in [
        (other_version, "case_unsupported_version"),
        (file[..1000].to_vec(), "case_truncated"),
        (off_by_one, "case_malformed"),
        (
            vec![2u8; protocol::case::MAX_CASE_LEN + 1024],
            "case_too_many_visits",
        ),
    ] {
        let (s, v) = post(&c, "/v1/cases", &case_body(&code, &bytes));
        assert_eq!(
            (s, v["error"].as_str()),
            (Status::BadRequest, Some(name)),
            "{v}"
        );
    }
    let (s, v) = post(
        &c,
        "/v1/cases",
        &json!({"case": "***", "id": "", "tag": ""}),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::BadRequest, Some("bad_base64"))
    );
    let (s, v) = post(
        &c,
        "/v1/cases",
        &json!({"case": b64(&file), "id": b64(&code.id()[..8]), "tag": b64(&code.tag(&file))}),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::BadRequest, Some("bad_parameter"))
    );
    // Unfetched files leave at their expiry, and the day keys they were encrypted under with
    // them.
    let (s, _) = post(&c, "/v1/cases", &case_body(&code, &file));
    assert_eq!(s, Status::Created);
    let app = c.rocket().state::<notify_server::api::App>().unwrap();
    let metrics = notify_server::metrics::Metrics::default();
    let p = notify_server::purge_once(
        app.store.as_ref(),
        &app.settings,
        &metrics,
        now() + 2 * 86_400 + 1,
    )
    .unwrap();
    assert_eq!((p.cases, p.case_keys), (1, 1));
    let (s, _) = post(&c, "/v1/cases/fetch", &fetch);
    assert_eq!(s, Status::NotFound);
}

#[test]
fn batches_come_gzipped_to_clients_that_take_it() {
    use std::io::Read as _;
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 2);
    let c = client(&dir, &f, &[]);
    // Several bundles of one tracer: the certificate repeats, which gzip folds.
    for i in 0..6 {
        let b = f.bundle_at(now(), &format!("m{i}"));
        post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    }
    let path = format!("/v1/batches/{}", hour_of(now()));
    let plain = c.get(path.clone()).dispatch();
    assert_eq!(plain.headers().get_one("Content-Encoding"), None);
    assert_eq!(plain.headers().get_one("Vary"), Some("Accept-Encoding"));
    let plain_tag = plain.headers().get_one("ETag").unwrap().to_owned();
    let plain = plain.into_bytes().unwrap();

    let r = c
        .get(path.clone())
        .header(Header::new("Accept-Encoding", "br;q=1, gzip;q=0.8"))
        .dispatch();
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.headers().get_one("Content-Encoding"), Some("gzip"));
    assert_eq!(r.headers().get_one("Vary"), Some("Accept-Encoding"));
    let tag = r.headers().get_one("ETag").unwrap().to_owned();
    assert_ne!(tag, plain_tag, "each representation has its own tag");
    let gz = r.into_bytes().unwrap();
    assert!(gz.len() < plain.len(), "{} >= {}", gz.len(), plain.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain, "the same batch, byte for byte");

    // Compressed once per content: asked again, the same bytes.
    let again = c
        .get(path.clone())
        .header(Header::new("Accept-Encoding", "gzip"))
        .dispatch();
    assert_eq!(again.into_bytes().unwrap(), gz);
    let r = c
        .get(path.clone())
        .header(Header::new("Accept-Encoding", "gzip"))
        .header(Header::new("If-None-Match", tag))
        .dispatch();
    assert_eq!(r.status(), Status::NotModified);
    // A weight of zero refuses gzip.
    let r = c
        .get(path.clone())
        .header(Header::new("Accept-Encoding", "gzip;q=0, identity"))
        .dispatch();
    assert_eq!(r.headers().get_one("Content-Encoding"), None);
    assert_eq!(r.into_bytes().unwrap(), plain);
    // The batch grows: a new tag and new compressed bytes.
    let b = f.bundle_at(now(), "later");
    post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    let r = c
        .get(path)
        .header(Header::new("Accept-Encoding", "gzip"))
        .dispatch();
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&r.into_bytes().unwrap()[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(
        protocol::batch::decode_batch(&unzipped, hour_of(now()))
            .unwrap()
            .len(),
        7
    );
}

#[test]
fn hostile_bundles_get_clear_4xx() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 3);
    let c = client(&dir, &f, &[]);
    let t = now();
    // Forged certificate: another root.
    let other_root = Ed25519Secret::from_bytes([77; 32]);
    let forged = Certificate::issue(
        &other_root,
        &f.tracer.verifying_key(),
        "Test Board",
        t - 100,
        t + 100,
    )
    .unwrap();
    let tracer = f.tracer.clone();
    let b = f.bundle_with(&tracer, &forged, t, "x");
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::Forbidden, "cert_bad_signature")
    );
    // Expired certificate (the bundle was signed while it was valid, but it is not now).
    let expired = Certificate::issue(
        &f.root,
        &f.tracer.verifying_key(),
        "Test Board",
        t - 7200,
        t - 3600,
    )
    .unwrap();
    let b = f.bundle_with(&tracer, &expired, t - 3700, "x");
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    assert_eq!(s, Status::Forbidden, "{v}");
    // Not yet valid certificate.
    let future = Certificate::issue(
        &f.root,
        &f.tracer.verifying_key(),
        "Test Board",
        t + 3600,
        t + 7200,
    )
    .unwrap();
    let b = f.bundle_with(&tracer, &future, t + 3700, "x");
    assert_eq!(
        post(&c, "/v1/bundles", &json!({"bundle": b64(&b)})).0.code / 100,
        4
    );
    // Far past and far future creation times.
    let b = f.bundle_at(t - 3 * 3600, "old");
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::UnprocessableEntity, "bundle_out_of_time")
    );
    let b = f.bundle_at(t + 3 * 3600, "future");
    assert_eq!(
        post(&c, "/v1/bundles", &json!({"bundle": b64(&b)})).0,
        Status::UnprocessableEntity
    );
    // Inside the 300 s that phones allow, but past the server's 60 s: a phone whose clock is
    // a little slow would refuse it, so the server does not publish it (issue: the server's
    // window lies inside the client's).
    let b = f.bundle_at(t + 200, "a little ahead");
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::UnprocessableEntity, "bundle_out_of_time")
    );

    // Altered in transit.
    let mut b = f.bundle_at(t, "x");
    let n = b.len();
    b[n - 65] ^= 1; // the last entry's last byte
    let (s, v) = post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::Forbidden, "bundle_bad_signature")
    );
    // Truncated, garbage, bad base64, bad JSON, wrong fields, wrong type, empty body.
    let good = f.bundle_at(t, "x");
    assert_eq!(
        post(
            &c,
            "/v1/bundles",
            &json!({"bundle": b64(&good[..good.len() - 10])})
        )
        .1["error"],
        "bundle_truncated"
    );
    assert_eq!(
        post(&c, "/v1/bundles", &json!({"bundle": b64(b"hello")})).0,
        Status::BadRequest
    );
    assert_eq!(
        post(&c, "/v1/bundles", &json!({"bundle": "***"})).1["error"],
        "bad_base64"
    );
    let r = c
        .post("/v1/bundles")
        .header(ContentType::JSON)
        .body("{\"bundle\": ")
        .dispatch();
    assert_eq!(r.status(), Status::BadRequest);
    assert_eq!(r.into_json::<Value>().unwrap()["error"], "bad_request");
    assert_eq!(
        post(
            &c,
            "/v1/bundles",
            &json!({"bundle": b64(&good), "extra": 1})
        )
        .0,
        Status::BadRequest,
        "an unknown field is 400 (spec 16b)"
    );
    assert_eq!(
        post(&c, "/v1/bundles", &json!({"bundle": 5})).0,
        Status::UnprocessableEntity
    );
    let r = c
        .post("/v1/bundles")
        .header(ContentType::Plain)
        .body("x")
        .dispatch();
    assert_eq!(r.status().code / 100, 4);
    // Oversized body.
    let huge = "A".repeat(3 << 20);
    let r = c
        .post("/v1/bundles")
        .header(ContentType::JSON)
        .body(format!("{{\"bundle\":\"{huge}\"}}"))
        .dispatch();
    assert_eq!(r.status(), Status::PayloadTooLarge);
    assert_eq!(r.into_json::<Value>().unwrap()["error"], "too_large");
    // Nothing of the above was stored; the server still serves.
    assert_eq!(get(&c, "/healthz").1["status"], "ok");
    assert_eq!(
        c.rocket()
            .state::<notify_server::api::App>()
            .unwrap()
            .store
            .counts()
            .unwrap()
            .bundles,
        0
    );
}

#[test]
fn vault_uploads_are_limited_and_queries_work_once() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 4);
    let c = client(&dir, &f, &[("vault_uploads_per_minute", 5)]);
    let h = hour_of(now()) - 2;
    let mut sent = Vec::new();
    for i in 0..5 {
        let r = f.record(h + (i % 2), &format!("Person {i}"));
        let (s, v) = post(&c, "/v1/vault", &json!({"record": b64(&r)}));
        assert_eq!(s, Status::Created, "{v}");
        sent.push(r);
    }
    let r = f.record(h, "One too many");
    let resp = c
        .post("/v1/vault")
        .header(ContentType::JSON)
        .remote("192.0.2.7:40001".parse().unwrap())
        .body(json!({"record": b64(&r)}).to_string())
        .dispatch();
    assert_eq!(resp.status(), Status::TooManyRequests);
    assert!(resp.headers().get_one("Retry-After").is_some());
    // Another address is not affected.
    let r = c
        .post("/v1/vault")
        .header(ContentType::JSON)
        .remote("198.51.100.9:40000".parse().unwrap())
        .body(json!({"record": b64(&f.record(h, "Other"))}).to_string())
        .dispatch();
    assert_eq!(r.status(), Status::Created);
    // Bad records never count as stored.
    let c2 = client(&TempDir::new().unwrap(), &f, &[]);
    assert_eq!(
        post(&c2, "/v1/vault", &json!({"record": b64(&[0u8; 100])})).1["error"],
        "vault_wrong_length"
    );
    assert_eq!(
        post(&c2, "/v1/vault", &json!({"record": "%%%"})).1["error"],
        "bad_base64"
    );
    assert_eq!(
        post(&c2, "/v1/vault", &json!({"rec": "x"})).0,
        Status::BadRequest
    );

    // A signed query for the first hour returns every record filed under the venue's bucket
    // on that hour's day: the server cannot tell the hours (or the venues) of a bucket apart.
    let q = f.query(&[h], now());
    let (s, v) = post(&c, "/v1/vault/query", &json!({"query": b64(&q)}));
    assert_eq!(s, Status::Ok, "{v}");
    let got: Vec<Vec<u8>> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| unb64(r.as_str().unwrap()))
        .collect();
    let want: Vec<&Vec<u8>> = sent
        .iter()
        .enumerate()
        .filter(|&(i, _)| (h + i as u64 % 2) / 24 == h / 24)
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        got.len(),
        want.len() + 1,
        "Person 0-4 of that day, plus Other"
    );
    for w in want {
        assert!(got.contains(w));
    }
    // Replayed: refused.
    let (s, v) = post(&c, "/v1/vault/query", &json!({"query": b64(&q)}));
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::Conflict, "query_replayed")
    );
    // Stale, tampered.
    let old = f.query(&[h], now() - 600);
    assert_eq!(
        post(&c, "/v1/vault/query", &json!({"query": b64(&old)})).1["error"],
        "query_stale"
    );
    let mut bad = f.query(&[h], now());
    let n = bad.len();
    bad[n - 70] ^= 1;
    assert_eq!(
        post(&c, "/v1/vault/query", &json!({"query": b64(&bad)})).0,
        Status::Forbidden
    );
}

#[test]
fn purge_removes_what_retention_allows_and_nothing_else() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 5);
    let c = client(&dir, &f, &[]);
    let b = f.bundle_at(now(), "m");
    post(&c, "/v1/bundles", &json!({"bundle": b64(&b)}));
    let r = f.record(hour_of(now()), "A");
    post(&c, "/v1/vault", &json!({"record": b64(&r)}));
    let app = c.rocket().state::<notify_server::api::App>().unwrap();
    let metrics = notify_server::metrics::Metrics::default();
    let p = notify_server::purge_once(app.store.as_ref(), &app.settings, &metrics, now() + 86_400)
        .unwrap();
    assert_eq!((p.bundles, p.vault_records), (0, 0));
    let p = notify_server::purge_once(
        app.store.as_ref(),
        &app.settings,
        &metrics,
        now() + 15 * 86_400,
    )
    .unwrap();
    assert_eq!((p.bundles, p.vault_records), (1, 0));
    let p = notify_server::purge_once(
        app.store.as_ref(),
        &app.settings,
        &metrics,
        now() + 22 * 86_400,
    )
    .unwrap();
    assert_eq!((p.bundles, p.vault_records), (0, 1));
    let counts = c
        .rocket()
        .state::<notify_server::api::App>()
        .unwrap()
        .store
        .counts()
        .unwrap();
    assert_eq!((counts.bundles, counts.vault_records), (0, 0));
}

#[test]
fn the_phone_client_is_served_at_the_poster_path_under_a_strict_policy() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 9);
    let c = client(&dir, &f, &[]);
    let r = c.get("/v1/c").dispatch();
    assert_eq!(r.status(), Status::Ok);
    let csp = r
        .headers()
        .get_one("Content-Security-Policy")
        .unwrap()
        .to_owned();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(r.headers().get_one("Referrer-Policy"), Some("no-referrer"));
    let page = r.into_string().unwrap();
    assert!(
        page.contains(r#"<script type="module" src="/v1/c/app.js">"#),
        "{page}"
    );
    assert!(!page.contains("<script>"), "no inline script");
    let r = c
        .get("/v1/c/app.js")
        .header(Header::new("Accept-Encoding", "gzip"))
        .dispatch();
    assert_eq!(
        r.content_type().unwrap().to_string(),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(r.headers().get_one("Content-Encoding"), Some("gzip"));
    let r = c.get("/v1/c/sw.js").dispatch();
    assert_eq!(r.headers().get_one("Service-Worker-Allowed"), Some("/v1/c"));
    // Every file of the release is served as built (the manifest's own path aside), and the
    // bundled libraries' licences with them.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    for name in sums.lines().filter_map(|l| l.split("  ").nth(1)) {
        // The page is served at the poster path itself.
        let path = if name == "index.html" {
            "/v1/c".to_string()
        } else {
            format!("/v1/c/{name}")
        };
        let r = c.get(path).dispatch();
        assert_eq!(r.status(), Status::Ok, "{name}");
        if name != "index.html" && name != "manifest.webmanifest" {
            assert!(
                r.into_bytes().unwrap() == std::fs::read(dist.join(name)).unwrap(),
                "{name} is served as built"
            );
        }
    }
    // The signed release's hashes and signature beside them, byte for byte (spec section
    // 16d); the query string the app adds to fetch past its service worker is ignored.
    for name in ["SHA256SUMS", "SHA256SUMS.sig"] {
        let r = c.get(format!("/v1/c/{name}")).dispatch();
        assert_eq!(r.status(), Status::Ok, "{name}");
        assert!(
            r.into_bytes().unwrap() == std::fs::read(dist.join(name)).unwrap(),
            "{name} is served as built"
        );
    }
    let r = c.get("/v1/c/app.js?release-check").dispatch();
    assert!(r.into_bytes().unwrap() == std::fs::read(dist.join("app.js")).unwrap());
    let r = c.get("/v1/c?release-check").dispatch();
    assert_eq!(r.status(), Status::Ok);
    let licences = c
        .get("/v1/c/LICENSES.txt")
        .dispatch()
        .into_string()
        .unwrap();
    assert!(licences.contains("@noble/curves") && licences.contains("Apache License"));
    // The trust file the app pins at its first run is the server's own.
    let trust = c.get("/v1/c/trust.txt").dispatch().into_string().unwrap();
    assert_eq!(trust, std::fs::read_to_string(&f.trust_file).unwrap());
    let (s, v) = get(&c, "/v1/c/secret.key");
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::NotFound, "not_found")
    );
    // Unchanged: 304.
    let etag = c
        .get("/v1/c")
        .dispatch()
        .headers()
        .get_one("ETag")
        .unwrap()
        .to_owned();
    let r = c
        .get("/v1/c")
        .header(Header::new("If-None-Match", etag))
        .dispatch();
    assert_eq!(r.status(), Status::NotModified);

    // Another poster path: the page names its files there.
    let dir2 = TempDir::new().unwrap();
    let fig = notify_server::figment()
        .merge(("data_dir", dir2.path().join("data")))
        .merge(("trust_file", &f.trust_file))
        .merge(("log_level", "off"))
        .merge(("app_path", "/checkin"));
    let c2 = Client::tracked(notify_server::build(fig).unwrap()).unwrap();
    let page = c2.get("/checkin").dispatch().into_string().unwrap();
    assert!(page.contains(r#"src="/checkin/app.js""#), "{page}");
    let manifest = c2
        .get("/checkin/manifest.webmanifest")
        .dispatch()
        .into_string()
        .unwrap();
    assert!(
        manifest.contains(r#""start_url": "/checkin""#),
        "{manifest}"
    );
    assert_eq!(c2.get("/v1/c").dispatch().status(), Status::NotFound);
    for bad in ["checkin", "/checkin/", "/v1/batches", "/a b", "/../x", "/"] {
        let fig = notify_server::figment()
            .merge(("data_dir", dir2.path().join("data2")))
            .merge(("trust_file", &f.trust_file))
            .merge(("app_path", bad));
        let e = notify_server::build(fig).err().unwrap().to_string();
        assert!(e.contains("app_path"), "{bad}: {e}");
    }
}

#[test]
fn trust_health_metrics_and_unknown_routes() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 6);
    let c = client(&dir, &f, &[]);
    let (s, v) = get(&c, "/v1/trust");
    assert_eq!(s, Status::Ok);
    assert_eq!(v["authority"], "Test Authority");
    assert_eq!(
        unb64(v["root"].as_str().unwrap()),
        f.root.verifying_key().as_bytes().to_vec()
    );
    assert_eq!(
        unb64(v["sealing"][0]["key"].as_str().unwrap()),
        f.sealing.public_key().0.to_vec()
    );
    assert_eq!(v["sealing"][0]["from"], 0);
    assert_eq!(
        TrustAnchor::parse(v["trust_file"].as_str().unwrap())
            .unwrap()
            .case
            .0
            .to_vec(),
        unb64(v["case"].as_str().unwrap())
    );
    assert_eq!(get(&c, "/healthz").1, json!({"status": "ok"}));
    let (s, v) = get(&c, "/no/such/thing");
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::NotFound, "not_found")
    );
    // Metrics are not public: they are served on the operators' listener.
    assert_eq!(get(&c, "/metrics").0, Status::NotFound);
    let admin = Client::tracked(notify_server::admin_for(c.rocket()).unwrap()).unwrap();
    let (s, v) = get(&admin, "/healthz");
    assert_eq!((s, v["status"].as_str()), (Status::Ok, Some("ok")));
    let r = admin.get("/metrics").dispatch();
    assert_eq!(r.status(), Status::Ok);
    let text = r.into_string().unwrap();
    for name in [
        "notify_http_requests_total{route=\"/v1/trust\",status=\"2xx\"} 1",
        "notify_http_request_duration_seconds_bucket{route=\"/healthz\"",
        "notify_bundles_stored 0",
        "notify_vault_records_stored 0",
        "notify_last_purge_timestamp_seconds",
        "notify_http_requests_total{route=\"unmatched\",status=\"4xx\"} 2",
    ] {
        assert!(text.contains(name), "missing {name} in\n{text}");
    }
}

#[test]
fn a_configured_deployment_never_makes_a_development_authority() {
    let dir = TempDir::new().unwrap();
    let fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("require_trust_file", true));
    let err = notify_server::build(fig).err().unwrap();
    assert!(
        err.to_string().contains("no trust file is configured"),
        "{err}"
    );
    assert!(
        !dir.path()
            .join("data")
            .join(notify_server::DEV_AUTHORITY)
            .exists()
    );
    let fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("trust_file", dir.path().join("missing.txt")));
    let err = notify_server::build(fig).err().unwrap();
    assert!(
        err.to_string()
            .contains("cannot use the configured trust file"),
        "{err}"
    );
}

#[test]
fn a_future_window_phones_would_refuse_is_refused_at_start() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 31);
    let fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("trust_file", &f.trust_file))
        .merge(("bundle_future_secs", 300));
    let e = notify_server::build(fig).err().unwrap();
    assert!(
        e.to_string()
            .contains("bundle_future_secs = 300 must be below 300"),
        "{e}"
    );
}

/// A request to a real endpoint with the wrong content type or method, or a batch hour that is
/// not a number, is told what is wrong, not "no such endpoint" or a JSON error (issue 18,
/// item 16).
#[test]
fn wrong_method_content_type_and_hour_are_named_and_hours_have_one_spelling() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 6);
    let c = client(&dir, &f, &[]);
    for path in ["/v1/bundles", "/v1/vault", "/v1/vault/query"] {
        let r = c.post(path).body("{}").dispatch();
        let status = r.status();
        let v = r.into_json::<Value>().unwrap();
        assert_eq!(status, Status::UnsupportedMediaType, "{path}: {v}");
        assert_eq!(v["error"], "unsupported_media_type");
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .contains("Content-Type: application/json"),
            "{v}"
        );
    }
    let (s, v) = get(&c, "/v1/vault");
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::MethodNotAllowed, "method_not_allowed")
    );
    assert!(v["detail"].as_str().unwrap().contains("takes POST"), "{v}");
    let r = c.delete("/v1/bundles").dispatch();
    assert_eq!(r.status(), Status::MethodNotAllowed);
    let (s, v) = get(&c, "/v1/batches/abc");
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::NotFound, "not_found")
    );
    assert!(
        v["detail"].as_str().unwrap().contains("decimal digits"),
        "{v}"
    );
    assert!(!v["detail"].as_str().unwrap().contains("JSON"), "{v}");
    // One URL a batch or day file: other spellings would be cached apart by a CDN, so they
    // name nothing.
    let hour = hour_of(now());
    let day = hour / 24 - 1;
    assert_eq!(get(&c, &format!("/v1/batches/{hour}")).0, Status::Ok);
    assert_eq!(get(&c, &format!("/v1/days/{day}")).0, Status::Ok);
    let escaped = |n: u64| {
        n.to_string()
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    };
    for (path, n) in [("batches", hour), ("days", day)] {
        for alias in [
            format!("0{n}"),
            format!("%2B{n}"),
            format!("+{n}"),
            format!("00{n}"),
            "00".to_string(),
            format!("{n}%20"),
            escaped(n),
            format!("{n}?v=1"),
            format!("{n}?"),
        ] {
            let (s, v) = get(&c, &format!("/v1/{path}/{alias}"));
            assert_eq!(
                (s, v["error"].as_str()),
                (Status::NotFound, Some("not_found")),
                "/v1/{path}/{alias} must not alias {n}: {v}"
            );
        }
    }
    assert_eq!(get(&c, "/v1/batches/0").0, Status::Gone);
    // Paths the API does not have are still "not found".
    let (s, v) = get(&c, "/v1/batches/1/2");
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (Status::NotFound, "not_found")
    );
}

/// A record or case file sent again (its first answer a 503, or lost) is stored once: spec 16b
/// makes every POST idempotent on its bytes. A case file posted again gets the same code.
#[test]
fn a_vault_record_or_case_file_sent_again_is_stored_once() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 8);
    let c = client(&dir, &f, &[]);
    let h = hour_of(now()) - 1;
    let record = f.record(h, "Sent twice");
    let other = f.record(h, "Sent once");
    for r in [&record, &record, &other, &record] {
        let (s, v) = post(&c, "/v1/vault", &json!({"record": b64(r)}));
        assert_eq!(
            s,
            Status::Created,
            "a re-send is answered as the first: {v}"
        );
    }
    let q = f.query(&[h], now());
    let (s, v) = post(&c, "/v1/vault/query", &json!({"query": b64(&q)}));
    assert_eq!(s, Status::Ok, "{v}");
    let got: Vec<Vec<u8>> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| unb64(r.as_str().unwrap()))
        .collect();
    assert_eq!(
        got.iter().filter(|r| **r == record).count(),
        1,
        "stored once"
    );
    assert_eq!(got.iter().filter(|r| **r == other).count(), 1);
    assert_eq!(got.len(), 2);

    let case_key = protocol::SealingSecretKey::from_bytes([0xca; 32]);
    let t = now();
    let file = protocol::CaseDiary {
        created_at: t,
        visits: vec![protocol::CaseVisit {
            poster: f.poster.clone(),
            arrival: t - 7200,
            departure: t - 3600,
        }],
    }
    .seal(&mut f.rng, &case_key.public_key())
    .unwrap();
    let code = protocol::CaseCode::generate(&mut f.rng);
    let (s, first) = post(&c, "/v1/cases", &case_body(&code, &file));
    assert_eq!(s, Status::Created, "{first}");
    let (s, again) = post(&c, "/v1/cases", &case_body(&code, &file));
    assert_eq!(s, Status::Created, "{again}");
    assert!(again["expires_at"].as_u64() >= first["expires_at"].as_u64());
    // Another file under the same id is refused, and the first stays.
    let mut other_file = file.clone();
    other_file[40] ^= 1;
    let (s, v) = post(&c, "/v1/cases", &case_body(&code, &other_file));
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::Conflict, Some("case_id_taken"))
    );
    // Held once: fetched once.
    let fetch = json!({"id": b64(&code.id())});
    let (s, v) = post(&c, "/v1/cases/fetch", &fetch);
    assert_eq!(s, Status::Ok);
    assert_eq!(unb64(v["case"].as_str().unwrap()), file);
    assert_eq!(post(&c, "/v1/cases/fetch", &fetch).0, Status::NotFound);
}

/// The store itself keeps one copy of a record however it is sent again: in the same group
/// commit, or days later (a phone that was offline); on both stores.
#[test]
fn the_store_keeps_one_copy_of_a_record_sent_again_whatever_the_day() {
    use notify_server::store::{PgSettings, PgStore, RedbStore, Store};
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 9);
    let store: Box<dyn Store> = match common::database_url(&common::store_settings()) {
        Some(url) => Box::new(PgStore::open(&PgSettings { url, pool_size: 2 }).unwrap()),
        None => Box::new(RedbStore::open(&dir.path().join("store.redb")).unwrap()),
    };
    let h = hour_of(now()) - 1;
    let record = f.record(h, "Offline for days");
    let tag = protocol::vault::record_tag(&record).unwrap();
    let day = now() / 86_400 * 86_400;
    // Twice before one flush.
    store.insert_vault_record(&tag, day, &record).unwrap();
    store.insert_vault_record(&tag, day + 60, &record).unwrap();
    store.flush().unwrap();
    // Again on each of the next days.
    for d in 1..4 {
        store
            .insert_vault_record(&tag, day + d * 86_400, &record)
            .unwrap();
        store.flush().unwrap();
    }
    assert_eq!(store.vault_records(&[tag], 100).unwrap(), vec![record]);
    assert!(store.check_integrity().unwrap().problems.is_empty());
}

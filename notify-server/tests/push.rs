//! Web Push wake-ups: a phone's subscription (made here, with its own P-256 key pair and auth
//! secret) is woken when an hour closes holding new bundles, by a real push request that a
//! local stand-in for the push service captures. The request carries a VAPID token that
//! verifies under the server's published key, and a body that decrypts (RFC 8291, with the
//! decryption that `push::ece`'s tests check against RFC 8291's example) with the
//! subscription's keys to the fixed message and nothing else; a push service's 410 deletes
//! the subscription; bad subscriptions are refused with named errors; push turned off sends
//! nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Fixture, b64, now};
use notify_server::store::PushSubscription;
use p256::ecdsa::signature::Verifier as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use protocol::hour_of;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A request the stand-in push service received.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A push service on loopback: records every request and answers 201, or 410 for paths
/// ending in `/gone`.
struct PushService {
    base: String,
    got: Arc<Mutex<Vec<Captured>>>,
}

impl PushService {
    fn start() -> PushService {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&got);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or_default().to_owned();
                    let path = parts.next().unwrap_or_default().to_owned();
                    let mut headers = Vec::new();
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.push((k.trim().to_owned(), v.trim().to_owned()));
                        }
                    }
                    let len: usize = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .map_or(0, |(_, v)| v.parse().unwrap());
                    let mut body = vec![0u8; len];
                    reader.read_exact(&mut body).unwrap();
                    let status = if path.ends_with("/gone") {
                        "410 Gone"
                    } else {
                        "201 Created"
                    };
                    seen.lock().unwrap().push(Captured {
                        method,
                        path,
                        headers,
                        body,
                    });
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                });
            }
        });
        PushService { base, got }
    }

    fn taken(&self) -> Vec<Captured> {
        std::mem::take(&mut *self.got.lock().unwrap())
    }
}

/// A phone's side of a subscription: its key pair and auth secret, made here.
struct Phone {
    secret: p256::SecretKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Phone {
    fn new(endpoint: String, seed: u8) -> Phone {
        let mut bytes = [seed; 32];
        bytes[0] = 1;
        bytes[31] = seed.wrapping_mul(7);
        Phone {
            secret: p256::SecretKey::from_slice(&bytes).unwrap(),
            auth: [seed ^ 0x5a; 16],
            endpoint,
        }
    }

    fn public(&self) -> Vec<u8> {
        self.secret
            .public_key()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    }

    /// The body `PushSubscription.toJSON()` gives in a browser.
    fn json(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {"p256dh": b64(&self.public()), "auth": b64(&self.auth)},
        })
    }
}

fn client(dir: &TempDir, f: &Fixture, extra: &[(&str, Value)]) -> Client {
    let mut fig = notify_server::figment()
        .merge(("data_dir", dir.path().join("data")))
        .merge(("trust_file", &f.trust_file))
        .merge(("log_level", "off"))
        .merge(("push_services", ["127.0.0.1"]))
        .merge(("push_contact", "mailto:operator@example.org"))
        .merge(("push_sends_per_second", 1000));
    for (k, v) in common::store_settings() {
        fig = fig.merge((k, v));
    }
    for (k, v) in extra {
        fig = fig.merge((*k, v.clone()));
    }
    Client::tracked(notify_server::build(fig).unwrap()).unwrap()
}

fn send(c: &Client, method: &str, path: &str, body: &str) -> (Status, Value) {
    let req = match method {
        "DELETE" => c.delete(path),
        _ => c.post(path),
    };
    let r = req
        .header(ContentType::JSON)
        .remote("192.0.2.9:40000".parse().unwrap())
        .body(body)
        .dispatch();
    let status = r.status();
    (status, r.into_json::<Value>().unwrap_or(Value::Null))
}

fn app(c: &Client) -> &notify_server::api::App {
    c.rocket().state::<notify_server::api::App>().unwrap()
}

/// Checks a captured push as a push service and the phone would: the VAPID token verifies
/// under the key the server publishes and names the push service's origin, and the body
/// decrypts with the phone's keys to the fixed message.
fn check_push(got: &Captured, phone: &Phone, server_key: &[u8], service: &PushService) {
    assert_eq!(got.method, "POST");
    assert_eq!(format!("{}{}", service.base, got.path), phone.endpoint);
    assert_eq!(got.header("ttl"), Some("43200"));
    assert_eq!(got.header("content-encoding"), Some("aes128gcm"));
    let auth = got.header("authorization").unwrap();
    let (t, k) = auth
        .strip_prefix("vapid t=")
        .and_then(|r| r.split_once(", k="))
        .unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(k).unwrap(), server_key);
    let (signed, sig) = t.rsplit_once('.').unwrap();
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(server_key).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
    key.verify(signed.as_bytes(), &sig)
        .expect("the VAPID token verifies under the published key");
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], service.base, "the push service's origin");
    assert_eq!(claims["sub"], "mailto:operator@example.org");
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp > now() && exp <= now() + 86_400, "exp within a day");
    let plain = notify_server::push::ece::decrypt(&got.body, &phone.secret, &phone.auth)
        .expect("the body decrypts with the subscription's keys");
    assert_eq!(
        plain,
        notify_server::push::MESSAGE,
        "nothing but the fixed message"
    );
    // aes128gcm header (salt, record size, key id length, 65-byte key id), the message, its
    // padding delimiter and the tag: the same for every push.
    assert_eq!(
        got.body.len(),
        16 + 4 + 1 + 65 + notify_server::push::MESSAGE.len() + 1 + 16
    );
}

#[test]
fn a_closed_hour_with_new_bundles_wakes_every_subscription_with_the_same_content_free_push() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 41);
    let service = PushService::start();
    let c = client(&dir, &f, &[]);
    let r = c.get("/v1/push/key").dispatch();
    assert_eq!(r.status(), Status::Ok);
    let key = URL_SAFE_NO_PAD
        .decode(r.into_json::<Value>().unwrap()["key"].as_str().unwrap())
        .unwrap();
    assert_eq!(key.len(), 65);
    let stays = Phone::new(format!("{}/push/stays", service.base), 3);
    let leaves = Phone::new(format!("{}/push/gone", service.base), 4);
    for phone in [&stays, &leaves] {
        let (s, v) = send(
            &c,
            "POST",
            "/v1/push/subscriptions",
            &phone.json().to_string(),
        );
        assert_eq!(s, Status::Created, "{v}");
        assert!(v["expires_at"].as_u64().unwrap() >= now() + 29 * 86_400);
    }
    // Posting it again renews it.
    let (s, _) = send(
        &c,
        "POST",
        "/v1/push/subscriptions",
        &stays.json().to_string(),
    );
    assert_eq!(s, Status::Ok);

    let b = f.bundle_at(now(), "m");
    let (s, _) = send(
        &c,
        "POST",
        "/v1/bundles",
        &json!({"bundle": b64(&b)}).to_string(),
    );
    assert_eq!(s, Status::Created);
    let h = hour_of(now());
    let store = Arc::clone(&app(&c).store);
    let pusher = Arc::clone(app(&c).push.as_ref().unwrap());
    // Once the hour has closed, a round wakes both phones.
    let later = (h + 1) * 3600 + 180;
    let round = notify_server::push::round(store.as_ref(), &pusher, later)
        .unwrap()
        .unwrap();
    assert_eq!((round.hour, round.new_bundles), (h, true));
    assert_eq!((round.delivered, round.gone), (1, 1), "{round:?}");
    let got = service.taken();
    assert_eq!(got.len(), 2);
    for phone in [&stays, &leaves] {
        let push = got
            .iter()
            .find(|g| format!("{}{}", service.base, g.path) == phone.endpoint)
            .unwrap();
        check_push(push, phone, &key, &service);
    }
    // The push service answered 410 for one: it is deleted, and the phone cannot find it.
    assert_eq!(store.push_count().unwrap(), 1);
    let (s, v) = send(
        &c,
        "DELETE",
        "/v1/push/subscriptions",
        &json!({"endpoint": leaves.endpoint, "auth": b64(&leaves.auth)}).to_string(),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::NotFound, Some("push_subscription_not_found"))
    );
    // The hour is announced once; an hour that closes without new bundles wakes nobody.
    assert_eq!(
        notify_server::push::round(store.as_ref(), &pusher, later + 60).unwrap(),
        None
    );
    let quiet = notify_server::push::round(store.as_ref(), &pusher, later + 3600)
        .unwrap()
        .unwrap();
    assert!(!quiet.new_bundles);
    assert!(service.taken().is_empty());
}

/// The headers of a push with the VAPID token's signature left out (a signature scheme may
/// draw fresh randomness for each), lower-cased and sorted.
fn headers_but_signature(got: &Captured) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = got
        .headers
        .iter()
        .map(|(k, v)| {
            let k = k.to_ascii_lowercase();
            let v = match (k.as_str(), v.split_once(", k=")) {
                ("authorization", Some((token, key))) => {
                    let unsigned = token.rsplit_once('.').map_or(token, |(u, _)| u);
                    format!("{unsigned}.<{} bytes>, k={key}", v.len())
                }
                _ => v.clone(),
            };
            (k, v)
        })
        .collect();
    headers.sort();
    headers
}

#[test]
fn every_subscription_in_a_round_gets_a_push_alike_in_size_and_headers_in_a_new_random_order() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 44);
    let service = PushService::start();
    // A slow pace (one push every 50 ms) so that the order in which the stand-in receives
    // the pushes is the order the round sent them in.
    let c = client(
        &dir,
        &f,
        &[
            ("push_sends_per_second", json!(20)),
            ("push_subscriptions_per_minute", json!(40)),
        ],
    );
    let phones: Vec<Phone> = (0..12)
        .map(|i| Phone::new(format!("{}/push/p{i:02}", service.base), 10 + i))
        .collect();
    for phone in &phones {
        let (s, v) = send(
            &c,
            "POST",
            "/v1/push/subscriptions",
            &phone.json().to_string(),
        );
        assert_eq!(s, Status::Created, "{v}");
    }
    let b = f.bundle_at(now(), "m");
    let (s, _) = send(
        &c,
        "POST",
        "/v1/bundles",
        &json!({"bundle": b64(&b)}).to_string(),
    );
    assert_eq!(s, Status::Created);
    let h = hour_of(now());
    let store = Arc::clone(&app(&c).store);
    let pusher = Arc::clone(app(&c).push.as_ref().unwrap());
    let key = pusher.public_key().to_vec();
    let listed: Vec<String> = store
        .push_subscriptions(now())
        .unwrap()
        .into_iter()
        .map(|s| s.endpoint)
        .collect();
    let round = |at: u64| {
        let r = notify_server::push::round(store.as_ref(), &pusher, at)
            .unwrap()
            .unwrap();
        assert_eq!((r.new_bundles, r.delivered), (true, 12), "{r:?}");
        let got = service.taken();
        assert_eq!(got.len(), 12, "one push per subscription");
        // Every push has the same body length and the same headers (the VAPID token's
        // signature aside): only the endpoint and the body's encryption are the phone's own.
        let first = headers_but_signature(&got[0]);
        assert!(first.iter().any(|(k, _)| k == "content-length"));
        for push in &got {
            let phone = phones
                .iter()
                .find(|p| p.endpoint == format!("{}{}", service.base, push.path))
                .unwrap();
            check_push(push, phone, &key, &service);
            assert_eq!(push.body.len(), got[0].body.len());
            assert_eq!(headers_but_signature(push), first, "{}", push.path);
        }
        let mut bodies: Vec<&Vec<u8>> = got.iter().map(|g| &g.body).collect();
        bodies.sort();
        bodies.dedup();
        assert_eq!(bodies.len(), 12, "each body is encrypted afresh");
        got.iter()
            .map(|g| format!("{}{}", service.base, g.path))
            .collect::<Vec<String>>()
    };
    let first = round((h + 1) * 3600 + 180);
    // A second round, for a bundle published in the next hour.
    let next = f.bundle_at(now(), "n");
    store
        .insert_bundle(&[7u8; 32], (h + 1) * 3600 + 10, &next)
        .unwrap();
    store.flush().unwrap();
    let second = round((h + 2) * 3600 + 180);
    // Both rounds reach all twelve, in orders that are neither the order the store lists the
    // subscriptions in nor each other's (each of these holds by chance once in 12!, about
    // 479 million).
    let mut sorted = first.clone();
    sorted.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(sorted, listed_sorted);
    assert_ne!(first, listed, "the send order is not the store's order");
    assert_ne!(second, listed, "the send order is not the store's order");
    assert_ne!(first, second, "each round draws a new order");
}

#[test]
fn a_round_paces_its_pushes_by_position_alone() {
    use notify_server::push::slot_start;
    // Slot i starts i / per_second seconds into the round: evenly spaced from the start,
    // the same in every round, whatever the subscription in it.
    assert_eq!(slot_start(0, 100), Duration::ZERO);
    assert_eq!(slot_start(1, 100), Duration::from_millis(10));
    assert_eq!(slot_start(250, 100), Duration::from_millis(2500));
    assert_eq!(slot_start(3, 1), Duration::from_secs(3));
    for per_second in [1, 7, 100, 5000] {
        let gaps: Vec<Duration> = (0..50)
            .map(|i| slot_start(i + 1, per_second) - slot_start(i, per_second))
            .collect();
        let step = Duration::from_secs_f64(1.0 / f64::from(per_second));
        for gap in gaps {
            let off = gap.abs_diff(step);
            assert!(off < Duration::from_nanos(2), "{per_second}/s: {gap:?}");
        }
    }
}

#[test]
fn a_phone_deletes_its_subscription_with_its_auth_secret_alone_and_expired_ones_are_purged() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 42);
    let service = PushService::start();
    let c = client(&dir, &f, &[]);
    let phone = Phone::new(format!("{}/push/p", service.base), 5);
    assert_eq!(
        send(
            &c,
            "POST",
            "/v1/push/subscriptions",
            &phone.json().to_string()
        )
        .0,
        Status::Created
    );
    let other = json!({"endpoint": phone.endpoint, "auth": b64(&[9u8; 16])});
    let (s, v) = send(&c, "DELETE", "/v1/push/subscriptions", &other.to_string());
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::NotFound, Some("push_subscription_not_found"))
    );
    // Nor may another auth secret take the endpoint over.
    let mut thief = phone.json();
    thief["keys"]["auth"] = b64(&[9u8; 16]).into();
    let (s, v) = send(&c, "POST", "/v1/push/subscriptions", &thief.to_string());
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::Conflict, Some("push_endpoint_taken"))
    );
    let mine = json!({"endpoint": phone.endpoint, "auth": b64(&phone.auth)});
    let (s, _) = send(&c, "DELETE", "/v1/push/subscriptions", &mine.to_string());
    assert_eq!(s, Status::NoContent);
    assert_eq!(app(&c).store.push_count().unwrap(), 0);

    // A subscription whose browser says it ends sooner is kept only until then, and purged.
    let mut soon = phone.json();
    let ends = now() + 3600;
    soon["expirationTime"] = json!(ends * 1000);
    let (s, v) = send(&c, "POST", "/v1/push/subscriptions", &soon.to_string());
    assert_eq!((s, v["expires_at"].as_u64()), (Status::Created, Some(ends)));
    let store = app(&c).store.as_ref();
    assert_eq!(notify_server::purge_push_once(store, ends - 1).unwrap(), 0);
    assert_eq!(store.push_subscriptions(ends - 1).unwrap().len(), 1);
    assert_eq!(notify_server::purge_push_once(store, ends).unwrap(), 1);
    assert_eq!(store.push_count().unwrap(), 0);
}

#[test]
fn bad_subscriptions_are_refused_with_named_errors() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 43);
    let service = PushService::start();
    let c = client(
        &dir,
        &f,
        &[
            ("push_max_subscriptions", json!(1)),
            ("push_subscriptions_per_minute", json!(40)),
        ],
    );
    let phone = Phone::new(format!("{}/push/x", service.base), 6);
    let with = |field: &str, value: Value| {
        let mut body = phone.json();
        match field {
            "endpoint" | "expirationTime" => body[field] = value,
            key => body["keys"][key] = value,
        }
        body.to_string()
    };
    let mut off_curve = vec![4u8];
    off_curve.extend([1u8; 64]);
    let cases: Vec<(String, Status, &str)> = vec![
        ("{".into(), Status::BadRequest, "bad_request"),
        (
            json!({"endpoint": phone.endpoint}).to_string(),
            Status::BadRequest,
            "bad_request",
        ),
        (
            with("endpoint", "https://push.evil.example/x".into()),
            Status::BadRequest,
            "push_bad_endpoint",
        ),
        (
            with(
                "endpoint",
                "https://fcm.googleapis.com.evil.example/x".into(),
            ),
            Status::BadRequest,
            "push_bad_endpoint",
        ),
        (
            with("endpoint", "not a url".into()),
            Status::BadRequest,
            "push_bad_endpoint",
        ),
        (
            with(
                "endpoint",
                format!("{}/{}", service.base, "a".repeat(1100)).into(),
            ),
            Status::BadRequest,
            "push_bad_endpoint",
        ),
        (
            with("p256dh", "!!".into()),
            Status::BadRequest,
            "bad_base64",
        ),
        (
            with("p256dh", b64(&[4u8; 33]).into()),
            Status::BadRequest,
            "push_bad_key",
        ),
        (
            with("p256dh", b64(&off_curve).into()),
            Status::BadRequest,
            "push_bad_key",
        ),
        (
            with("auth", b64(&[1u8; 15]).into()),
            Status::BadRequest,
            "push_bad_auth",
        ),
        (
            with("expirationTime", json!((now() - 10) * 1000)),
            Status::BadRequest,
            "push_subscription_expired",
        ),
        (
            with(
                "endpoint",
                format!("{}/{}", service.base, "a".repeat(3000)).into(),
            ),
            Status::PayloadTooLarge,
            "too_large",
        ),
    ];
    for (body, status, error) in &cases {
        let (s, v) = send(&c, "POST", "/v1/push/subscriptions", body);
        assert_eq!(
            (s, v["error"].as_str()),
            (*status, Some(*error)),
            "{body:.120}: {v}"
        );
    }
    // Without a JSON content type.
    let r = c
        .post("/v1/push/subscriptions")
        .body(phone.json().to_string())
        .dispatch();
    assert_eq!(r.status(), Status::UnsupportedMediaType);
    let r = c.delete("/v1/push/subscriptions").body("{}").dispatch();
    assert_eq!(r.status(), Status::UnsupportedMediaType);
    // The store holds one at most here: a second is refused, and nothing was stored by the
    // refusals above.
    assert_eq!(app(&c).store.push_count().unwrap(), 0);
    assert_eq!(
        send(
            &c,
            "POST",
            "/v1/push/subscriptions",
            &phone.json().to_string()
        )
        .0,
        Status::Created
    );
    let second = Phone::new(format!("{}/push/y", service.base), 7);
    let (s, v) = send(
        &c,
        "POST",
        "/v1/push/subscriptions",
        &second.json().to_string(),
    );
    assert_eq!(
        (s, v["error"].as_str()),
        (Status::ServiceUnavailable, Some("push_full"))
    );
    // Subscriptions per address and minute are limited like other writes.
    let limited = (0..40)
        .map(|_| {
            send(
                &c,
                "POST",
                "/v1/push/subscriptions",
                &phone.json().to_string(),
            )
            .0
        })
        .find(|s| *s != Status::Ok);
    assert_eq!(limited, Some(Status::TooManyRequests));
    assert!(service.taken().is_empty(), "refusals send nothing");
}

fn as_refs(e: &[(String, String)]) -> Vec<(&str, &str)> {
    e.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The real server: with push off, a subscription and a closed hour of new bundles in its
/// store wake nobody, and its push endpoints say it is off; started again with push on, the
/// same store's round runs by itself and wakes the phone.
#[test]
fn push_off_sends_nothing_and_push_on_wakes_by_itself() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 44);
    let service = PushService::start();
    let data = dir.path().join("data");
    let store_settings = common::store_settings();
    let mut settings = notify_server::config::Settings {
        data_dir: data.clone(),
        ..Default::default()
    };
    if let Some(url) = common::database_url(&store_settings) {
        settings.store = notify_server::config::StoreKind::Postgres;
        settings.database_url = Some(url);
    }
    std::fs::create_dir_all(&data).unwrap();
    let phone = Phone::new(format!("{}/push/p", service.base), 8);
    {
        let store = notify_server::open_configured(&settings).unwrap();
        // In the newest closed hour, and in the next (newest once it closes, should it close
        // while the test starts the server).
        let closed = notify_server::push::newest_closed_hour(now()).unwrap();
        for (i, hour) in [closed, closed + 1].into_iter().enumerate() {
            let bundle = f.bundle_at(now() - 300, &format!("m{i}"));
            store
                .insert_bundle(
                    &protocol::notice::bundle_id_of(&bundle),
                    hour * 3600 + 10,
                    &bundle,
                )
                .unwrap();
        }
        let sub = PushSubscription {
            endpoint: phone.endpoint.clone(),
            p256dh: phone.public().try_into().unwrap(),
            auth: phone.auth,
            expires_at: now() + 86_400,
        };
        store.push_subscribe(&sub, 10).unwrap();
        store.flush().unwrap();
    }
    let mut env: Vec<(String, String)> = common::env_of(&store_settings);
    env.push(("ROCKET_PUSH_SERVICES".into(), "[\"127.0.0.1\"]".into()));
    let env_with = |push: &str| {
        let mut e = env.clone();
        e.push(("ROCKET_PUSH_ENABLED".into(), push.into()));
        e
    };
    let off = env_with("false");
    let server = common::start_with(&data, &f.trust_file, &as_refs(&off));
    let a = common::agent();
    let r = a
        .get(format!("{}/v1/push/key", server.base))
        .call()
        .unwrap();
    assert_eq!(r.status(), 404);
    let (s, v) = common::post(
        &a,
        &format!("{}/v1/push/subscriptions", server.base),
        &phone.json(),
    );
    assert_eq!((s, v["error"].as_str()), (404, Some("push_disabled")));
    // A server with push on sends its first round as it starts (below); this one has had the
    // same chance.
    std::thread::sleep(Duration::from_secs(3));
    drop(server);
    assert!(service.taken().is_empty(), "push off sends nothing");

    let on = env_with("true");
    let server = common::start_with(&data, &f.trust_file, &as_refs(&on));
    let deadline = Instant::now() + Duration::from_secs(60);
    let got = loop {
        let got = service.taken();
        if !got.is_empty() || Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(got.len(), 1, "one wake-up for the one subscription");
    let r = a
        .get(format!("{}/v1/push/key", server.base))
        .call()
        .unwrap();
    let key: Value = serde_json::from_str(&r.into_body().read_to_string().unwrap()).unwrap();
    let key = URL_SAFE_NO_PAD
        .decode(key["key"].as_str().unwrap())
        .unwrap();
    let plain =
        notify_server::push::ece::decrypt(&got[0].body, &phone.secret, &phone.auth).unwrap();
    assert_eq!(plain, notify_server::push::MESSAGE);
    assert!(
        got[0]
            .header("authorization")
            .unwrap()
            .ends_with(&URL_SAFE_NO_PAD.encode(&key))
    );
    drop(server);
    // The key is kept with the store, readable by the server's user alone.
    if common::store_settings_are_redb() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.join(notify_server::store::VAPID_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

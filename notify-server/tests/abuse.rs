//! API abuse against the real `notify-server` binary over TCP: every hostile request ends in
//! a 4xx (or the connection being refused or closed), never a 5xx, nothing hostile is stored,
//! and the server keeps serving honest requests throughout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::{Fixture, Server, agent, b64, now, post, start, start_with};
use protocol::{Certificate, Ed25519Secret, hour_of};
use serde_json::{Value, json};
use tempfile::TempDir;

fn addr(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Sends raw bytes (optionally half-closing), and returns the status code of the answer, or
/// `None` if the server closed the connection without one.
fn raw(server: &Server, bytes: &[u8], half_close: bool) -> Option<u16> {
    exchange(TcpStream::connect(addr(server)).unwrap(), bytes, half_close)
}

/// As [`raw`], from the loopback address `from`.
fn raw_from(server: &Server, from: [u8; 4], bytes: &[u8]) -> Option<u16> {
    exchange(connect_from(server, from).unwrap(), bytes, false)
}

fn exchange(mut s: TcpStream, bytes: &[u8], half_close: bool) -> Option<u16> {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // A server may answer and close before reading everything (a 413): that is fine.
    let _ = s.write_all(bytes);
    if half_close {
        let _ = s.shutdown(Shutdown::Write);
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|t| t.get(..3))
        .and_then(|c| c.parse().ok())
}

fn request(method: &str, path: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn json_req(path: &str, body: &str) -> Vec<u8> {
    request("POST", path, "application/json", body.as_bytes())
}

fn healthy(server: &Server) -> Value {
    let mut r = agent()
        .get(format!("{}/healthz", server.base))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200, "the server stopped serving");
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
}

fn client_error(what: &str, status: Option<u16>) {
    // Closed without an answer is acceptable for broken HTTP.
    if let Some(s) = status {
        assert!((400..500).contains(&s), "{what}: answered {s}, not a 4xx");
    }
}

#[test]
fn hostile_requests_end_in_4xx_and_the_server_keeps_serving() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 21);
    let server = start(&dir.path().join("data"), &f.trust_file);
    let t = now();
    let good_bundle = f.bundle_at(t, "genuine");
    let good_record = f.record(hour_of(t) - 1, "Genuine Person");

    let mut cases: Vec<(&str, Vec<u8>, bool, Option<u16>)> = vec![
        // Oversized: each route's own limit.
        (
            "3 MiB bundle body",
            json_req(
                "/v1/bundles",
                &format!("{{\"bundle\":\"{}\"}}", "A".repeat(3 << 20)),
            ),
            false,
            Some(413),
        ),
        (
            "10 KiB vault body",
            json_req(
                "/v1/vault",
                &format!("{{\"record\":\"{}\"}}", "A".repeat(10 << 10)),
            ),
            false,
            Some(413),
        ),
        (
            "100 KiB query body",
            json_req(
                "/v1/vault/query",
                &format!("{{\"query\":\"{}\"}}", "A".repeat(100 << 10)),
            ),
            false,
            Some(413),
        ),
        // Truncated: JSON cut short, and a body shorter than its Content-Length.
        (
            "JSON cut short",
            json_req("/v1/vault", "{\"record\": \"abc"),
            false,
            Some(400),
        ),
        (
            "body shorter than Content-Length",
            {
                let mut r = json_req(
                    "/v1/vault",
                    &json!({"record": b64(&good_record)}).to_string(),
                );
                r.truncate(r.len() - 100);
                r
            },
            true,
            None,
        ),
        (
            "bundle truncated inside its base64",
            json_req(
                "/v1/bundles",
                &json!({"bundle": b64(&good_bundle[..good_bundle.len() - 10])}).to_string(),
            ),
            false,
            Some(400),
        ),
        // Malformed JSON, base64 and shapes.
        (
            "not JSON",
            json_req("/v1/vault", "record=abc"),
            false,
            Some(400),
        ),
        (
            "not UTF-8",
            request(
                "POST",
                "/v1/vault",
                "application/json",
                &[0xff, 0xfe, 0x7b, 0x7d],
            ),
            false,
            Some(400),
        ),
        (
            "bad base64",
            json_req("/v1/vault", "{\"record\":\"!!!\"}"),
            false,
            Some(400),
        ),
        (
            "base64 with padding",
            json_req("/v1/bundles", "{\"bundle\":\"AAAA==\"}"),
            false,
            Some(400),
        ),
        (
            "wrong field",
            json_req("/v1/vault", "{\"rec\":\"AAAA\"}"),
            false,
            Some(400),
        ),
        (
            "wrong type",
            json_req("/v1/bundles", "{\"bundle\":5}"),
            false,
            Some(422),
        ),
        (
            "empty body",
            json_req("/v1/vault/query", ""),
            false,
            Some(400),
        ),
        (
            "deeply nested JSON",
            json_req(
                "/v1/vault",
                &format!("{}{}", "[".repeat(2000), "]".repeat(2000)),
            ),
            false,
            None,
        ),
        (
            "wrong content type",
            request("POST", "/v1/vault", "text/plain", b"hello"),
            false,
            None,
        ),
        // Broken HTTP.
        (
            "garbage request line",
            b"HELLO THERE\r\n\r\n".to_vec(),
            false,
            None,
        ),
        (
            "huge header",
            format!(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(1 << 20)
            )
            .into_bytes(),
            false,
            None,
        ),
        // Bad parameters.
        (
            "negative cursor",
            request("GET", "/v1/bundles?after=-1", "application/json", b""),
            false,
            None,
        ),
        (
            "cursor not a number",
            request(
                "GET",
                "/v1/bundles?after=x&limit=y",
                "application/json",
                b"",
            ),
            false,
            None,
        ),
        (
            "hour not a number",
            request("GET", "/v1/batches/soon", "application/json", b""),
            false,
            None,
        ),
        (
            "unknown route",
            request("DELETE", "/v1/bundles", "application/json", b""),
            false,
            None,
        ),
    ];

    // Certificates: forged (another root), expired, not yet valid; for bundles and queries.
    let tracer = f.tracer.clone();
    let other_root = Ed25519Secret::from_bytes([99; 32]);
    let certs = [
        (
            "forged certificate",
            Certificate::issue(
                &other_root,
                &tracer.verifying_key(),
                "Forger",
                t - 100,
                t + 3600,
            )
            .unwrap(),
            t,
        ),
        (
            "expired certificate",
            Certificate::issue(&f.root, &tracer.verifying_key(), "Old", t - 7200, t - 3600)
                .unwrap(),
            t - 3700,
        ),
        (
            "not-yet-valid certificate",
            Certificate::issue(&f.root, &tracer.verifying_key(), "New", t + 3600, t + 7200)
                .unwrap(),
            t + 3700,
        ),
    ];
    for (what, cert, at) in &certs {
        let b = f.bundle_with(&tracer, cert, *at, "x");
        // A bundle under a certificate that starts later is also signed in the future: 422.
        let want = if cert.not_before() > t { 422 } else { 403 };
        cases.push((
            what,
            json_req("/v1/bundles", &json!({"bundle": b64(&b)}).to_string()),
            false,
            Some(want),
        ));
        let mut rng = rand::rngs::SysRng;
        let q = protocol::query::sign_query(
            &mut rand_core::UnwrapErr(&mut rng),
            &tracer,
            cert,
            t,
            &[protocol::vault_file_tag(&f.poster.venue_id(), hour_of(t))],
        )
        .unwrap();
        cases.push((
            what,
            json_req("/v1/vault/query", &json!({"query": b64(&q)}).to_string()),
            false,
            Some(403),
        ));
    }
    // Outside the retention window and the clock: old and future bundles, and batches for
    // hours long gone or not yet begun.
    let old = f.bundle_at(t - 3 * 3600, "old");
    cases.push((
        "bundle signed hours ago",
        json_req("/v1/bundles", &json!({"bundle": b64(&old)}).to_string()),
        false,
        Some(422),
    ));
    let future = f.bundle_at(t + 3 * 3600, "future");
    cases.push((
        "bundle from the future",
        json_req("/v1/bundles", &json!({"bundle": b64(&future)}).to_string()),
        false,
        Some(422),
    ));
    let gone = format!("/v1/batches/{}", hour_of(t) - 15 * 24);
    cases.push((
        "batch beyond retention",
        request("GET", &gone, "application/json", b""),
        false,
        Some(410),
    ));
    let soon = format!("/v1/batches/{}", hour_of(t) + 2);
    cases.push((
        "batch in the future",
        request("GET", &soon, "application/json", b""),
        false,
        Some(404),
    ));

    for (what, bytes, half_close, want) in &cases {
        let got = raw(&server, bytes, *half_close);
        match want {
            Some(code) => assert_eq!(got, Some(*code), "{what}"),
            None => client_error(what, got),
        }
        healthy(&server);
    }
    // Replayed query: answered once, refused after.
    let q = f.query(&[hour_of(t) - 1], t);
    let url = format!("{}/v1/vault/query", server.base);
    assert_eq!(post(&agent(), &url, &json!({"query": b64(&q)})).0, 200);
    let (s, v) = post(&agent(), &url, &json!({"query": b64(&q)}));
    assert_eq!((s, v["error"].as_str().unwrap()), (409, "query_replayed"));

    // Nothing hostile was stored, and honest requests still work.
    healthy(&server);
    assert_eq!(metric(&server, "notify_bundles_stored "), 0);
    assert_eq!(metric(&server, "notify_vault_records_stored "), 0);
    let url = format!("{}/v1/bundles", server.base);
    assert_eq!(
        post(&agent(), &url, &json!({"bundle": b64(&good_bundle)})).0,
        201
    );
    eprintln!(
        "{} hostile requests, all refused with a 4xx or a closed connection",
        cases.len() + 1
    );
}

/// A TCP connection to `server` from the loopback address `from` (any 127.x.y.z is local).
fn connect_from(server: &Server, from: [u8; 4]) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let to: std::net::SocketAddr = addr(server).parse().unwrap();
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    s.bind(&std::net::SocketAddr::from((from, 0)).into())?;
    s.connect(&to.into())?;
    Ok(s.into())
}

/// True if the server has closed `s` (EOF or reset) already.
fn closed_now(s: &mut TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut b = [0u8; 1];
    let closed = match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    s.set_nonblocking(false).unwrap();
    closed
}

/// True if the server closes `s` (EOF or reset) within `wait`.
fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut b = [0u8; 1];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

fn metric(server: &Server, name: &str) -> u64 {
    let text = agent()
        .get(format!("{}/metrics", server.admin))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap()
}

/// Thousands of connections that send nothing, or half a request and then nothing: one
/// address gets `max_connections_per_address` and no more, the whole crowd gets at most
/// `max_connections` (300 here), the guard closes them when they have been idle for the timeout, and
/// the server answers honest clients throughout or, at worst, once the timeout has passed.
#[test]
fn thousands_of_idle_connections_hit_the_connection_limits() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 22);
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[
            ("ROCKET_MAX_CONNECTIONS", "300"),
            ("ROCKET_MAX_CONNECTIONS_PER_ADDRESS", "100"),
            ("ROCKET_IDLE_TIMEOUT_SECS", "3"),
        ],
    );
    // One address opens 400 at once: 100 are held, 300 closed at once.
    let mut conns = Vec::new();
    for i in 0..400 {
        let mut s = connect_from(&server, [127, 0, 0, 2]).unwrap();
        if i % 2 == 1 {
            let _ = s.write_all(b"POST /v1/vault HTTP/1.1\r\nHost: x\r\n"); // never finished
        }
        conns.push(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut held = Vec::new();
    let mut refused = 0;
    for mut s in conns {
        if closed_now(&mut s) {
            refused += 1;
        } else {
            held.push(s);
        }
    }
    assert_eq!((held.len(), refused), (100, 300));
    healthy(&server);
    // Twenty more addresses open 100 each: 2,000 more against 200 free places. The guard
    // never holds more than the limit.
    let started = std::time::Instant::now();
    let mut crowd = Vec::new();
    for a in 0..20u8 {
        for _ in 0..100 {
            if let Ok(s) = connect_from(&server, [127, 0, 1, a + 1]) {
                crowd.push(s);
            }
        }
    }
    let opening = started.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let crowd_refused = crowd.iter_mut().map(closed_now).filter(|c| *c).count();
    held.extend(crowd);
    let open_now = held.iter_mut().map(closed_now).filter(|c| !*c).count();
    assert!(open_now <= 300, "{open_now} connections open at once");
    // Within the idle timeout (and some margin for a busy machine) every idle connection is
    // closed and honest clients are served again.
    let started = std::time::Instant::now();
    let mut served = false;
    while started.elapsed() < Duration::from_secs(30) {
        let r = agent().get(format!("{}/healthz", server.base)).call();
        if matches!(r, Ok(ref r) if r.status() == 200) {
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        served,
        "the server did not serve again after the idle timeout"
    );
    let mut still_open = 0;
    for s in held.iter_mut() {
        if !closed_within(s, Duration::from_secs(10)) {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "idle connections outlived the timeout");
    let record = f.record(hour_of(now()) - 1, "Still Served");
    let url = format!("{}/v1/vault", server.base);
    assert_eq!(
        post(&agent(), &url, &json!({"record": b64(&record)})).0,
        201
    );
    let refused_total = metric(&server, "notify_connections_refused_total");
    let idle_closed = metric(&server, "notify_connections_idle_closed_total");
    assert!(refused_total >= 300 + 1500, "{refused_total} refused");
    // An honest probe arriving while the server is full makes room for itself (its prefix is
    // less crowded than the crowd's), so a few of the crowd may be evicted rather than idle.
    let evicted = metric(&server, "notify_connections_evicted_total");
    assert!(
        idle_closed + evicted >= 300,
        "{idle_closed} closed for idleness, {evicted} evicted"
    );
    eprintln!(
        "2,400 idle connections from 21 addresses (the last 2,000 opened in {opening:?}, \
         {crowd_refused} of them closed at once): {refused_total} refused by a connection \
         limit, {idle_closed} closed after the idle timeout, {evicted} evicted for honest \
         clients; the server kept serving"
    );
}

/// A flood of vault uploads from one address is cut off at the configured rate with 429s
/// and Retry-After; the server keeps serving everything else.
#[test]
fn a_flood_of_vault_uploads_from_one_address_is_limited() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 23);
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[("ROCKET_VAULT_UPLOADS_PER_MINUTE", "50")],
    );
    let h = hour_of(now()) - 1;
    let records: Vec<Vec<u8>> = (0..600).map(|i| f.record(h, &format!("P{i}"))).collect();
    let url = format!("{}/v1/vault", server.base);
    let results: Vec<(u16, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = records
            .chunks(150)
            .map(|chunk| {
                let url = url.clone();
                s.spawn(move || {
                    let a = agent();
                    chunk
                        .iter()
                        .map(|r| {
                            let resp = a
                                .post(&url)
                                .header("content-type", "application/json")
                                .send(json!({"record": b64(r)}).to_string())
                                .unwrap();
                            (
                                resp.status().as_u16(),
                                resp.headers().get("retry-after").is_some(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let limited = results.iter().filter(|(s, r)| *s == 429 && *r).count();
    assert_eq!(
        created + limited,
        results.len(),
        "only 201s and 429s with Retry-After"
    );
    assert!(
        created <= 50 * 2,
        "{created} uploads got through a limit of 50 a minute"
    );
    assert!(limited >= 400);
    healthy(&server);
    assert_eq!(
        metric(&server, "notify_vault_records_stored "),
        created as u64
    );
    // Bundles and reads are unaffected.
    let b = f.bundle_at(now(), "during the flood");
    assert_eq!(
        post(
            &agent(),
            &format!("{}/v1/bundles", server.base),
            &json!({"bundle": b64(&b)})
        )
        .0,
        201
    );
    eprintln!(
        "flood of {}: {created} stored, {limited} refused with 429",
        results.len()
    );
}

/// A client that asks for much and never reads (a tiny receive window, 80 pipelined requests
/// for the app's script) does not hold its connection open: once nothing has moved towards
/// it for the idle timeout, the guard closes it, and it gets only part of what it asked for.
/// Honest clients are served throughout.
#[test]
fn a_client_that_stops_reading_is_closed_after_the_idle_timeout() {
    use socket2::{Domain, Socket, Type};
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 23);
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[("ROCKET_IDLE_TIMEOUT_SECS", "2")],
    );
    let script = agent()
        .get(format!("{}/v1/c/app.js", server.base))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap()
        .len();
    let to: std::net::SocketAddr = addr(&server).parse().unwrap();
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    s.set_recv_buffer_size(1024).unwrap();
    s.connect(&to.into()).unwrap();
    let mut s: TcpStream = s.into();
    let asks = 80;
    let one = request("GET", "/v1/c/app.js", "text/plain", b"");
    for _ in 0..asks {
        s.write_all(&one).unwrap();
    }
    // Not reading, for longer than the idle timeout; the server serves others meanwhile, and
    // lets go of the stalled connection (and of every other, idle by then).
    std::thread::sleep(Duration::from_secs(4));
    healthy(&server);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while metric(&server, "notify_connections_open") != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "a client that stopped reading is still held, 30 s on"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut got = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let ended = loop {
        match s.read(&mut buf) {
            Ok(0) => break "closed",
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                break "still open after 30 s of waiting";
            }
            Err(_) => break "closed",
        }
    };
    assert_eq!(ended, "closed");
    assert!(
        got < asks * script,
        "the stalled client still got all {asks} answers ({got} bytes): it was waited for"
    );
    eprintln!(
        "a client that stopped reading after {asks} pipelined requests for {script} bytes each \
         got {got} bytes of {} before the guard closed it",
        asks * script
    );
}

/// Large posts cannot take the server's memory: bodies of bundles and case files being read
/// hold their endpoint's limit of a budget (`large_bodies_mib`), and past it a post is
/// answered `503 server_busy` at once, before a byte of its body is buffered, while small
/// posts go on; publishing is rate-limited per address like every other post.
#[test]
fn large_posts_share_a_memory_budget_and_publishing_is_rate_limited() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 24);
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[
            ("ROCKET_LARGE_BODIES_MIB", "4"),
            ("ROCKET_PUBLISH_PER_MINUTE", "100000"),
        ],
    );
    // Two slow posts of nearly 2 MiB each hold the whole budget while they trickle.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr(&server)).unwrap();
        s.write_all(
            b"POST /v1/bundles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 2000000\r\n\r\n{\"bundle\":\"AAAA",
        )
        .unwrap();
        slow.push(s);
    }
    let url = format!("{}/v1/bundles", server.base);
    // (A post may be read before the slow ones reach the server; then it is published.)
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (s, v) = loop {
        let b = f.bundle_at(now(), "while busy");
        let (s, v) = post(&agent(), &url, &json!({"bundle": b64(&b)}));
        if s == 503 || std::time::Instant::now() > deadline {
            break (s, v);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!((s, v["error"].as_str()), (503, Some("server_busy")), "{v}");
    // Small posts are not held up.
    let record = f.record(hour_of(now()) - 1, "Small Post");
    let vault = format!("{}/v1/vault", server.base);
    assert_eq!(
        post(&agent(), &vault, &json!({"record": b64(&record)})).0,
        201
    );
    healthy(&server);
    // Once the slow posts are gone, bundles are read again.
    drop(slow);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "never published again"
        );
        let b = f.bundle_at(now(), "after");
        let (s, v) = post(&agent(), &url, &json!({"bundle": b64(&b)}));
        if s == 201 {
            break;
        }
        assert_eq!(s, 503, "{v}");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
    // Publishing is rate-limited per address: the fourth bundle in a minute is refused.
    let limited = start_with(
        &dir.path().join("data2"),
        &f.trust_file,
        &[("ROCKET_PUBLISH_PER_MINUTE", "3")],
    );
    let url = format!("{}/v1/bundles", limited.base);
    for i in 0..3 {
        let b = f.bundle_at(now(), &format!("allowed {i}"));
        assert_eq!(post(&agent(), &url, &json!({"bundle": b64(&b)})).0, 201);
    }
    let b = f.bundle_at(now(), "one too many");
    let (s, v) = post(&agent(), &url, &json!({"bundle": b64(&b)}));
    assert_eq!((s, v["error"].as_str()), (429, Some("rate_limited")), "{v}");
}

/// A crowd from one address prefix (an IPv4 /24 here) gets `max_connections_per_prefix` and
/// no more, however many addresses it uses; and once the server is full, a client from a
/// fresh prefix is still served: the guard closes the longest-silent connection of the most
/// crowded prefix to make room for it, and says so in its metrics.
#[test]
fn a_crowd_from_one_prefix_cannot_keep_other_clients_out() {
    let dir = TempDir::new().unwrap();
    let f = Fixture::new(dir.path(), 31);
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[
            ("ROCKET_MAX_CONNECTIONS", "40"),
            ("ROCKET_MAX_CONNECTIONS_PER_ADDRESS", "10"),
            ("ROCKET_MAX_CONNECTIONS_PER_PREFIX", "30"),
            ("ROCKET_IDLE_TIMEOUT_SECS", "120"),
        ],
    );
    // Five addresses of one /24, ten connections each: thirty are held, twenty refused.
    let mut crowd = Vec::new();
    for a in 1..=5u8 {
        for _ in 0..10 {
            crowd.push(connect_from(&server, [127, 0, 3, a]).unwrap());
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let refused = crowd.iter_mut().map(closed_now).filter(|c| *c).count();
    assert_eq!(refused, 20, "a prefix holds at most 30");
    // Ten more from another prefix fill the server (30 + 10 = 40).
    let mut others: Vec<TcpStream> = (0..10)
        .map(|_| connect_from(&server, [127, 0, 4, 1]).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        others.iter_mut().all(|s| !closed_now(s)),
        "the second prefix's ten are held"
    );
    // Full. A client from a third prefix is let in all the same, and while it holds its
    // connection, one from a fourth prefix is served too: each newcomer made room.
    let health = request("GET", "/healthz", "text/plain", b"");
    let mut first = connect_from(&server, [127, 0, 5, 1]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(!closed_now(&mut first), "a newcomer is let in when full");
    assert_eq!(raw_from(&server, [127, 0, 6, 1], &health), Some(200));
    assert_eq!(exchange(first, &health, false), Some(200));
    std::thread::sleep(Duration::from_millis(300));
    let crowd_closed = crowd.iter_mut().map(closed_now).filter(|c| *c).count() - refused;
    let others_closed = others.iter_mut().map(closed_now).filter(|c| *c).count();
    assert_eq!(
        (crowd_closed, others_closed),
        (2, 0),
        "room is made in the most crowded prefix only"
    );
    assert_eq!(metric(&server, "notify_connections_evicted_total"), 2);
}

/// Only a configured reverse proxy may name the client's address in `ip_header`, and of a
/// forwarded list only the rightmost address the proxy itself added counts: a client reaching
/// the server directly, or writing its own `X-Forwarded-For` through the proxy, cannot step
/// out of its rate limit. An `ip_header` with no trusted proxy is refused at start.
#[test]
fn only_a_trusted_proxy_may_name_the_client_address() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 32);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_notify-server"))
        .arg("--print-config")
        .env("ROCKET_IP_HEADER", "X-Forwarded-For")
        .env("ROCKET_DATA_DIR", dir.path().join("unused"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("trusted_proxies is empty") && err.contains("ROCKET_TRUSTED_PROXIES"),
        "{err}"
    );
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[
            ("ROCKET_IP_HEADER", "X-Forwarded-For"),
            ("ROCKET_TRUSTED_PROXIES", "[\"127.0.0.1\"]"),
            ("ROCKET_VAULT_UPLOADS_PER_MINUTE", "2"),
        ],
    );
    let h = hour_of(now()) - 1;
    let mut upload = |from: [u8; 4], forwarded: &str, name: &str| {
        let body = json!({"record": b64(&f.record(h, name))}).to_string();
        let mut r = format!(
            "POST /v1/vault HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
             X-Forwarded-For: {forwarded}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body.as_bytes());
        raw_from(&server, from, &r)
    };
    // Straight to the server: each upload names another address; the limit holds anyway.
    let direct: Vec<_> = (0..3)
        .map(|i| upload([127, 0, 0, 2], &format!("198.51.100.{i}"), &format!("D{i}")))
        .collect();
    assert_eq!(direct, [Some(201), Some(201), Some(429)]);
    // Through the proxy: the client 203.0.113.7 writes its own first element each time.
    let proxied: Vec<_> = (0..3)
        .map(|i| {
            upload(
                [127, 0, 0, 1],
                &format!("192.0.2.{i}, 203.0.113.7"),
                &format!("P{i}"),
            )
        })
        .collect();
    assert_eq!(proxied, [Some(201), Some(201), Some(429)]);
    // Another client behind the same proxy has its own limit.
    assert_eq!(
        upload([127, 0, 0, 1], "203.0.113.8", "Q"),
        Some(201),
        "clients behind one proxy do not share a bucket"
    );
}

/// Posts `body` to `path` from the loopback address `from`; the status and the JSON answer.
fn post_from(server: &Server, from: [u8; 4], path: &str, body: &Value) -> (u16, Value) {
    let mut s = connect_from(server, from).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(&json_req(path, &body.to_string())).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|t| t.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

/// Case files cannot fill the server's disk: the bytes held per address and in all are
/// bounded (spec sections 16b and 17). Past the address's bound a post is `429
/// case_address_full` with `Retry-After`, past the total `507 case_storage_full`, each in
/// words, nothing stored; a fetched file frees room in the total, and other addresses keep
/// posting while one is at its bound.
#[test]
fn case_files_held_are_bounded_per_address_and_in_all() {
    let dir = TempDir::new().unwrap();
    let mut f = Fixture::new(dir.path(), 29);
    // One longest case file as held per address (the least the server accepts): 48 of the
    // smallest files; and 60 of them in all.
    let held = (protocol::case::MIN_CASE_LEN + 104) as u64;
    let per_address = (protocol::case::MAX_CASE_LEN + 104) as u64;
    let total = 60 * held + held / 2;
    let server = start_with(
        &dir.path().join("data"),
        &f.trust_file,
        &[
            ("ROCKET_QUERIES_PER_MINUTE", "1000000"),
            ("ROCKET_CASE_BYTES_PER_ADDRESS", &per_address.to_string()),
            ("ROCKET_CASE_BYTES_TOTAL", &total.to_string()),
        ],
    );
    let case_key = protocol::SealingSecretKey::from_bytes([0xca; 32]);
    let mut hand_over = |from: [u8; 4]| {
        let file = protocol::CaseDiary {
            created_at: now(),
            visits: vec![],
        }
        .seal(&mut f.rng, &case_key.public_key())
        .unwrap();
        let code = protocol::CaseCode::generate(&mut f.rng);
        let body = json!({"case": b64(&file), "id": b64(&code.id()), "tag": b64(&code.tag(&file))});
        (post_from(&server, from, "/v1/cases", &body), code)
    };
    let fits = usize::try_from(per_address / held).unwrap();
    assert_eq!(fits, 48);
    let mut codes = Vec::new();
    for i in 0..fits {
        let ((s, v), code) = hand_over([127, 0, 0, 2]);
        assert_eq!(s, 201, "file {i}: {v}");
        codes.push(code);
    }
    let ((s, v), _) = hand_over([127, 0, 0, 2]);
    assert_eq!(
        (s, v["error"].as_str()),
        (429, Some("case_address_full")),
        "{v}"
    );
    assert!(v["detail"].as_str().unwrap().contains("as a file instead"));
    // Another address still posts, until the total is reached.
    for i in fits..60 {
        let ((s, v), code) = hand_over([127, 0, 0, 3]);
        assert_eq!(s, 201, "file {i}: {v}");
        codes.push(code);
    }
    let ((s, v), _) = hand_over([127, 0, 0, 4]);
    assert_eq!(
        (s, v["error"].as_str()),
        (507, Some("case_storage_full")),
        "{v}"
    );
    assert!(v["detail"].as_str().unwrap().contains("try again later"));
    // A fetch frees room in the total, not in the address's bound (it counts until expiry,
    // and the server keeps no address with a file).
    let (s, _) = post_from(
        &server,
        [127, 0, 0, 5],
        "/v1/cases/fetch",
        &json!({"id": b64(&codes[0].id())}),
    );
    assert_eq!(s, 200);
    assert_eq!(hand_over([127, 0, 0, 4]).0.0, 201);
    assert_eq!(hand_over([127, 0, 0, 2]).0.0, 429);
    healthy(&server);
}

//! Signed releases of the web app, through the real binaries (spec section 16d): `tracer
//! authority release-sign` signs a built release only as built, and `checkin verify-app`
//! compares what a real `notify-server` serves with the signed release, passing the genuine
//! server and naming the file a server in front of it changed (a small proxy here, which
//! passes every answer on but changes `app.js`), with a non-zero exit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "tests"
)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use tests::{ok, run, start_server};

fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

/// A proxy on a free loopback port in front of `upstream` (`127.0.0.1:PORT`): each GET is
/// passed on as it came (one request a connection), and the answer comes back as the server
/// gave it, except that a body whose path ends with `/app.js` gets a line appended, as a
/// server that changed the app would serve it. Returns its base URL.
fn tampering_proxy(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                let mut server = TcpStream::connect(&upstream).unwrap();
                write!(
                    server,
                    "GET {path} HTTP/1.1\r\nHost: {upstream}\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut answer = Vec::new();
                server.read_to_end(&mut answer).unwrap();
                let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let (head, body) = answer.split_at(split);
                let mut body = body.to_vec();
                if path.split('?').next().unwrap().ends_with("/app.js") {
                    body.extend_from_slice(b"\n// served by a server that changed the app\n");
                }
                let head: String = String::from_utf8_lossy(head)
                    .lines()
                    .filter(|l| {
                        !l.is_empty() && !l.to_ascii_lowercase().starts_with("content-length:")
                    })
                    .map(|l| format!("{l}\r\n"))
                    .collect();
                let _ = client
                    .write_all(format!("{head}Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                let _ = client.write_all(&body);
            });
        }
    });
    url
}

#[test]
fn verify_app_passes_the_signed_release_and_names_the_file_a_server_changed() {
    let t = TempDir::new().unwrap();
    let d = t.path();
    // The development authority: the committed app is its signed release.
    common::authority::init_development(&d.join("authority"), "Development authority").unwrap();
    let server = start_server(d, &d.join("authority/trust.txt"));
    let files = std::fs::read_to_string(dist().join("SHA256SUMS"))
        .unwrap()
        .lines()
        .count();

    let out = ok(
        d,
        "checkin",
        &[
            "verify-app",
            "--server",
            &server.url,
            "--trust",
            "authority/trust.txt",
        ],
    );
    println!("{out}");
    assert!(
        out.contains("app.js: the same as the signed release"),
        "{out}"
    );
    assert!(
        out.contains(&format!("All {files} files are the signed release's")),
        "{out}"
    );
    // Against the release directory, the server's own SHA256SUMS and signature are compared
    // too.
    let out = ok(
        d,
        "checkin",
        &[
            "verify-app",
            "--server",
            &server.url,
            "--trust",
            "authority/trust.txt",
            "--release",
            dist().to_str().unwrap(),
        ],
    );
    assert!(out.contains(&format!("All {} files", files + 2)), "{out}");

    // A server that serves a changed app.js: named, in words, and the exit is not 0.
    let proxy = tampering_proxy(server.url.trim_start_matches("http://").to_owned());
    for release in [None, Some(dist())] {
        let mut args = vec![
            "verify-app",
            "--server",
            &proxy,
            "--trust",
            "authority/trust.txt",
        ];
        let dir = release.as_ref().map(|r| r.to_str().unwrap().to_owned());
        if let Some(dir) = &dir {
            args.extend(["--release", dir]);
        }
        let changed = run(d, "checkin", &args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&changed.stdout),
            String::from_utf8_lossy(&changed.stderr),
        );
        println!("{stdout}{stderr}");
        assert!(!changed.status.success(), "{stdout}");
        assert!(
            stdout.contains("app.js: DIFFERS from the signed release"),
            "{stdout}"
        );
        assert!(
            stdout.contains("index.html: the same as the signed release"),
            "{stdout}"
        );
        assert!(
            stderr.contains("serves 1 of") && stderr.contains("(app.js)"),
            "{stderr}"
        );
    }

    // Under another authority's trust file, the served release is not that authority's.
    for i in ["1", "2"] {
        ok(
            d,
            "tracer",
            &["authority", "officer-init", "--out", &format!("o{i}")],
        );
    }
    ok(
        d,
        "tracer",
        &[
            "authority",
            "init",
            "--out",
            "other",
            "--name",
            "Other Board",
            "--officer",
            "o1/officer.pub",
            "--officer",
            "o2/officer.pub",
        ],
    );
    let other = run(
        d,
        "checkin",
        &[
            "verify-app",
            "--server",
            &server.url,
            "--trust",
            "other/trust.txt",
        ],
    );
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(!other.status.success());
    assert!(
        stderr.contains("not signed by the authority's release key"),
        "{stderr}"
    );
}

#[test]
fn release_sign_signs_only_what_was_built_and_keeps_its_key_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let t = TempDir::new().unwrap();
    let d = t.path();
    for i in ["1", "2"] {
        ok(
            d,
            "tracer",
            &["authority", "officer-init", "--out", &format!("o{i}")],
        );
    }
    let init = ok(
        d,
        "tracer",
        &[
            "authority",
            "init",
            "--out",
            "authority",
            "--name",
            "Example Health Board",
            "--officer",
            "o1/officer.pub",
            "--officer",
            "o2/officer.pub",
        ],
    );
    assert!(init.contains("release.key"), "{init}");
    let mode = std::fs::metadata(d.join("authority/release.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let trust = std::fs::read_to_string(d.join("authority/trust.txt")).unwrap();
    assert!(trust.contains("\nrelease: "), "{trust}");

    // A release whose app.js is not the one SHA256SUMS lists is not signed.
    std::fs::create_dir(d.join("dist")).unwrap();
    for e in std::fs::read_dir(dist()).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "SHA256SUMS.sig" {
            std::fs::copy(e.path(), d.join("dist").join(e.file_name())).unwrap();
        }
    }
    let app = d.join("dist/app.js");
    let genuine = std::fs::read(&app).unwrap();
    std::fs::write(&app, [genuine.as_slice(), b"\n"].concat()).unwrap();
    let args = [
        "authority",
        "release-sign",
        "--authority",
        "authority",
        "--dist",
        "dist",
    ];
    let refused = run(d, "tracer", &args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("app.js") && stderr.contains("DIFFERS"),
        "{stderr}"
    );
    assert!(!d.join("dist/SHA256SUMS.sig").exists());
    // A file the sums leave out is refused too.
    std::fs::write(&app, &genuine).unwrap();
    std::fs::write(d.join("dist/extra.js"), b"1").unwrap();
    let refused = run(d, "tracer", &args);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("extra.js"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    std::fs::remove_file(d.join("dist/extra.js")).unwrap();
    // As built, it is signed, and verifies under this authority's trust file only.
    let out = ok(d, "tracer", &args);
    assert!(out.contains("Signed the release"), "{out}");
    let anchor = protocol::TrustAnchor::parse(&trust).unwrap();
    protocol::Release::verify(
        &anchor,
        &std::fs::read(d.join("dist/SHA256SUMS")).unwrap(),
        &std::fs::read(d.join("dist/SHA256SUMS.sig")).unwrap(),
    )
    .unwrap();
    // Signing again needs --force.
    assert!(!run(d, "tracer", &args).status.success());
    ok(d, "tracer", &[&args[..], &["--force"]].concat());
}

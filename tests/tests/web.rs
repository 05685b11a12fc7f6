//! The phone client's own tests (`web/`, TypeScript), run by `cargo test --workspace` so that
//! one command runs every test: the protocol core against `spec/vectors` with vitest, and the
//! type check. Needs Node.js 20 and npm (`.ci/run` installs them where missing); the packages
//! come from `web/package-lock.json` through `npm ci`.
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use std::path::PathBuf;
use std::process::Command;

fn web() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web")
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(web())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {program} ({e}): the web client's tests need Node.js 20 and npm \
                 (apt-get install nodejs npm; .ci/run does)"
            )
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_web_client_passes_its_tests_and_type_check() {
    run(
        "npm",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    );
    run("npx", &["--no-install", "vitest", "run"]);
    run("npm", &["run", "--silent", "typecheck"]);
    // The built app is committed (the server compiles it in, so the README's main command
    // needs no npm); rebuilt here, it must come out byte for byte the same.
    let fresh = tempfile::TempDir::new().unwrap();
    run("node", &["build.mjs", fresh.path().to_str().unwrap()]);
    let dist = web().join("dist");
    let names = |dir: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(fresh.path()),
        names(&dist),
        "web/dist holds other files than a build"
    );
    for name in names(&dist) {
        assert!(
            std::fs::read(fresh.path().join(&name)).unwrap()
                == std::fs::read(dist.join(&name)).unwrap(),
            "web/dist/{name} is stale: run `npm run build` in web/ and commit web/dist"
        );
    }
}

/// The committed build is the development authority's signed release: its SHA256SUMS.sig
/// verifies under the release key of the trust file the main command's server makes, and
/// `tracer authority release-sign` with that authority's release.key writes the same bytes
/// (build.mjs signs the development build with the same public seed), and the root key the
/// app carries is that authority's.
#[test]
fn the_committed_app_is_a_release_signed_for_the_development_authority() {
    let t = tempfile::TempDir::new().unwrap();
    let dir = t.path().join("dev-authority");
    let trust = common::authority::init_development(&dir, "Development authority").unwrap();
    let dist = web().join("dist");
    let sums = std::fs::read(dist.join("SHA256SUMS")).unwrap();
    let sig = std::fs::read(dist.join("SHA256SUMS.sig")).unwrap();
    let release = protocol::Release::verify(&trust, &sums, &sig).unwrap_or_else(|e| {
        panic!("web/dist/SHA256SUMS.sig: {e}: run `npm run build` in web/ and commit web/dist")
    });
    assert!(
        release
            .compare(|name| std::fs::read(dist.join(name)).ok())
            .iter()
            .all(protocol::release::FileCheck::is_same),
        "web/dist does not match its SHA256SUMS"
    );
    // The tool signs the same bytes: Ed25519 signatures are deterministic.
    let copy = t.path().join("dist");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(&dist).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "SHA256SUMS.sig" {
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
    }
    tests::ok(
        t.path(),
        "tracer",
        &[
            "authority",
            "release-sign",
            "--authority",
            "dev-authority",
            "--dist",
            "dist",
        ],
    );
    assert_eq!(std::fs::read(copy.join("SHA256SUMS.sig")).unwrap(), sig);
    // A second signing refuses to replace the signature without --force.
    let again = tests::run(
        t.path(),
        "tracer",
        &[
            "authority",
            "release-sign",
            "--authority",
            "dev-authority",
            "--dist",
            "dist",
        ],
    );
    assert!(!again.status.success());
    // The app carries this root: the bundle holds its base64url.
    let root = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        trust.root.as_bytes(),
    );
    let app = std::fs::read_to_string(dist.join("app.js")).unwrap();
    assert!(
        app.contains(&root),
        "app.js does not carry the development root {root}"
    );
}

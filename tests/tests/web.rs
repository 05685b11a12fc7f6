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

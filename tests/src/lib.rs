//! End-to-end tests of the whole system, through the real binaries and a real server.
//!
//! The stories are in `tests/stories.rs`, the power cuts in `tests/powercut.rs`. The library
//! holds only test support: [`bin_dir`], the real binaries, and [`powercut`], a file system that
//! can lose its power, which the server's own power-cut test uses too.
#![forbid(unsafe_code)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test support: a set-up step that fails must fail the test that asked for it"
)]

pub mod powercut;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Builds the four binaries once (a no-op when they are fresh) and returns their directory.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(&root)
            .args([
                "build",
                "-q",
                "-p",
                "notify-server",
                "-p",
                "client",
                "-p",
                "tracer",
                "-p",
                "venue-keygen",
                "--bins",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "building the binaries failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        target.join("debug")
    })
}

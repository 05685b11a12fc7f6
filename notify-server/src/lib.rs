//! Notify server: stores and serves notices and vault records it cannot read.
//!
//! This crate is a skeleton: its commands land with issue #5. Until then the binary
//! refuses to run and says so, rather than pretending to work.
#![forbid(unsafe_code)]

/// What the binary prints until its commands land.
pub const UNAVAILABLE: &str = "notify-server: this build has no commands yet (they land with issue #5); \
     the protocol library in protocol/ is available";

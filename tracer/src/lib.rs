//! Health authority's tool: authority set-up, notices, opening vault records.
//!
//! This crate is a skeleton: its commands land with issue #6. Until then the binary
//! refuses to run and says so, rather than pretending to work.
#![forbid(unsafe_code)]

/// What the binary prints until its commands land.
pub const UNAVAILABLE: &str = "tracer: this build has no commands yet (they land with issue #6); \
     the protocol library in protocol/ is available";

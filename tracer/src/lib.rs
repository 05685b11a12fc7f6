//! The health authority's tool: authority set-up, notices, opening vault records.
//!
//! This crate holds the authority directory format (`authority`), which the notify server
//! also uses to create a development authority. The `tracer` commands land with issue #6;
//! until then the binary refuses to run and says so, rather than pretending to work.
#![forbid(unsafe_code)]

pub mod authority;

/// What the binary prints until its commands land.
pub const UNAVAILABLE: &str = "tracer: this build has no commands yet (they land with issue #6); \
     the protocol library in protocol/ is available";

//! Venue owner's tool: venue keys and printable keyed posters.
//!
//! This crate is a skeleton: its commands land with issue #3. Until then the binary
//! refuses to run and says so, rather than pretending to work.
#![forbid(unsafe_code)]

/// What the binary prints until its commands land.
pub const UNAVAILABLE: &str = "venue-keygen: this build has no commands yet (they land with issue #3); \
     the protocol library in protocol/ is available";

//! Citizen's encrypted visit diary: check-in, sync and local matching.
//!
//! This crate is a skeleton: its commands land with issue #4. Until then the binary
//! refuses to run and says so, rather than pretending to work.
#![forbid(unsafe_code)]

/// What the binary prints until its commands land.
pub const UNAVAILABLE: &str = "checkin: this build has no commands yet (they land with issue #4); \
     the protocol library in protocol/ is available";

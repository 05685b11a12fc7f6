//! End-to-end tests of the whole system, through the real binaries and a real server.
//!
//! The stories are in `tests/stories.rs`; this crate holds no code of its own.
#![forbid(unsafe_code)]

//! End-to-end tests of the whole system, through the real binaries and a real server.
//!
//! The stories land with issue #7, once the binaries they drive exist.
#![forbid(unsafe_code)]

//! Plumbing the programs share, so that each is written once:
//!
//! - [`files`]: atomic, durable private-file writes and directory creation;
//! - [`time`]: one way to read and show a time, in an explicit zone;
//! - [`keyfile`]: the small `header` + `field: base64url` key files;
//! - [`authority`]: the authority's key files and trust file;
//! - [`approval`]: the approval request and approval files between tracer and venue;
//! - [`exchange`]: reading the files parties hand each other, refused under the spec's names;
//! - [`qr`] (feature `qr`): a poster from its URL, its code, or a photo of its QR code;
//! - [`http`] (feature `http`): the HTTP agent that talks to the notify server;
//! - [`revocation`]: the authority's revocation list, from a file or (feature `http`) the server;
//! - [`hex`], the protocol's.
//!
//! It depends on `protocol` and on nothing of the programs: `checkin`, `tracer`,
//! `venue-keygen` and `notify-server` all build on it, and none on another.
#![forbid(unsafe_code)]

pub mod approval;
pub mod authority;
pub mod error;
pub mod exchange;
pub mod files;
#[cfg(feature = "http")]
pub mod http;
pub mod keyfile;
#[cfg(feature = "qr")]
pub mod qr;
pub mod revocation;
pub mod time;

pub use error::Error;
/// Lower-case hex (the protocol's own).
pub use protocol::hex;

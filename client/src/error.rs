//! The client's errors: each says what happened and what to do.

use std::fmt;

/// Everything a `checkin` command can fail with.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// No diary in the directory.
    NotInitialised(String),
    /// The passphrase or device key does not open the diary.
    Locked,
    /// A value is not acceptable.
    Invalid(String),
    /// The scanned code is not a usable poster.
    Poster(String),
    /// The diary store failed.
    Store(String),
    /// The server could not be reached; nothing changed.
    Unreachable(String),
    /// A bundle from the server failed verification; it was not stored.
    Rejected(String),
    /// Reading or writing a file failed.
    File(String),
    /// Another `checkin` command holds the diary.
    Busy(String),
    /// The server answered, but not as the protocol says; what was read so far is kept.
    ServerMisbehaved(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotInitialised(dir) => {
                write!(f, "there is no diary in {dir}: run 'checkin init' first")
            }
            Error::Locked => f.write_str(
                "the diary does not open: wrong passphrase or device key (nothing was changed)",
            ),
            Error::Invalid(m) | Error::Store(m) | Error::File(m) => f.write_str(m),
            Error::Poster(m) => write!(f, "cannot check in: {m}"),
            Error::Unreachable(m) => write!(
                f,
                "cannot reach the server: {m}. Your diary is unchanged; try again later"
            ),
            Error::Rejected(m) => write!(
                f,
                "a notice from the server failed verification and was not stored: {m}"
            ),
            Error::Busy(dir) => write!(
                f,
                "another checkin command is using the diary in {dir}: try again when it has \
                 finished"
            ),
            Error::ServerMisbehaved(m) => write!(
                f,
                "the server does not follow the protocol: {m}. What was downloaded before is \
                 kept; try again later, or tell the server's operator"
            ),
        }
    }
}

impl std::error::Error for Error {}

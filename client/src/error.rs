//! The client's errors: each says what happened and what to do, and keeps the error beneath
//! it (the operating system's, the store's, the network's) as its [`source`].
//!
//! [`source`]: std::error::Error::source

use std::fmt;
use std::path::PathBuf;

/// The error beneath a client error.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a `checkin` command can fail with.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// No diary in the directory.
    NotInitialised(PathBuf),
    /// The passphrase or device key does not open the diary.
    Locked,
    /// A value the citizen gave is not acceptable; the message says which and why.
    Invalid(String),
    /// The scanned code is not a usable poster.
    Poster(PosterRefusal),
    /// The diary's files cannot be read or written, or are damaged.
    Store {
        /// What failed, such as "cannot save the diary in DIR".
        what: String,
        /// Why, when something beneath said so.
        source: Option<Source>,
    },
    /// A file the citizen named (or the terminal) cannot be read or written.
    File(common::Error),
    /// The server could not be reached, or refused; nothing changed.
    Unreachable {
        /// The server and what happened, such as "https://… answered 503".
        what: String,
        /// The network error, if there was one.
        source: Option<Source>,
    },
    /// Another `checkin` command holds the diary.
    Busy(PathBuf),
    /// The server answered, but not as the protocol says; what was read so far is kept.
    ServerMisbehaved(String),
}

/// Why a poster was refused at check-in.
#[non_exhaustive]
#[derive(Debug)]
pub enum PosterRefusal {
    /// The poster's validity starts after the check-in time (both Unix seconds).
    NotYetValid {
        /// First valid moment.
        from: u64,
        /// The check-in time.
        at: u64,
    },
    /// The poster expired before the check-in time (Unix seconds).
    Expired {
        /// Last valid moment.
        until: u64,
    },
    /// The poster (or its photo, or its file) does not read.
    Unreadable(common::Error),
    /// The poster reads but fails the protocol's checks.
    Invalid(protocol::PosterError),
}

impl Error {
    /// The diary's files failed in a way described by `what`, with nothing beneath.
    pub fn store(what: impl Into<String>) -> Self {
        Error::Store {
            what: what.into(),
            source: None,
        }
    }

    /// The diary's files failed in a way described by `what`, because of `source`.
    pub fn store_because(what: impl Into<String>, source: impl Into<Source>) -> Self {
        Error::Store {
            what: what.into(),
            source: Some(source.into()),
        }
    }
}

impl From<common::Error> for Error {
    fn from(e: common::Error) -> Self {
        match e {
            common::Error::Invalid(m) => Error::Invalid(m),
            e => Error::File(e),
        }
    }
}

impl fmt::Display for PosterRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = crate::visits::at;
        match self {
            PosterRefusal::NotYetValid { from, at: when } => write!(
                f,
                "this poster is valid only from {}; check-in at {} refused",
                at(*from),
                at(*when)
            ),
            PosterRefusal::Expired { until } => write!(
                f,
                "this poster expired at {}; ask the venue for a current one",
                at(*until)
            ),
            PosterRefusal::Unreadable(e) => e.fmt(f),
            PosterRefusal::Invalid(e) => e.fmt(f),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotInitialised(dir) => write!(
                f,
                "there is no diary in {}: run 'checkin init' first",
                dir.display()
            ),
            Error::Locked => f.write_str(
                "the diary does not open: wrong passphrase or device key (nothing was changed)",
            ),
            Error::Invalid(m) => f.write_str(m),
            Error::Store { what, source } => match source {
                Some(s) => write!(f, "{what}: {s}"),
                None => f.write_str(what),
            },
            Error::File(e) => e.fmt(f),
            Error::Poster(why) => write!(f, "cannot check in: {why}"),
            Error::Unreachable { what, source } => {
                f.write_str("cannot reach the server: ")?;
                match source {
                    Some(s) => write!(f, "{what}: {s}")?,
                    None => f.write_str(what)?,
                }
                f.write_str(". Your diary is unchanged; try again later")
            }
            Error::Busy(dir) => write!(
                f,
                "another checkin command is using the diary in {}: try again when it has \
                 finished",
                dir.display()
            ),
            Error::ServerMisbehaved(m) => write!(
                f,
                "the server does not follow the protocol: {m}. What was downloaded before is \
                 kept; try again later, or tell the server's operator"
            ),
        }
    }
}

impl std::error::Error for PosterRefusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PosterRefusal::Unreadable(e) => Some(e),
            PosterRefusal::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Store {
                source: Some(s), ..
            }
            | Error::Unreachable {
                source: Some(s), ..
            } => Some(s.as_ref()),
            Error::File(e) => Some(e),
            Error::Poster(e) => Some(e),
            _ => None,
        }
    }
}

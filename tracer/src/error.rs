//! The tracer's errors. Each says what is wrong and what to do.

use std::fmt;
use std::path::PathBuf;

/// Everything a tracer command can fail with.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A value, a file or a directory is not usable (the shared plumbing's error, which says
    /// which and why, and keeps the operating system's reason as its source).
    Local(common::Error),
    /// The server could not be reached: nothing was sent.
    Unreachable(String),
    /// The request may have reached the server, but no answer came back.
    NoAnswer(String),
    /// The server answered a vault query with only some of the records that matched: a
    /// request file made from it could miss the very records the tracer needs.
    Incomplete {
        /// How many records the server sent.
        sent: usize,
    },
    /// What the server answered is not what the citizen's phone sent (spec section 16.1): a
    /// case file whose tag does not bind it to its code.
    Case(protocol::CaseError),
    /// The server refused a request.
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's error name.
        error: String,
        /// The server's explanation.
        detail: String,
    },
}

impl Error {
    /// A value given on the command line is not acceptable.
    pub fn invalid(message: String) -> Self {
        Error::Local(common::Error::Invalid(message))
    }

    /// A key or output file already exists.
    pub fn exists(path: impl Into<PathBuf>) -> Self {
        Error::Local(common::Error::Exists(path.into()))
    }

    /// A file is damaged or of the wrong kind.
    pub fn bad_file(path: impl Into<PathBuf>, why: impl Into<String>) -> Self {
        Error::Local(common::Error::BadFile(path.into(), why.into()))
    }

    /// Reading or writing failed.
    pub fn io(action: &str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Local(common::Error::io(action, path, source))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Local(e) => e.fmt(f),
            Error::Unreachable(m) => write!(f, "cannot reach the server: {m}; nothing was sent"),
            Error::NoAnswer(m) => write!(
                f,
                "the server did not answer: {m}. Whether it received the request is unknown; \
                 running the command again is safe (a bundle published twice is stored once)"
            ),
            Error::Incomplete { sent } => write!(
                f,
                "the server sent {sent} vault records and says more matched than it answers at \
                 once, so the venue's records may not all be among them (someone may have \
                 flooded the venue's file tags with junk records): nothing was written. Query \
                 fewer days at a time (--from, --to), or ask the server's operator to raise \
                 max_query_records"
            ),
            Error::Case(e) => write!(f, "{e} ({})", e.code()),
            Error::Refused {
                status,
                error,
                detail,
            } => {
                write!(f, "the server refused it ({status} {error}): {detail}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Local(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

impl Error {
    /// A failed request to `url`: unreachable if it failed before anything was sent (no such
    /// host, connection refused, connecting timed out), else without an answer.
    pub fn from_request(url: &str, e: &ureq::Error) -> Self {
        use ureq::Timeout;
        let before_sending = match e {
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
            ureq::Error::Timeout(t) => matches!(t, Timeout::Resolve | Timeout::Connect),
            ureq::Error::Io(io) => matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::AddrNotAvailable
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
            ),
            _ => false,
        };
        if before_sending {
            Error::Unreachable(format!("{url}: {e}"))
        } else {
            Error::NoAnswer(format!("{url}: {e}"))
        }
    }
}

impl From<common::Error> for Error {
    fn from(e: common::Error) -> Self {
        Error::Local(e)
    }
}

//! The tracer's errors. Each says what is wrong and what to do.

use std::fmt;
use std::path::PathBuf;

/// Everything a tracer command can fail with.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A value given on the command line is not acceptable.
    Invalid(String),
    /// A key or output file already exists.
    Exists(PathBuf),
    /// Reading or writing failed.
    Io {
        /// What was being done.
        action: String,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is damaged or of the wrong kind.
    BadFile(PathBuf, String),
    /// The server could not be reached.
    Unreachable(String),
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
    pub(crate) fn io(action: &str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action: action.to_owned(),
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(m) => f.write_str(m),
            Error::Exists(p) => write!(
                f,
                "{} already exists; refusing to overwrite it (choose another location)",
                p.display()
            ),
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::BadFile(p, why) => write!(f, "{} is not usable: {why}", p.display()),
            Error::Unreachable(m) => write!(f, "cannot reach the server: {m}; nothing was sent"),
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
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

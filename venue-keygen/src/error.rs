//! The tool's errors. Each message names what is wrong and what to do about it.

use std::fmt;
use std::path::PathBuf;

use protocol::{PosterError, VaultError};

/// Everything that can go wrong in a venue-keygen command.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A value, a file or a directory is not usable (the shared plumbing's error, which says
    /// which and why, and keeps the operating system's reason as its source).
    Local(common::Error),
    /// The poster fields are not acceptable, or a scanned code is not a poster.
    Poster(PosterError),
    /// A key file is already there and `--force` was not given.
    KeyExists(PathBuf),
    /// An output file is already there and `--force` was not given.
    OutputExists(PathBuf),
    /// A key file is not a venue key file.
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A vault step failed.
    Vault(VaultError),
    /// The poster could not be drawn.
    Render(String),
}

impl Error {
    /// A value given on the command line or in a file is not acceptable.
    pub fn invalid(message: String) -> Self {
        Error::Local(common::Error::Invalid(message))
    }

    /// Reading or writing `path` failed while doing `action`.
    pub fn io(action: &str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Local(common::Error::io(action, path, source))
    }
}

impl From<common::Error> for Error {
    fn from(e: common::Error) -> Self {
        match e {
            // The tools that write venue files offer --force; say so.
            common::Error::Exists(path) => Error::OutputExists(path),
            e => Error::Local(e),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Local(e) => e.fmt(f),
            Error::Poster(e) => write!(f, "{e}"),
            Error::KeyExists(p) => write!(
                f,
                "{} already holds a venue key; refusing to overwrite it, because posters already \
                 printed with that key would stop matching. Use another --out directory, or \
                 --force if you really mean to replace the key",
                p.display()
            ),
            Error::OutputExists(p) => write!(
                f,
                "{} already exists; refusing to overwrite it (use --force to replace it)",
                p.display()
            ),
            Error::BadKeyFile { path, reason } => {
                write!(
                    f,
                    "{} is not a usable venue key file: {reason}",
                    path.display()
                )
            }
            Error::Vault(e) => write!(f, "{e}"),
            Error::Render(m) => write!(f, "cannot draw the poster: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Local(e) => e.source(),
            Error::Poster(e) => Some(e),
            Error::Vault(e) => Some(e),
            _ => None,
        }
    }
}

impl From<PosterError> for Error {
    fn from(e: PosterError) -> Self {
        Error::Poster(e)
    }
}

impl From<VaultError> for Error {
    fn from(e: VaultError) -> Self {
        Error::Vault(e)
    }
}

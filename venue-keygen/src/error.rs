//! The tool's errors. Each message names what is wrong and what to do about it.

use std::fmt;
use std::path::PathBuf;

use protocol::{PosterError, VaultError};

/// Everything that can go wrong in a venue-keygen command.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A command-line value is not acceptable.
    Invalid(String),
    /// The poster fields are not acceptable, or a scanned code is not a poster.
    Poster(PosterError),
    /// A key file is already there and `--force` was not given.
    KeyExists(PathBuf),
    /// An output file is already there and `--force` was not given.
    OutputExists(PathBuf),
    /// Reading or writing a file failed.
    Io {
        /// What was being done, such as "write poster.pdf".
        action: String,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A key file is not a venue key file.
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An image holds no readable QR code.
    NoQrCode(PathBuf),
    /// A vault request file is malformed or for another venue.
    BadRequest(String),
    /// A vault step failed.
    Vault(VaultError),
    /// The poster could not be drawn.
    Render(String),
}

impl Error {
    pub(crate) fn io(
        action: impl Into<String>,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action: action.into(),
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(m) => f.write_str(m),
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
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::BadKeyFile { path, reason } => {
                write!(
                    f,
                    "{} is not a usable venue key file: {reason}",
                    path.display()
                )
            }
            Error::NoQrCode(p) => write!(
                f,
                "no readable QR code found in {}: use a sharper, straighter photo, or pass the \
                 poster URL instead",
                p.display()
            ),
            Error::BadRequest(m) => write!(f, "the vault request cannot be used: {m}"),
            Error::Vault(e) => write!(f, "{e}"),
            Error::Render(m) => write!(f, "cannot draw the poster: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
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

//! The errors of the shared plumbing. Each says what is wrong and what to do; the programs
//! wrap them in their own.

use std::fmt;
use std::path::PathBuf;

/// What the shared plumbing can fail with.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A value is not acceptable.
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
    /// A file one party hands another was refused by a check the spec names: `code` is that
    /// name (`file_wrong_kind`, `approval_not_own_venue`, …), `detail` says why in words.
    Refused {
        /// The file.
        path: PathBuf,
        /// The spec's name for the refusal, as in the vectors.
        code: &'static str,
        /// What is wrong and what to do.
        detail: String,
    },
}

impl Error {
    /// Reading or writing `path` failed while doing `action` ("read", "write", …).
    pub fn io(action: &str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action: action.to_owned(),
            path: path.into(),
            source,
        }
    }
}

impl Error {
    /// `path` refused by the check `code` names, for the reason `detail` gives.
    pub fn refused(path: &std::path::Path, code: &'static str, detail: impl fmt::Display) -> Self {
        Error::Refused {
            path: path.to_path_buf(),
            code,
            detail: detail.to_string(),
        }
    }

    /// The spec's name for a refused file, if this is one.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Error::Refused { code, .. } => Some(code),
            _ => None,
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
            Error::Refused { path, code, detail } => {
                write!(f, "{} is refused ({code}): {detail}", path.display())
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

//! Writing files so that a crash or an error never leaves half of one behind, and reading
//! and writing the venue key file.
//!
//! Every file is written to a temporary file in the destination directory, flushed to disk,
//! and then renamed into place (or hard-linked, where it must not replace an existing file).
//! Temporary files are created with mode 0600, so secrets are never readable by others, even
//! for an instant.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::{Poster, VenueSecret};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::Error;

/// Name of the key file inside a venue's directory.
pub const KEY_FILE: &str = "venue.key";
const KEY_FORMAT: &str = "checkin-venue-key/v1";

/// A file ready to be put in place.
pub struct Staged {
    temp: tempfile::NamedTempFile,
    dest: PathBuf,
}

/// Writes `data` to a temporary file next to `dest` and syncs it.
pub fn stage(dest: &Path, data: &[u8]) -> Result<Staged, Error> {
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".venue-keygen-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a file in", dir, e))?;
    temp.write_all(data)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io("write", dest, e))?;
    Ok(Staged {
        temp,
        dest: dest.to_path_buf(),
    })
}

impl Staged {
    /// Puts the file in place, replacing what is there only if `replace`.
    pub fn commit(self, replace: bool) -> Result<(), Error> {
        let dest = self.dest;
        if replace {
            self.temp
                .persist(&dest)
                .map_err(|e| Error::io("write", &dest, e.error))?;
        } else {
            self.temp.persist_noclobber(&dest).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::OutputExists(dest.clone())
                } else {
                    Error::io("write", &dest, e.error)
                }
            })?;
        }
        sync_dir(&dest)
    }

    /// Sets the permission bits the file will have (the default is 0600).
    #[cfg(unix)]
    pub fn set_mode(&self, mode: u32) -> Result<(), Error> {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(self.temp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io("set permissions on", &self.dest, e))
    }

    /// Sets the permission bits the file will have (no-op off Unix).
    #[cfg(not(unix))]
    pub fn set_mode(&self, _mode: u32) -> Result<(), Error> {
        Ok(())
    }
}

/// Makes a rename in `path`'s directory durable (`common::files`).
fn sync_dir(path: &Path) -> Result<(), Error> {
    common::files::sync_parent(path).map_err(from_common)
}

/// Creates `dir` and any missing parents, 0700, each new entry synced (`common::files`).
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    common::files::create_dir(dir).map_err(from_common)
}

fn from_common(e: common::Error) -> Error {
    match e {
        common::Error::Io {
            action,
            path,
            source,
        } => Error::Io {
            action,
            path,
            source,
        },
        other => Error::Invalid(other.to_string()),
    }
}

/// Writes a whole file atomically, refusing to replace an existing one unless `replace`.
pub fn write_file(dest: &Path, data: &[u8], mode: u32, replace: bool) -> Result<(), Error> {
    let staged = stage(dest, data)?;
    staged.set_mode(mode)?;
    staged.commit(replace)
}

#[derive(Serialize, Deserialize)]
struct KeyFileJson {
    format: String,
    warning: String,
    seed: String,
    poster: String,
    base_url: String,
}

/// What a venue key file holds: the secret seed, and the poster it signed (from which the
/// venue id and the printed URL follow).
pub struct VenueKeyFile {
    /// The venue's secret seed.
    pub secret: VenueSecret,
    /// The poster made with it.
    pub poster: Poster,
    /// The base URL the poster was printed with.
    pub base_url: String,
}

impl VenueKeyFile {
    /// The key file's contents.
    pub fn to_json(&self) -> Zeroizing<String> {
        let json = KeyFileJson {
            format: KEY_FORMAT.into(),
            warning: "SECRET. Anyone with this file can make posters for this venue. Keep it \
                      offline, with a backup; you need it to help open consented contact records."
                .into(),
            seed: URL_SAFE_NO_PAD.encode(self.secret.to_bytes().as_ref()),
            poster: self.poster.payload(),
            base_url: self.base_url.clone(),
        };
        let text = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
        let mut seed = json.seed;
        zeroize::Zeroize::zeroize(&mut seed);
        Zeroizing::new(text)
    }

    /// Reads and checks a key file: the seed must derive the keys printed on the poster.
    pub fn read(path: &Path) -> Result<VenueKeyFile, Error> {
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?);
        let bad = |reason: &str| Error::BadKeyFile {
            path: path.to_path_buf(),
            reason: reason.to_owned(),
        };
        let json: KeyFileJson =
            serde_json::from_str(&text).map_err(|_| bad("it is not a venue key file (JSON)"))?;
        if json.format != KEY_FORMAT {
            return Err(bad("unknown key file format"));
        }
        let seed = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(json.seed.as_bytes())
                .map_err(|_| bad("the seed is not base64url"))?,
        );
        let seed: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| bad("the seed is not 32 bytes"))?;
        let secret = VenueSecret::from_bytes(seed);
        let poster = Poster::from_payload(&json.poster)
            .map_err(|e| bad(&format!("its poster is damaged: {e}")))?;
        let keys = secret.keys();
        if keys.verifying_key() != *poster.verifying_key()
            || keys.sealing_public() != *poster.sealing_key()
        {
            return Err(bad("its seed does not belong to its poster"));
        }
        Ok(VenueKeyFile {
            secret,
            poster,
            base_url: json.base_url,
        })
    }
}

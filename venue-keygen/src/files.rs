//! Writing files so that a crash or an error never leaves half of one behind, and reading
//! and writing the venue key file.
//!
//! Every file is written by `common::files`: to a temporary file in the destination directory
//! (mode 0600 from the start, so secrets are never readable by others, even for an instant),
//! synced, then renamed or linked into place and the directory synced.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::{Poster, VenueSecret};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::Error;

/// Name of the key file inside a venue's directory.
pub const KEY_FILE: &str = "venue.key";
const KEY_FORMAT: &str = "checkin-venue-key/v1";

pub use common::files::{Staged, create_dir, stage, write};

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

//! Signed releases of the web app (spec section 16d): the release's `SHA256SUMS`, the
//! signature file beside it (`SHA256SUMS.sig`) made with the release key the trust file names,
//! and the comparison of what a server serves with a release that verifies.
//!
//! ```text
//! SHA256SUMS       <64 lower-case hex>  <name>\n   one line per file, names sorted
//! SHA256SUMS.sig   checkin-release-signature v1\nsignature: <base64url>\n
//! ```
//!
//! The signature covers `SHA256SUMS` byte for byte, so it cannot be one of the files listed:
//! the signature file is outside the hashed set, as `SHA256SUMS` itself is.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _};
use sha2::{Digest as _, Sha256};

use crate::domain;
use crate::error::ReleaseError;
use crate::keys::Ed25519Secret;
use crate::trust::TrustAnchor;

/// File name of a release's hashes.
pub const SUMS_FILE: &str = "SHA256SUMS";
/// File name of the release key's signature over [`SUMS_FILE`].
pub const SIGNATURE_FILE: &str = "SHA256SUMS.sig";
/// First line of a signature file.
pub const SIGNATURE_HEADER: &str = "checkin-release-signature v1";
/// Most files a release lists.
pub const MAX_FILES: usize = 64;
/// Longest file name, bytes.
pub const MAX_NAME: usize = 64;

/// One file of a release: its name and SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseFile {
    /// The file's name (letters, digits, `.`, `-`, `_`; not starting with `.`).
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: [u8; 32],
}

/// A release whose `SHA256SUMS` verified under the release key of a trust file. Holding one
/// means "signed by the authority": an unverified list is only text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    files: Vec<ReleaseFile>,
}

/// How one file a server serves compares with a release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileCheck {
    /// The served bytes are the release's.
    Same(String),
    /// The server serves other bytes under this name.
    Differs {
        /// The file's name.
        name: String,
        /// SHA-256 of what the server serves.
        served: [u8; 32],
    },
    /// The server does not serve this file.
    Missing(String),
}

impl FileCheck {
    /// The file's name.
    pub fn name(&self) -> &str {
        match self {
            FileCheck::Same(n) | FileCheck::Differs { name: n, .. } | FileCheck::Missing(n) => n,
        }
    }

    /// Whether the served file is the release's.
    pub fn is_same(&self) -> bool {
        matches!(self, FileCheck::Same(_))
    }
}

impl std::fmt::Display for FileCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileCheck::Same(n) => write!(f, "{n}: the same as the signed release"),
            FileCheck::Differs { name, served } => write!(
                f,
                "{name}: DIFFERS from the signed release (the server's has SHA-256 {})",
                crate::hex(served)
            ),
            FileCheck::Missing(n) => {
                write!(f, "{n}: MISSING (the server does not serve it)")
            }
        }
    }
}

/// SHA-256 of `bytes`, as `SHA256SUMS` lists it.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Whether `name` may name a file of a release.
fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
        && name != SUMS_FILE
        && name != SIGNATURE_FILE
}

/// Parses a `SHA256SUMS` file strictly (spec section 16d): every line `HEX  NAME` ending in
/// `\n`, 1 to 64 lines, names valid, sorted and distinct.
fn parse_sums(sums: &[u8]) -> Result<Vec<ReleaseFile>, ReleaseError> {
    let text =
        std::str::from_utf8(sums).map_err(|_| ReleaseError::MalformedSums("it is not UTF-8"))?;
    let Some(body) = text.strip_suffix('\n') else {
        return Err(ReleaseError::MalformedSums(
            "it does not end with a line break",
        ));
    };
    let mut files: Vec<ReleaseFile> = Vec::new();
    for line in body.split('\n') {
        let Some((hex, name)) = line.split_once("  ") else {
            return Err(ReleaseError::MalformedSums(
                "a line is not 'SHA256  NAME' (two spaces)",
            ));
        };
        let mut sha256 = [0u8; 32];
        let hex_ok = hex.len() == 64
            && hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
            && hex
                .as_bytes()
                .chunks(2)
                .zip(sha256.iter_mut())
                .all(|(pair, out)| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|p| u8::from_str_radix(p, 16).ok())
                        .map(|b| *out = b)
                        .is_some()
                });
        if !hex_ok {
            return Err(ReleaseError::MalformedSums(
                "a hash is not 64 lower-case hex digits",
            ));
        }
        if !name_ok(name) {
            return Err(ReleaseError::MalformedSums(
                "a file name is empty, too long, starts with '.', holds a character other than \
                 letters, digits, '.', '-' and '_', or names the sums or signature file",
            ));
        }
        if files.last().is_some_and(|f| f.name.as_str() >= name) {
            return Err(ReleaseError::MalformedSums(
                "the file names are not sorted, or one appears twice",
            ));
        }
        if files.len() == MAX_FILES {
            return Err(ReleaseError::MalformedSums("it lists more than 64 files"));
        }
        files.push(ReleaseFile {
            name: name.to_owned(),
            sha256,
        });
    }
    Ok(files)
}

/// The signature file for `sums`, signed by the release key `key` (spec section 16d).
pub fn sign(sums: &[u8], key: &Ed25519Secret) -> String {
    let sig = key
        .0
        .sign(&domain::signed_message(domain::RELEASE_SUMS, sums));
    format!(
        "{SIGNATURE_HEADER}\nsignature: {}\n",
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    )
}

impl Release {
    /// Verifies a release: `signature_file` must be the release key's signature (the key
    /// `trust` names) over `sums`, and `sums` a well-formed `SHA256SUMS`.
    pub fn verify(
        trust: &TrustAnchor,
        sums: &[u8],
        signature_file: &[u8],
    ) -> Result<Release, ReleaseError> {
        let key = trust.release.as_ref().ok_or(ReleaseError::NoReleaseKey)?;
        let text = std::str::from_utf8(signature_file).map_err(|_| ReleaseError::NotASignature)?;
        let mut lines = text.strip_suffix('\n').unwrap_or(text).split('\n');
        if lines.next() != Some(SIGNATURE_HEADER) {
            return Err(ReleaseError::NotASignature);
        }
        let sig = match (lines.next(), lines.next()) {
            (Some(line), None) => line
                .strip_prefix("signature: ")
                .ok_or(ReleaseError::NotASignature)?,
            _ => return Err(ReleaseError::NotASignature),
        };
        let sig = URL_SAFE_NO_PAD
            .decode(sig.as_bytes())
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .ok_or(ReleaseError::BadSignature)?;
        key.verify_strict(
            &domain::signed_message(domain::RELEASE_SUMS, sums),
            &Signature::from_bytes(&sig),
        )
        .map_err(|_| ReleaseError::BadSignature)?;
        Ok(Release {
            files: parse_sums(sums)?,
        })
    }

    /// The release's files, sorted by name.
    pub fn files(&self) -> &[ReleaseFile] {
        &self.files
    }

    /// Compares each file of the release with what `served` returns for its name (`None`:
    /// not served), in the release's order.
    pub fn compare(&self, mut served: impl FnMut(&str) -> Option<Vec<u8>>) -> Vec<FileCheck> {
        self.files
            .iter()
            .map(|f| match served(&f.name) {
                None => FileCheck::Missing(f.name.clone()),
                Some(bytes) => {
                    let h = sha256(&bytes);
                    if h == f.sha256 {
                        FileCheck::Same(f.name.clone())
                    } else {
                        FileCheck::Differs {
                            name: f.name.clone(),
                            served: h,
                        }
                    }
                }
            })
            .collect()
    }
}

//! What a phone holds as its pin of the authority (spec section 16a, "Pinning" and "Legacy
//! pins"): a verified trust file, or, on a phone that pinned a trust file before trust files
//! were signed, that old file's root key and nothing else. Only the root of such a file was
//! ever checked, so only the root is kept from it; the first signed file that verifies under
//! that root replaces it, whatever its serial, and a file under any other root is refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::VerifyingKey;

use crate::error::TrustError;
use crate::trust::{TRUST_HEADER, TrustAnchor};

/// A pinned trust file as read back from where a client keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pin {
    /// A signed trust file that verifies: every key in it is trusted.
    File(Box<TrustAnchor>),
    /// A trust file pinned before files were signed (no `serial`, no `signature`): only its
    /// root key is trusted, and nothing may be done with its other keys.
    LegacyRoot(VerifyingKey),
}

impl Pin {
    /// Reads a pinned file: a signed file that verifies, or else a legacy pin. A file that is
    /// neither fails with the error [`TrustAnchor::parse`] gives it.
    pub fn read(text: &str) -> Result<Pin, TrustError> {
        match TrustAnchor::parse(text) {
            Ok(anchor) => Ok(Pin::File(Box::new(anchor))),
            Err(TrustError::Unsigned) => legacy_root(text)
                .map(Pin::LegacyRoot)
                .ok_or(TrustError::Unsigned),
            Err(e) => Err(e),
        }
    }

    /// The pinned root key.
    pub fn root(&self) -> &VerifyingKey {
        match self {
            Pin::File(anchor) => &anchor.root,
            Pin::LegacyRoot(root) => root,
        }
    }

    /// Whether `offered` (a file that verified) may replace this pin: for a signed pin,
    /// [`TrustAnchor::check_replaces`]; for a legacy pin, only a file of the same root, of any
    /// serial (the legacy pin has none).
    pub fn check_replaced_by(&self, offered: &TrustAnchor) -> Result<(), TrustError> {
        match self {
            Pin::File(pinned) => offered.check_replaces(pinned),
            Pin::LegacyRoot(root) if offered.root == *root => Ok(()),
            Pin::LegacyRoot(_) => Err(TrustError::DifferentRoot),
        }
    }

    /// The pinned root key as people compare it (as [`TrustAnchor::root_fingerprint`]).
    pub fn root_fingerprint(&self) -> String {
        root_fingerprint(self.root())
    }
}

/// A root key (or any Ed25519 public key) as people compare it: base64url in groups of four
/// characters, as the web client's Settings show it.
pub fn root_fingerprint(root: &VerifyingKey) -> String {
    let b64 = URL_SAFE_NO_PAD.encode(root.as_bytes());
    b64.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The root key of a legacy pin (spec section 16a, "Legacy pins"): the lines are those of a
/// trust file (trimmed alike, blank and `#` lines ignored), the first is the header, every
/// other splits at a `:`, none is a `serial` or `signature` field, and exactly one is a `root`
/// field holding a valid Ed25519 key. The other lines are not read: nothing of them is trusted.
fn legacy_root(text: &str) -> Option<VerifyingKey> {
    let trim = |s: &str| s.trim_matches([' ', '\t', '\r']).to_owned();
    let lines: Vec<String> = text
        .split('\n')
        .map(trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if lines.first().map(String::as_str) != Some(TRUST_HEADER) {
        return None;
    }
    let mut root = None;
    for line in &lines[1..] {
        let (name, value) = line.split_once(':')?;
        match trim(name).as_str() {
            "serial" | "signature" => return None,
            "root" if root.is_some() => return None,
            "root" => root = Some(trim(value)),
            _ => {}
        }
    }
    let bytes = URL_SAFE_NO_PAD.decode(root?.as_bytes()).ok()?;
    crate::keys::ed25519_public_key(&<[u8; 32]>::try_from(bytes.as_slice()).ok()?)
}

//! The authority's public trust file, which servers and clients pin (spec section 16a, "Trust file").
//!
//! ```text
//! checkin-trust v1
//! authority: Example Health Board
//! root: <base64url Ed25519 public key>
//! sealing: <base64url X25519 public key>
//! emergency: <base64url Ed25519 public key>
//! ```
//!
//! Lines starting with `#` and blank lines are ignored; each field appears exactly once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::VerifyingKey;

use crate::error::TrustError;
use crate::keys::SealingPublicKey;
use crate::wire::check_text;

/// First line of a trust file.
pub const TRUST_HEADER: &str = "checkin-trust v1";
/// Longest authority name, bytes.
pub const MAX_AUTHORITY_NAME: usize = 64;

/// Checks an authority name against the text rules (1 to 64 bytes).
pub fn check_authority_name(name: &str) -> Result<(), crate::TextProblem> {
    check_text(name, MAX_AUTHORITY_NAME, true)
}

/// What clients and servers pin: the authority's name and public keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The authority's name, for people.
    pub authority: String,
    /// The root key that certifies tracers.
    pub root: VerifyingKey,
    /// The key that receives the inner layer of vault records and case diaries.
    pub sealing: SealingPublicKey,
    /// The emergency approval key: approves notices, in place of a venue the authority could
    /// not reach (spec section 11a). Kept apart from the root and from every tracer.
    pub emergency: VerifyingKey,
}

impl TrustAnchor {
    /// The file's text.
    pub fn to_text(&self) -> String {
        format!(
            "{TRUST_HEADER}\n# Public. Servers and phones pin this file to know which authority to trust.\n\
             authority: {}\nroot: {}\nsealing: {}\nemergency: {}\n",
            self.authority,
            URL_SAFE_NO_PAD.encode(self.root.as_bytes()),
            URL_SAFE_NO_PAD.encode(self.sealing.0),
            URL_SAFE_NO_PAD.encode(self.emergency.as_bytes()),
        )
    }

    /// Parses a trust file strictly.
    pub fn parse(text: &str) -> Result<TrustAnchor, TrustError> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        if lines.next() != Some(TRUST_HEADER) {
            return Err(TrustError::NotATrustFile);
        }
        let (mut authority, mut root, mut sealing, mut emergency) = (None, None, None, None);
        for line in lines {
            let (key, value) = line
                .split_once(':')
                .ok_or(TrustError::Malformed("a line has no ':'"))?;
            let value = value.trim();
            let slot = match key.trim() {
                "authority" => &mut authority,
                "root" => &mut root,
                "sealing" => &mut sealing,
                "emergency" => &mut emergency,
                _ => return Err(TrustError::Malformed("unknown field")),
            };
            if slot.replace(value.to_owned()).is_some() {
                return Err(TrustError::Malformed("a field appears twice"));
            }
        }
        let authority = authority.ok_or(TrustError::Malformed("the authority field is missing"))?;
        check_authority_name(&authority).map_err(TrustError::InvalidName)?;
        let key32 = |v: Option<String>, what: &'static str| -> Result<[u8; 32], TrustError> {
            let v = v.ok_or(TrustError::Malformed(what))?;
            URL_SAFE_NO_PAD
                .decode(v.as_bytes())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or(TrustError::InvalidKey)
        };
        let root = key32(root, "the root field is missing")?;
        let sealing = key32(sealing, "the sealing field is missing")?;
        let emergency = key32(emergency, "the emergency field is missing")?;
        let root = crate::keys::ed25519_public_key(&root).ok_or(TrustError::InvalidKey)?;
        let emergency =
            crate::keys::ed25519_public_key(&emergency).ok_or(TrustError::InvalidKey)?;
        if emergency == root {
            return Err(TrustError::Malformed(
                "the emergency key must not be the root key",
            ));
        }
        if !crate::keys::x25519_public_key_ok(&sealing) {
            return Err(TrustError::InvalidKey);
        }
        Ok(TrustAnchor {
            authority,
            root,
            sealing: SealingPublicKey(sealing),
            emergency,
        })
    }
}

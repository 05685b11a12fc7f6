//! The authority's directory: its secret root and sealing keys and its public trust file.
//!
//! ```text
//! DIR/root.key      secret, mode 0600: "checkin-authority-root v1\nsecret: <base64url>\n"
//! DIR/sealing.key   secret, mode 0600: "checkin-authority-sealing v1\nsecret: <base64url>\n"
//! DIR/emergency.key secret, mode 0600: "checkin-authority-emergency v1\nsecret: <base64url>\n"
//! DIR/trust.txt     public: the trust file servers and phones pin (spec section 16a)
//! ```
//!
//! Key files are created with mode 0600 and never replaced: `init` refuses a directory that
//! already holds any of them. The emergency key approves notices for venues that cannot be
//! reached (spec section 11a); whoever holds it must not also hold a tracer key, so it is
//! meant to leave this directory for another officer's custody after `init`.

use std::path::Path;

use protocol::{Ed25519Secret, SealingSecretKey, TrustAnchor};
use rand_core::UnwrapErr;
use zeroize::Zeroizing;

use crate::Error;
use crate::files::write_new;

/// File name of the root signing key.
pub const ROOT_KEY: &str = "root.key";
/// File name of the sealing key.
pub const SEALING_KEY: &str = "sealing.key";
/// File name of the emergency approval key.
pub const EMERGENCY_KEY: &str = "emergency.key";
/// File name of the public trust file.
pub const TRUST_FILE: &str = "trust.txt";
/// File name of the authority's newest signed revocation list (public).
pub const REVOCATIONS_FILE: &str = "revocations.bin";

const ROOT_HEADER: &str = "checkin-authority-root v1";
const SEALING_HEADER: &str = "checkin-authority-sealing v1";
const EMERGENCY_HEADER: &str = "checkin-authority-emergency v1";

/// An authority's secrets, loaded.
pub struct Authority {
    /// Root signing key.
    pub root: Ed25519Secret,
    /// Sealing key.
    pub sealing: SealingSecretKey,
    /// Public trust anchor.
    pub trust: TrustAnchor,
}

fn key_text(header: &str, secret: &[u8; 32]) -> Zeroizing<String> {
    crate::keyfile::text(header, "secret", secret)
}

fn read_key(path: &Path, header: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
    crate::keyfile::read32(path, header, "secret")
}

/// Creates an authority in `dir`: root, sealing and emergency keys (0600) and trust file.
pub fn init(dir: &Path, name: &str) -> Result<TrustAnchor, Error> {
    protocol::trust::check_authority_name(name)
        .map_err(|p| Error::Invalid(format!("the authority name {p}")))?;
    for f in [ROOT_KEY, SEALING_KEY, EMERGENCY_KEY] {
        if dir.join(f).exists() {
            return Err(Error::Exists(dir.join(f)));
        }
    }
    crate::files::create_dir(dir)?;
    let mut rng = UnwrapErr(rand::rngs::SysRng);
    let root = Ed25519Secret::generate(&mut rng);
    let sealing = SealingSecretKey::generate(&mut rng);
    let emergency = Ed25519Secret::generate(&mut rng);
    let trust = TrustAnchor {
        authority: name.to_owned(),
        root: root.verifying_key(),
        sealing: sealing.public_key(),
        emergency: emergency.verifying_key(),
    };
    write_new(
        &dir.join(ROOT_KEY),
        key_text(ROOT_HEADER, &root.to_bytes()).as_bytes(),
        0o600,
    )?;
    write_new(
        &dir.join(SEALING_KEY),
        key_text(SEALING_HEADER, &sealing.to_bytes()).as_bytes(),
        0o600,
    )?;
    write_new(
        &dir.join(EMERGENCY_KEY),
        key_text(EMERGENCY_HEADER, &emergency.to_bytes()).as_bytes(),
        0o600,
    )?;
    write_new(&dir.join(TRUST_FILE), trust.to_text().as_bytes(), 0o644)?;
    Ok(trust)
}

/// Reads a trust file.
pub fn read_trust(path: &Path) -> Result<TrustAnchor, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    TrustAnchor::parse(&text).map_err(|e| Error::BadFile(path.to_path_buf(), e.to_string()))
}

/// Loads an authority directory, checking that the keys match the trust file.
pub fn load(dir: &Path) -> Result<Authority, Error> {
    let root = Ed25519Secret::from_bytes(*read_key(&dir.join(ROOT_KEY), ROOT_HEADER)?);
    let sealing = SealingSecretKey::from_bytes(*read_key(&dir.join(SEALING_KEY), SEALING_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.root != root.verifying_key() || trust.sealing != sealing.public_key() {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "it names other keys than root.key and sealing.key".into(),
        ));
    }
    Ok(Authority {
        root,
        sealing,
        trust,
    })
}

/// Loads only the sealing key (`sealing.key`) and the trust file from `dir`, checking that
/// they match: what opening case diaries and contact records needs. A tracer's workstation
/// needs no `root.key` for that daily work, so the root can stay with the officer who
/// certifies tracers.
pub fn load_sealing(dir: &Path) -> Result<(SealingSecretKey, TrustAnchor), Error> {
    let sealing = SealingSecretKey::from_bytes(*read_key(&dir.join(SEALING_KEY), SEALING_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.sealing != sealing.public_key() {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "its sealing key is not the one in sealing.key".into(),
        ));
    }
    Ok((sealing, trust))
}

/// Loads the emergency approval key (`emergency.key`) from `dir`, checking it against the
/// directory's trust file.
pub fn load_emergency(dir: &Path) -> Result<(Ed25519Secret, TrustAnchor), Error> {
    let path = dir.join(EMERGENCY_KEY);
    let key = Ed25519Secret::from_bytes(*read_key(&path, EMERGENCY_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.emergency != key.verifying_key() {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "its emergency key is not the one in emergency.key".into(),
        ));
    }
    Ok((key, trust))
}

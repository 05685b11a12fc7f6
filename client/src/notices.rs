//! The notices already downloaded, kept so that a visit added or changed later is matched
//! against them too: without them, a past visit scanned or edited after a sync would never
//! meet the notices that sync fetched.
//!
//! `notices.bin` is `"checkin-notices v1\n" || nonce[12] || ChaCha20-Poly1305(key, nonce,
//! aad = the magic line, plaintext)`, the plaintext a list of `u32 length || bundle`, under a
//! key derived from the diary's master key. Only bundles that verified against the pinned root
//! are kept, and only while they are younger than the diary's retention plus a day (so every
//! alert the diary still shows has its notice here). They are verified again when read, so
//! that a `Bundle` always means "verified".

use std::path::Path;

use protocol::{Bundle, BundleVerifier};

use crate::Error;

const FILE: &str = "notices.bin";
const MAGIC: &[u8] = b"checkin-notices v1\n";

fn encode(bundles: &[Bundle]) -> Vec<u8> {
    let mut out = Vec::new();
    for b in bundles {
        out.extend_from_slice(&(b.to_bytes().len() as u32).to_be_bytes());
        out.extend_from_slice(b.to_bytes());
    }
    out
}

fn split(mut plain: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !plain.is_empty() {
        let (len, rest) = plain.split_at_checked(4)?;
        let len = u32::from_be_bytes(len.try_into().ok()?) as usize;
        let (b, rest) = rest.split_at_checked(len)?;
        out.push(b.to_vec());
        plain = rest;
    }
    Some(out)
}

/// Reads the cached bundles, verified again against `verifier`, keeping those created at or
/// after `oldest`. A missing file is an empty cache; a damaged one is reported as `Err` with
/// what to do (sync again from the start).
pub fn load(
    dir: &Path,
    key: &[u8; 32],
    verifier: &mut BundleVerifier,
    oldest: u64,
    now: u64,
) -> Result<Vec<Bundle>, Error> {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::store_because(
                format!("cannot read the downloaded notices {}", path.display()),
                e,
            ));
        }
    };
    let damaged = || {
        Error::store(format!(
            "the downloaded notices in {} are damaged; the next sync downloads them again",
            path.display()
        ))
    };
    let plain = crate::store::open(key, MAGIC, &bytes).ok_or_else(damaged)?;
    let mut out = Vec::new();
    for b in split(&plain).ok_or_else(damaged)? {
        if let Ok(bundle) = verifier.verify_owned(b, now)
            && bundle.created_at() >= oldest
        {
            out.push(bundle);
        }
    }
    Ok(out)
}

/// Writes the cache (durably, as the diary is written).
pub fn save(dir: &Path, key: &[u8; 32], bundles: &[Bundle]) -> Result<(), Error> {
    let sealed = crate::store::seal(key, MAGIC, &encode(bundles))?;
    common::files::write_replace(&dir.join(FILE), &sealed, 0o600)
        .map_err(|e| Error::store_because("cannot save the downloaded notices", e))
}

/// Removes the cache (when it is damaged: the next sync starts again from the beginning).
pub fn remove(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(FILE));
}

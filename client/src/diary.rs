//! The diary store: sled under the diary directory, every value sealed.
//!
//! Values are sealed with ChaCha20-Poly1305 under `HKDF-SHA256(master, "checkin/client/v1/values")`
//! with a random nonce, and the tree name and key as associated data, so a value cannot be
//! moved to another slot. Keys are random 16-byte ids (or fixed names in `meta`), so they reveal
//! nothing. The master key is a random device key file (0600) or Argon2id over a passphrase.
//! Every command flushes before it reports success, so a killed process loses nothing it
//! confirmed, and sled's log makes the store reopen cleanly.

use std::path::Path;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use hkdf::Hkdf;
use rand::Rng as _;
use rand_core::UnwrapErr;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Error;

/// The unlocked diary.
pub struct Diary {
    db: sled::Db,
    key: Zeroizing<[u8; 32]>,
}

/// Trees of the diary.
pub const VISITS: &str = "visits";
/// Alerts.
pub const ALERTS: &str = "alerts";
/// Queued vault uploads.
pub const UPLOADS: &str = "uploads";
/// Settings and state: contact, consent, sync cursor.
pub const META: &str = "meta";

/// Derives the value key from the master key.
pub fn value_key(master: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let ok = Hkdf::<Sha256>::new(None, master)
        .expand(b"checkin/client/v1/values", out.as_mut())
        .is_ok();
    debug_assert!(ok);
    out
}

/// A fresh random id.
pub fn new_id() -> [u8; 16] {
    let mut id = [0u8; 16];
    UnwrapErr(rand::rngs::SysRng).fill_bytes(&mut id);
    id
}

fn aad(tree: &str, key: &[u8]) -> Vec<u8> {
    let mut a = tree.as_bytes().to_vec();
    a.push(0);
    a.extend_from_slice(key);
    a
}

impl Diary {
    /// Opens the store with the value key.
    pub fn open(dir: &Path, key: Zeroizing<[u8; 32]>) -> Result<Diary, Error> {
        let db = sled::Config::new()
            .path(dir.join("db"))
            .flush_every_ms(None)
            .open()
            .map_err(|e| Error::Store(format!("cannot open the diary store: {e}")))?;
        Ok(Diary { db, key })
    }

    fn tree(&self, name: &str) -> Result<sled::Tree, Error> {
        self.db
            .open_tree(name)
            .map_err(|e| Error::Store(e.to_string()))
    }

    /// Seals `bytes` for the slot `(tree, key)`.
    pub fn seal(&self, tree: &str, key: &[u8], bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let cipher = ChaCha20Poly1305::new((&*self.key).into());
        let mut nonce = [0u8; 12];
        UnwrapErr(rand::rngs::SysRng).fill_bytes(&mut nonce);
        let mut buf = Zeroizing::new(bytes.to_vec());
        let tag = cipher
            .encrypt_inout_detached(
                &Nonce::from(nonce),
                &aad(tree, key),
                buf.as_mut_slice().into(),
            )
            .map_err(|_| Error::Store("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Opens a sealed value; a wrong key and a damaged value give the same error.
    pub fn open_value(
        &self,
        tree: &str,
        key: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        if sealed.len() < 28 {
            return Err(Error::Locked);
        }
        let cipher = ChaCha20Poly1305::new((&*self.key).into());
        let (nonce, rest) = sealed.split_at(12);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        let mut buf = Zeroizing::new(ct.to_vec());
        let tag = Tag::try_from(tag).map_err(|_| Error::Locked)?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| Error::Locked)?;
        cipher
            .decrypt_inout_detached(
                &Nonce::from(nonce),
                &aad(tree, key),
                buf.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| Error::Locked)?;
        Ok(buf)
    }

    /// Stores a value as sealed JSON.
    pub fn put<T: Serialize>(&self, tree: &str, key: &[u8], value: &T) -> Result<(), Error> {
        let json =
            Zeroizing::new(serde_json::to_vec(value).map_err(|e| Error::Store(e.to_string()))?);
        let sealed = self.seal(tree, key, &json)?;
        self.tree(tree)?
            .insert(key, sealed)
            .map_err(|e| Error::Store(e.to_string()))?;
        Ok(())
    }

    /// Reads a value.
    pub fn get<T: DeserializeOwned>(&self, tree: &str, key: &[u8]) -> Result<Option<T>, Error> {
        match self
            .tree(tree)?
            .get(key)
            .map_err(|e| Error::Store(e.to_string()))?
        {
            None => Ok(None),
            Some(v) => {
                let plain = self.open_value(tree, key, &v)?;
                serde_json::from_slice(&plain)
                    .map(Some)
                    .map_err(|_| Error::Store("a diary value is damaged".into()))
            }
        }
    }

    /// Every `(key, value)` of a tree.
    pub fn all<T: DeserializeOwned>(&self, tree: &str) -> Result<Vec<(Vec<u8>, T)>, Error> {
        let mut out = Vec::new();
        for item in self.tree(tree)?.iter() {
            let (k, v) = item.map_err(|e| Error::Store(e.to_string()))?;
            let plain = self.open_value(tree, &k, &v)?;
            let value = serde_json::from_slice(&plain)
                .map_err(|_| Error::Store("a diary value is damaged".into()))?;
            out.push((k.to_vec(), value));
        }
        Ok(out)
    }

    /// Removes a value; true if it was there.
    pub fn remove(&self, tree: &str, key: &[u8]) -> Result<bool, Error> {
        Ok(self
            .tree(tree)?
            .remove(key)
            .map_err(|e| Error::Store(e.to_string()))?
            .is_some())
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<(), Error> {
        self.db
            .flush()
            .map_err(|e| Error::Store(format!("cannot save the diary: {e}")))?;
        Ok(())
    }
}

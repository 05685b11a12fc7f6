//! The diary on disk: one sealed, padded file, `diary.bin`, and a lock.
//!
//! `diary.bin` is `"checkin-diary v2\n" || nonce[12] || ChaCha20-Poly1305(key, nonce,
//! aad = the magic line, plaintext)`, where the plaintext is `u32 length || JSON of the
//! state || zero bytes`, padded so that the plaintext is 4 KiB, or the next power of two above
//! that. The file shows nothing of what is inside (how many visits, whether contact details are
//! kept, how many uploads wait) beyond its size bucket. The key is derived from the diary's
//! master key (a device key file or Argon2id over a passphrase) with HKDF-SHA256.
//!
//! Every write replaces the whole file: a complete new file is written beside it, synced,
//! renamed over it, and the directory synced, so a crash or a power cut leaves either the old
//! diary or the new one. Writers hold an exclusive lock on `diary.lock` while they hold the
//! state; readers take a shared lock where they can, and read without one where they cannot
//! (a read-only or full disk): the rename makes every read see one whole diary.
//!
//! Diaries written by earlier versions (every value sealed on its own in a `diary.bin` v1, or
//! in a sled store in `db/`) are read once and rewritten in this form; the old files are then
//! removed.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use rand::Rng as _;
use rand_core::UnwrapErr;
use zeroize::Zeroizing;

use crate::Error;
use crate::state::State;

/// The diary file's name.
pub const FILE: &str = "diary.bin";
const MAGIC: &[u8] = b"checkin-diary v2\n";
const LOCK_FILE: &str = "diary.lock";
/// How long a command waits for another one using the same diary.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// The smallest padded plaintext: 16 KiB holds about two weeks of an ordinary diary (some
/// thirty visits), so most diaries on disk are the same size as an empty one.
const MIN_BUCKET: usize = 16 << 10;

/// Whether a command may change the diary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Exclusive: the command may save.
    Write,
    /// Shared, or none where the disk allows no lock file: the command only reads.
    Read,
}

/// The diary's file, its key and its lock.
pub struct Store {
    dir: PathBuf,
    key: Zeroizing<[u8; 32]>,
    lock: Option<File>,
    access: Access,
}

fn store_err(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::store(format!("cannot {what} {}: {e}", path.display()))
}

/// The padded plaintext size for a state of `len` bytes (with its 4-byte length).
fn bucket(len: usize) -> usize {
    (len + 4).max(MIN_BUCKET).next_power_of_two()
}

/// Seals `plain` under `key` with the file's magic line as associated data.
pub(crate) fn seal(key: &[u8; 32], magic: &[u8], plain: &[u8]) -> Result<Vec<u8>, Error> {
    let cipher = ChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 12];
    UnwrapErr(rand::rngs::SysRng).fill_bytes(&mut nonce);
    let mut buf = Zeroizing::new(plain.to_vec());
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(nonce), magic, buf.as_mut_slice().into())
        .map_err(|_| Error::store("encryption failed"))?;
    let mut out = Vec::with_capacity(magic.len() + 12 + buf.len() + 16);
    out.extend_from_slice(magic);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&buf);
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Opens what [`seal`] made; `None` if the magic line differs or the tag does not verify.
pub(crate) fn open(key: &[u8; 32], magic: &[u8], bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let rest = bytes.strip_prefix(magic)?;
    if rest.len() < 28 {
        return None;
    }
    let (nonce, rest) = rest.split_at(12);
    let (ct, tag) = rest.split_at(rest.len() - 16);
    let mut buf = Zeroizing::new(ct.to_vec());
    let cipher = ChaCha20Poly1305::new(key.into());
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    cipher
        .decrypt_inout_detached(
            &Nonce::from(nonce),
            magic,
            buf.as_mut_slice().into(),
            &Tag::try_from(tag).ok()?,
        )
        .ok()?;
    Some(buf)
}

fn encode(state: &State) -> Result<Zeroizing<Vec<u8>>, Error> {
    let json = Zeroizing::new(
        serde_json::to_vec(state)
            .map_err(|e| Error::store_because("cannot encode the diary", e))?,
    );
    let mut plain = Zeroizing::new(vec![0u8; bucket(json.len())]);
    plain[..4].copy_from_slice(&(json.len() as u32).to_be_bytes());
    plain[4..4 + json.len()].copy_from_slice(&json);
    Ok(plain)
}

fn decode(plain: &[u8]) -> Option<State> {
    let len = u32::from_be_bytes(plain.get(..4)?.try_into().ok()?) as usize;
    let json = plain.get(4..4usize.checked_add(len)?)?;
    if plain[4 + len..].iter().any(|&b| b != 0) {
        return None;
    }
    serde_json::from_slice(json).ok()
}

/// Takes the lock: exclusive for writers, shared for readers. A reader on a disk where the
/// lock file cannot be created or opened reads without it.
fn lock(dir: &Path, access: Access) -> Result<Option<File>, Error> {
    let path = dir.join(LOCK_FILE);
    let file = match access {
        Access::Write => File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| store_err("open", &path, e))?,
        Access::Read => match File::open(&path) {
            Ok(f) => f,
            Err(_) => return Ok(None),
        },
    };
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        let attempt = match access {
            Access::Write => file.try_lock(),
            Access::Read => file.try_lock_shared(),
        };
        match attempt {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Busy(dir.to_path_buf()));
            }
            Err(std::fs::TryLockError::Error(_)) if access == Access::Read => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(store_err("lock", &path, e)),
        }
    }
}

/// Removes what a killed save left: temporary files never renamed into place. Best effort,
/// and only under the exclusive lock, so no other command is writing one.
fn remove_stale_temporaries(dir: &Path) {
    let prefix = format!(".{FILE}.");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Store {
    /// Takes the lock for `access` and reads the state (an empty one if there is no file
    /// yet). `master` is the diary's master key; `legacy` reads a diary an earlier version
    /// wrote, if there is one.
    pub fn open(
        dir: &Path,
        key: Zeroizing<[u8; 32]>,
        access: Access,
        legacy: impl FnOnce(&Path) -> Result<Option<State>, Error>,
    ) -> Result<(Store, State), Error> {
        let lock = lock(dir, access)?;
        let store = Store {
            dir: dir.to_path_buf(),
            key,
            lock,
            access,
        };
        if access == Access::Write {
            remove_stale_temporaries(dir);
        }
        let state = match store.read()? {
            Some(state) => {
                if access == Access::Write {
                    crate::legacy::remove(dir);
                }
                state
            }
            None => match legacy(dir)? {
                Some(state) if access == Access::Write => {
                    // Rewrite it in this form, then remove the old files.
                    store.save(&state)?;
                    crate::legacy::remove(dir);
                    state
                }
                Some(state) => state,
                None => State::default(),
            },
        };
        Ok((store, state))
    }

    /// Reads the state from disk; `None` if there is no diary file.
    fn read(&self) -> Result<Option<State>, Error> {
        let path = self.dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(store_err("read", &path, e)),
        };
        if !bytes.starts_with(MAGIC) {
            // A diary.bin of an earlier version: the legacy reader takes it.
            return Ok(None);
        }
        let damaged = || {
            Error::store(format!(
                "the diary file {} is damaged (it does not decrypt); nothing was changed",
                path.display()
            ))
        };
        let plain = open(&self.key, MAGIC, &bytes).ok_or_else(damaged)?;
        decode(&plain).map(Some).ok_or_else(damaged)
    }

    /// Whether this store may save.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Writes the whole state durably: either all of it is on disk afterwards or, after a
    /// crash or a power cut, the diary as it was before.
    pub fn save(&self, state: &State) -> Result<(), Error> {
        if self.access != Access::Write || self.lock.is_none() {
            return Err(Error::store("this command opened the diary read-only"));
        }
        let bytes = seal(&self.key, MAGIC, &encode(state)?)?;
        common::files::write_replace(&self.dir.join(FILE), &bytes, 0o600).map_err(|e| {
            Error::store_because(
                format!("cannot save the diary in {}", self.dir.display()),
                e,
            )
        })
    }

    /// Gives up the lock (for network I/O, which must never hold it).
    pub fn release(&mut self) {
        self.lock = None;
    }

    /// Takes the lock again and reads the state as another command may have left it.
    pub fn relock(&mut self) -> Result<State, Error> {
        self.lock = lock(&self.dir, self.access)?;
        Ok(self.read()?.unwrap_or_default())
    }

    /// The diary's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use super::*;
    use crate::state::VisitRec;

    fn key() -> Zeroizing<[u8; 32]> {
        Zeroizing::new([42; 32])
    }

    fn none(_: &Path) -> Result<Option<State>, Error> {
        Ok(None)
    }

    #[test]
    fn the_file_shows_only_its_size_bucket() {
        let dir = tempfile::TempDir::new().unwrap();
        let (store, mut state) = Store::open(dir.path(), key(), Access::Write, none).unwrap();
        store.save(&state).unwrap();
        let empty = std::fs::read(dir.path().join(FILE)).unwrap();
        for i in 0..5 {
            state.visits.insert(
                format!("{i:032x}"),
                VisitRec::new("poster".into(), 1000 + i, false),
            );
        }
        state.contact = Some(crate::ContactIn {
            name: "A".into(),
            phone: "1".into(),
            email: String::new(),
            party_size: 1,
        });
        store.save(&state).unwrap();
        let five = std::fs::read(dir.path().join(FILE)).unwrap();
        assert_eq!(empty.len(), five.len(), "one bucket for both");
        assert_eq!(empty.len(), MAGIC.len() + 12 + MIN_BUCKET + 16);
        drop(store);
        let (_, back) = Store::open(dir.path(), key(), Access::Read, none).unwrap();
        assert_eq!(back.visits.len(), 5);
        assert!(back.contact.is_some());
    }

    #[test]
    fn a_damaged_file_is_reported_and_left_alone() {
        let dir = tempfile::TempDir::new().unwrap();
        let (store, state) = Store::open(dir.path(), key(), Access::Write, none).unwrap();
        store.save(&state).unwrap();
        drop(store);
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        for i in (0..bytes.len()).step_by(97) {
            bytes[i] ^= 1;
            std::fs::write(&path, &bytes).unwrap();
            let e = Store::open(dir.path(), key(), Access::Write, none).err();
            if i >= MAGIC.len() {
                assert!(e.unwrap().to_string().contains("damaged"));
            }
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "byte {i}");
            bytes[i] ^= 1;
        }
    }

    #[test]
    fn a_write_killed_half_way_is_cleaned_up_on_open() {
        let dir = tempfile::TempDir::new().unwrap();
        let stale = dir.path().join(format!(".{FILE}.Xy12Ab"));
        std::fs::write(&stale, b"half a diary").unwrap();
        let _ = Store::open(dir.path(), key(), Access::Write, none).unwrap();
        assert!(!stale.exists());
    }
}

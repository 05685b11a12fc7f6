//! The diary store: one file, `diary.bin`, every value sealed.
//!
//! Values are sealed with ChaCha20-Poly1305 under `HKDF-SHA256(master, "checkin/client/v1/values")`
//! with a random nonce, and the tree name and key as associated data, so a value cannot be
//! moved to another slot. Keys are random 16-byte ids (or fixed names in `meta`), so they reveal
//! nothing. The master key is a random device key file (0600) or Argon2id over a passphrase.
//!
//! The whole diary is small (two weeks of visits and alerts: kilobytes), so it is held in
//! memory and [`Diary::flush`] commits it by writing a complete new file beside the old one,
//! syncing it, renaming it over the old one and syncing the directory. A process killed at any
//! moment leaves either the old diary or the new one, never a mix, and every command flushes
//! before it reports success. An exclusive lock on `diary.lock` keeps two commands from
//! interleaving. A write killed half-way leaves a temporary `.diary.bin.*` file, which the
//! next open removes.
//!
//! The file: `"checkin-diary v1\n"`, a big-endian `u32` entry count, then per entry a `u8`
//! tree-name length and name, a `u16` key length and key, a `u32` value length and sealed
//! value; then the BLAKE3 hash of everything before it, so damage is reported, not misread.
//!
//! Diaries made by earlier versions kept the same sealed values in sled (`db/`); they are
//! copied into `diary.bin` when first opened and `db/` is renamed `db.migrated`.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

type Trees = BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

/// The unlocked diary.
pub struct Diary {
    dir: PathBuf,
    key: Zeroizing<[u8; 32]>,
    trees: Mutex<Trees>,
    /// Held for the diary's lifetime: the exclusive lock on `diary.lock`.
    _lock: File,
}

const MAGIC: &[u8] = b"checkin-diary v1\n";
const FILE: &str = "diary.bin";
/// How long a command waits for another one using the same diary.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn store_err(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Store(format!("cannot {what} {}: {e}", path.display()))
}

fn encode(trees: &Trees) -> Vec<u8> {
    let count: usize = trees.values().map(BTreeMap::len).sum();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(count as u32).to_be_bytes());
    for (name, tree) in trees {
        for (k, v) in tree {
            out.push(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&(k.len() as u16).to_be_bytes());
            out.extend_from_slice(k);
            out.extend_from_slice(&(v.len() as u32).to_be_bytes());
            out.extend_from_slice(v);
        }
    }
    let hash = blake3::hash(&out);
    out.extend_from_slice(hash.as_bytes());
    out
}

fn decode(bytes: &[u8]) -> Option<Trees> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, hash) = bytes.split_at(body_len);
    if blake3::hash(body).as_bytes() != hash {
        return None;
    }
    let mut r = body.strip_prefix(MAGIC)?;
    fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (a, b) = r.split_at_checked(n)?;
        *r = b;
        Some(a)
    }
    let count = u32::from_be_bytes(take(&mut r, 4)?.try_into().ok()?);
    let mut trees = Trees::new();
    for _ in 0..count {
        let n = usize::from(take(&mut r, 1)?[0]);
        let name = std::str::from_utf8(take(&mut r, n)?).ok()?.to_owned();
        let n = usize::from(u16::from_be_bytes(take(&mut r, 2)?.try_into().ok()?));
        let key = take(&mut r, n)?.to_vec();
        let n = u32::from_be_bytes(take(&mut r, 4)?.try_into().ok()?) as usize;
        let value = take(&mut r, n)?.to_vec();
        trees.entry(name).or_default().insert(key, value);
    }
    r.is_empty().then_some(trees)
}

fn lock(dir: &Path) -> Result<File, Error> {
    let path = dir.join("diary.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| store_err("open", &path, e))?;
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Store(format!(
                    "another checkin command is using the diary in {} (waited {} s): try again when it has finished",
                    dir.display(),
                    LOCK_WAIT.as_secs()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(store_err("lock", &path, e)),
        }
    }
}

/// Removes what a killed [`Diary::flush`] left: temporary files never renamed into place.
/// Best effort, and only under the lock, so no other command is writing one.
fn remove_stale_temporaries(dir: &Path) {
    let prefix = format!(".{FILE}.");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads the sealed values of a diary kept in sled by an earlier version.
fn read_sled(db_dir: &Path) -> Result<Trees, Error> {
    let db = sled::Config::new()
        .path(db_dir)
        .open()
        .map_err(|e| store_err("open the old diary store", db_dir, e))?;
    let mut trees = Trees::new();
    for name in [VISITS, ALERTS, UPLOADS, META] {
        let tree = db
            .open_tree(name)
            .map_err(|e| store_err("read the old diary store", db_dir, e))?;
        for item in tree.iter() {
            let (k, v) = item.map_err(|e| store_err("read the old diary store", db_dir, e))?;
            trees
                .entry(name.to_owned())
                .or_default()
                .insert(k.to_vec(), v.to_vec());
        }
    }
    Ok(trees)
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
    /// Opens the store with the value key, creating it if the directory has none.
    pub fn open(dir: &Path, key: Zeroizing<[u8; 32]>) -> Result<Diary, Error> {
        let lock = lock(dir)?;
        remove_stale_temporaries(dir);
        let path = dir.join(FILE);
        let trees = match std::fs::read(&path) {
            Ok(bytes) => decode(&bytes).ok_or_else(|| {
                Error::Store(format!(
                    "the diary file {} is damaged (its checksum does not match); nothing was changed",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Trees::new(),
            Err(e) => return Err(store_err("read", &path, e)),
        };
        let d = Diary {
            dir: dir.to_path_buf(),
            key,
            trees: Mutex::new(trees),
            _lock: lock,
        };
        let old = dir.join("db");
        if !path.exists() && old.is_dir() {
            *d.trees()? = read_sled(&old)?;
            d.flush()?;
            std::fs::rename(&old, dir.join("db.migrated"))
                .map_err(|e| store_err("rename", &old, e))?;
        }
        Ok(d)
    }

    fn trees(&self) -> Result<std::sync::MutexGuard<'_, Trees>, Error> {
        self.trees
            .lock()
            .map_err(|_| Error::Store("the diary's memory is in an unknown state".into()))
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

    /// Stores a value as sealed JSON (durable at the next [`Diary::flush`]).
    pub fn put<T: Serialize>(&self, tree: &str, key: &[u8], value: &T) -> Result<(), Error> {
        let json =
            Zeroizing::new(serde_json::to_vec(value).map_err(|e| Error::Store(e.to_string()))?);
        let sealed = self.seal(tree, key, &json)?;
        self.trees()?
            .entry(tree.to_owned())
            .or_default()
            .insert(key.to_vec(), sealed);
        Ok(())
    }

    /// Reads a value.
    pub fn get<T: DeserializeOwned>(&self, tree: &str, key: &[u8]) -> Result<Option<T>, Error> {
        let sealed = self.trees()?.get(tree).and_then(|t| t.get(key)).cloned();
        match sealed {
            None => Ok(None),
            Some(v) => {
                let plain = self.open_value(tree, key, &v)?;
                serde_json::from_slice(&plain)
                    .map(Some)
                    .map_err(|_| Error::Store("a diary value is damaged".into()))
            }
        }
    }

    /// Every `(key, value)` of a tree, in key order.
    pub fn all<T: DeserializeOwned>(&self, tree: &str) -> Result<Vec<(Vec<u8>, T)>, Error> {
        let entries: Vec<(Vec<u8>, Vec<u8>)> = self
            .trees()?
            .get(tree)
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let plain = self.open_value(tree, &k, &v)?;
            let value = serde_json::from_slice(&plain)
                .map_err(|_| Error::Store("a diary value is damaged".into()))?;
            out.push((k, value));
        }
        Ok(out)
    }

    /// Removes a value; true if it was there.
    pub fn remove(&self, tree: &str, key: &[u8]) -> Result<bool, Error> {
        Ok(self
            .trees()?
            .get_mut(tree)
            .and_then(|t| t.remove(key))
            .is_some())
    }

    /// Commits everything written so far: a complete new file, synced, renamed over the old
    /// one, and the directory synced. Either all of it is on disk afterwards or, after a crash,
    /// none of it.
    pub fn flush(&self) -> Result<(), Error> {
        let bytes = encode(&*self.trees()?);
        tracer::files::write_replace(&self.dir.join(FILE), &bytes, 0o600).map_err(|e| {
            Error::Store(format!(
                "cannot save the diary in {}: {e}",
                self.dir.display()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use super::*;

    fn key() -> Zeroizing<[u8; 32]> {
        Zeroizing::new([42; 32])
    }

    #[test]
    fn values_survive_reopening_and_only_flushed_writes_count() {
        let dir = tempfile::TempDir::new().unwrap();
        {
            let d = Diary::open(dir.path(), key()).unwrap();
            d.put(VISITS, b"a", &"first").unwrap();
            d.put(META, b"cursor", &7u64).unwrap();
            d.flush().unwrap();
            d.put(VISITS, b"b", &"never flushed").unwrap();
        }
        let d = Diary::open(dir.path(), key()).unwrap();
        assert_eq!(d.get::<String>(VISITS, b"a").unwrap().unwrap(), "first");
        assert_eq!(d.get::<u64>(META, b"cursor").unwrap(), Some(7));
        assert_eq!(d.get::<String>(VISITS, b"b").unwrap(), None);
        assert!(d.remove(VISITS, b"a").unwrap());
        d.flush().unwrap();
        drop(d);
        let d = Diary::open(dir.path(), key()).unwrap();
        assert!(d.all::<String>(VISITS).unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_write_killed_half_way_is_cleaned_up_on_open() {
        let dir = tempfile::TempDir::new().unwrap();
        {
            let d = Diary::open(dir.path(), key()).unwrap();
            d.put(VISITS, b"a", &"kept").unwrap();
            d.flush().unwrap();
        }
        let stale = dir.path().join(format!(".{FILE}.Xy12Ab"));
        std::fs::write(&stale, b"half a diary").unwrap();
        let d = Diary::open(dir.path(), key()).unwrap();
        assert!(!stale.exists());
        assert_eq!(d.get::<String>(VISITS, b"a").unwrap().unwrap(), "kept");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    }

    #[test]
    fn a_damaged_file_is_reported_and_left_alone() {
        let dir = tempfile::TempDir::new().unwrap();
        {
            let d = Diary::open(dir.path(), key()).unwrap();
            d.put(VISITS, b"a", &"x").unwrap();
            d.flush().unwrap();
        }
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        for i in 0..bytes.len() {
            bytes[i] ^= 1;
            std::fs::write(&path, &bytes).unwrap();
            let e = Diary::open(dir.path(), key()).err().unwrap();
            assert!(e.to_string().contains("damaged"), "{e}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "byte {i}");
            bytes[i] ^= 1;
        }
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(Diary::open(dir.path(), key()).is_err());
    }

    #[test]
    fn a_diary_kept_in_sled_by_an_earlier_version_is_migrated() {
        let dir = tempfile::TempDir::new().unwrap();
        let sealed = {
            let d = Diary::open(dir.path(), key()).unwrap();
            d.put(VISITS, b"visit-1", &"The Crown").unwrap();
            d.put(ALERTS, b"alert-1", &"notice").unwrap();
            d.flush().unwrap();
            let sealed: Trees = d.trees().unwrap().clone();
            drop(d);
            sealed
        };
        std::fs::remove_file(dir.path().join(FILE)).unwrap();
        {
            let db = sled::open(dir.path().join("db")).unwrap();
            for (name, tree) in &sealed {
                let t = db.open_tree(name).unwrap();
                for (k, v) in tree {
                    t.insert(k.as_slice(), v.as_slice()).unwrap();
                }
            }
            db.flush().unwrap();
        }
        let d = Diary::open(dir.path(), key()).unwrap();
        assert_eq!(
            d.get::<String>(VISITS, b"visit-1").unwrap().unwrap(),
            "The Crown"
        );
        assert_eq!(
            d.get::<String>(ALERTS, b"alert-1").unwrap().unwrap(),
            "notice"
        );
        assert!(dir.path().join(FILE).exists());
        assert!(!dir.path().join("db").exists());
        assert!(dir.path().join("db.migrated").is_dir());
    }
}

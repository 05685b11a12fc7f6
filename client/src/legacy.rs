//! Diaries written by earlier versions, read once to be rewritten in the current form.
//!
//! - `diary.bin` v1 (`"checkin-diary v1\n"`): a list of `(tree, key, value)` entries, each
//!   value sealed on its own with ChaCha20-Poly1305 under `HKDF-SHA256(master,
//!   "checkin/client/v1/values")` and `tree || 0x00 || key` as associated data, then a BLAKE3
//!   checksum. Its entry count, lengths and keys showed the diary's structure on disk.
//! - Before that, the same sealed values in a sled store in `db/` (renamed `db.migrated` by
//!   the version that read it).

use std::collections::BTreeMap;
use std::path::Path;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use hkdf::Hkdf;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Error;
use crate::state::{AlertRec, Consent, ContactIn, QueuedUpload, State, VisitRec};

type Trees = BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

const MAGIC_V1: &[u8] = b"checkin-diary v1\n";

fn decode_v1(bytes: &[u8]) -> Option<Trees> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, hash) = bytes.split_at(body_len);
    if blake3::hash(body).as_bytes() != hash {
        return None;
    }
    let mut r = body.strip_prefix(MAGIC_V1)?;
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

fn read_sled(db_dir: &Path) -> Result<Trees, Error> {
    let err = |e: sled::Error| {
        Error::store_because(
            format!("cannot read the old diary store {}", db_dir.display()),
            e,
        )
    };
    let db = sled::Config::new().path(db_dir).open().map_err(err)?;
    let mut trees = Trees::new();
    for name in ["visits", "alerts", "uploads", "meta"] {
        for item in db.open_tree(name).map_err(err)?.iter() {
            let (k, v) = item.map_err(err)?;
            trees
                .entry(name.to_owned())
                .or_default()
                .insert(k.to_vec(), v.to_vec());
        }
    }
    Ok(trees)
}

struct V1 {
    key: Zeroizing<[u8; 32]>,
    trees: Trees,
}

/// Opens one value sealed by a version 1 diary.
fn open_v1(key: &[u8; 32], tree: &str, k: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 28 {
        return None;
    }
    let (nonce, rest) = sealed.split_at(12);
    let (ct, tag) = rest.split_at(rest.len() - 16);
    let mut buf = Zeroizing::new(ct.to_vec());
    let mut aad = tree.as_bytes().to_vec();
    aad.push(0);
    aad.extend_from_slice(k);
    ChaCha20Poly1305::new(key.into())
        .decrypt_inout_detached(
            &Nonce::from(<[u8; 12]>::try_from(nonce).ok()?),
            &aad,
            buf.as_mut_slice().into(),
            &Tag::try_from(tag).ok()?,
        )
        .ok()?;
    Some(buf)
}

/// Whether `sealed`, the check value of a version 1 diary, opens to `expected` under `master`.
pub fn check_matches(master: &[u8], sealed: &[u8], expected: &[u8]) -> bool {
    open_v1(&value_key_v1(master), "meta", b"check", sealed)
        .is_some_and(|plain| plain.as_slice() == expected)
}

impl V1 {
    fn get<T: DeserializeOwned>(&self, tree: &str, key: &[u8], sealed: &[u8]) -> Option<T> {
        serde_json::from_slice(&open_v1(&self.key, tree, key, sealed)?).ok()
    }

    fn all<T: DeserializeOwned>(&self, tree: &str) -> Result<Vec<(Vec<u8>, T)>, Error> {
        let mut out = Vec::new();
        for (k, v) in self.trees.get(tree).into_iter().flatten() {
            let value = self.get(tree, k, v).ok_or(Error::Locked)?;
            out.push((k.clone(), value));
        }
        Ok(out)
    }

    fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.trees.get("meta").and_then(|t| t.get(key.as_bytes())) {
            None => Ok(None),
            Some(v) => self
                .get("meta", key.as_bytes(), v)
                .map(Some)
                .ok_or(Error::Locked),
        }
    }
}

#[derive(Deserialize)]
struct OldVisit {
    poster: String,
    arrival: u64,
    departure: Option<u64>,
    share: bool,
    queued: bool,
    #[serde(default)]
    auto_closed: bool,
}

#[derive(Deserialize)]
struct OldAlert {
    venue: String,
    address: String,
    arrival: u64,
    departure: u64,
    start: u64,
    end: u64,
    severity: String,
    message: String,
    overlap_minutes: u64,
    found_at: u64,
}

use crate::hex;

fn convert(v1: &V1) -> Result<State, Error> {
    let mut state = State {
        contact: v1.meta::<ContactIn>("contact")?,
        consent: match v1.meta::<String>("consent")?.as_deref() {
            Some("always") => Consent::Always,
            Some("never") => Consent::Never,
            _ => Consent::Ask,
        },
        ..State::default()
    };
    // Upload keys began with their visit's key.
    for (k, record) in v1.all::<String>("uploads")? {
        state.uploads.push(QueuedUpload {
            visit: hex(k.get(..16).unwrap_or_default()),
            hour: 0,
            inner: String::new(),
            venue_key: String::new(),
            bucket: 0,
            record,
            not_before: 0,
        });
    }
    for (k, old) in v1.all::<OldVisit>("visits")? {
        let id = hex(&k);
        let sent = old.queued && state.queued_for(&id) == 0;
        state.visits.insert(
            id,
            VisitRec {
                poster: old.poster,
                arrival: old.arrival,
                departure: old.departure,
                share: old.share,
                records_sent: u32::from(sent),
                auto_closed: old.auto_closed,
            },
        );
    }
    for (k, a) in v1.all::<OldAlert>("alerts")? {
        // Old alerts did not name their visit: find it by arrival.
        let visit = state
            .visits
            .iter()
            .find(|(_, v)| v.arrival == a.arrival)
            .map(|(id, _)| id.clone())
            .unwrap_or_default();
        state.alerts.insert(
            hex(&k),
            AlertRec {
                visit,
                venue: a.venue,
                address: a.address,
                arrival: a.arrival,
                departure: Some(a.departure),
                start: a.start,
                end: a.end,
                severity: if a.severity == "high" {
                    protocol::Severity::High
                } else {
                    protocol::Severity::Low
                },
                message: a.message,
                issuer: String::new(),
                approved_by: String::new(),
                issuer_key: String::new(),
                issuer_revoked: false,
                overlap_minutes: a.overlap_minutes,
                found_at: a.found_at,
            },
        );
    }
    Ok(state)
}

/// The value key of version 1 diaries.
fn value_key_v1(master: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let ok = Hkdf::<Sha256>::new(None, master)
        .expand(b"checkin/client/v1/values", out.as_mut())
        .is_ok();
    debug_assert!(ok);
    out
}

/// Reads a diary an earlier version wrote in `dir`, if there is one.
pub fn read(dir: &Path, master: &[u8]) -> Result<Option<State>, Error> {
    let file = dir.join(crate::store::FILE);
    let trees = match std::fs::read(&file) {
        Ok(bytes) => Some(decode_v1(&bytes).ok_or_else(|| {
            Error::store(format!(
                "the diary file {} is damaged (its checksum does not match); nothing was changed",
                file.display()
            ))
        })?),
        Err(_) if dir.join("db").is_dir() => Some(read_sled(&dir.join("db"))?),
        Err(_) => None,
    };
    trees
        .map(|trees| {
            convert(&V1 {
                key: value_key_v1(master),
                trees,
            })
        })
        .transpose()
}

/// Removes what earlier versions left once the diary has been rewritten: the sled store and
/// its `db.migrated` marker. Best effort: they hold only values sealed under the same key.
pub fn remove(dir: &Path) {
    for old in ["db", "db.migrated"] {
        let _ = std::fs::remove_dir_all(dir.join(old));
    }
}

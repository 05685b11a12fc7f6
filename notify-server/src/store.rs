//! Storage behind one narrow interface.
//!
//! The server needs only what [`Store`] offers: append a bundle and read bundles in order or by
//! publication hour; add a vault record and read records by tag; remember query nonces; purge
//! by age; count; and make everything written so far durable (`flush`). Sled is the embedded
//! default. A deployment that outgrows one machine implements [`Store`] over a distributed
//! store; nothing else changes.
//!
//! Writes become durable only at `flush`. The server acknowledges a write only after a flush
//! that started after the write returned (group commit: one flush covers every write that
//! arrived while the previous flush ran).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use protocol::Tag;

/// A failure of the storage layer itself (disk, corruption), never of the input.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage failure: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// A stored bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBundle {
    /// Sequence number: 1, 2, 3, … in publication order, with no gaps.
    pub seq: u64,
    /// When the server accepted it, Unix seconds.
    pub published_at: u64,
    /// The signed bundle.
    pub bytes: Vec<u8>,
}

/// The outcome of [`Store::insert_bundle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    /// The bundle's sequence number.
    pub seq: u64,
    /// False if the same bundle was already stored (idempotent re-post).
    pub new: bool,
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Bundles removed.
    pub bundles: u64,
    /// Vault records removed.
    pub vault_records: u64,
    /// Expired nonces removed.
    pub nonces: u64,
}

/// How much is stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Bundles stored.
    pub bundles: u64,
    /// Vault records stored.
    pub vault_records: u64,
    /// Highest sequence number ever assigned.
    pub last_seq: u64,
}

/// What [`SledStore::check_integrity`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Integrity {
    /// Bundles stored.
    pub bundles: u64,
    /// Vault records stored.
    pub vault_records: u64,
    /// Every inconsistency, in words; empty when the store is sound.
    pub problems: Vec<String>,
}

/// The storage interface.
pub trait Store: Send + Sync + 'static {
    /// Appends a bundle identified by `id`, unless a bundle with that id is stored already.
    fn insert_bundle(
        &self,
        id: &[u8; 32],
        published_at: u64,
        bundle: &[u8],
    ) -> Result<Inserted, StoreError>;
    /// Bundles with `seq > after`, in order: at most `limit`, and at most about `max_bytes`
    /// (always at least one if there is one).
    fn bundles_after(
        &self,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredBundle>, StoreError>;
    /// Bundles published in epoch hour `hour`, in order.
    fn bundles_in_hour(&self, hour: u64) -> Result<Vec<StoredBundle>, StoreError>;
    /// Adds a vault record under `tag`.
    fn insert_vault_record(
        &self,
        tag: &Tag,
        received_at: u64,
        record: &[u8],
    ) -> Result<(), StoreError>;
    /// Records under any of `tags`, at most `max`.
    fn vault_records(&self, tags: &[Tag], max: usize) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Remembers a query nonce until `expires_at`; false if it was already remembered.
    fn remember_nonce(&self, nonce: &[u8; 16], expires_at: u64) -> Result<bool, StoreError>;
    /// Removes bundles published before `bundles_before`, vault records received before
    /// `vault_before`, and nonces expired at `now`.
    fn purge(&self, bundles_before: u64, vault_before: u64, now: u64)
    -> Result<Purged, StoreError>;
    /// How much is stored.
    fn counts(&self) -> Result<Counts, StoreError>;
    /// Makes every write that returned before this call durable.
    fn flush(&self) -> Result<(), StoreError>;
}

/// The embedded sled store.
///
/// Trees: `bundles` (seq → published_at ‖ bundle), `bundle_ids` (id → seq), `bundle_hours`
/// (hour ‖ seq → ∅), `vault` (tag ‖ received_at ‖ unique id → record), `nonces` (nonce →
/// expires_at), `meta` (`last_seq`).
pub struct SledStore {
    db: sled::Db,
    bundles: sled::Tree,
    bundle_ids: sled::Tree,
    bundle_hours: sled::Tree,
    vault: sled::Tree,
    nonces: sled::Tree,
    meta: sled::Tree,
    append: Mutex<()>,
    // sled's len() is a full scan, so counts are kept here, counted once at open.
    bundle_count: AtomicU64,
    vault_count: AtomicU64,
}

fn be(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

fn read_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    if b.len() >= 8 {
        a.copy_from_slice(&b[..8]);
    }
    u64::from_be_bytes(a)
}

/// The `bundle_hours` key of a bundle: its publication hour, then its sequence number.
fn hour_key(published_at: u64, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&be(published_at / 3600));
    k[8..].copy_from_slice(&be(seq));
    k
}

/// The id of a stored bundle value (publication time, then the signed bundle): the digest
/// the tracer signed, as `protocol::Bundle::id` computes it.
fn stored_bundle_id(value: &[u8]) -> [u8; 32] {
    let bundle = value.get(8..).unwrap_or_default();
    blake3::derive_key(
        protocol::domain::BUNDLE_DIGEST,
        &bundle[..bundle.len().saturating_sub(64)],
    )
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &std::path::Path) -> Result<SledStore, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            // Durability comes from explicit flushes (group commit), not from a timer.
            .flush_every_ms(None)
            .open()?;
        let bundles = db.open_tree("bundles")?;
        let vault = db.open_tree("vault")?;
        Ok(SledStore {
            bundle_count: AtomicU64::new(bundles.len() as u64),
            vault_count: AtomicU64::new(vault.len() as u64),
            bundles,
            vault,
            bundle_ids: db.open_tree("bundle_ids")?,
            bundle_hours: db.open_tree("bundle_hours")?,
            nonces: db.open_tree("nonces")?,
            meta: db.open_tree("meta")?,
            db,
            append: Mutex::new(()),
        })
    }

    /// Checks that the trees agree with each other: every bundle has its id and hour entries
    /// and nothing else does, no sequence number lies beyond `last_seq`, and every vault
    /// entry is well formed. (Sequence numbers may have gaps: the purge removes by age.)
    /// Reads everything; meant for tests and for operators after a crash
    /// (`notify-server --check`).
    pub fn check_integrity(&self) -> Result<Integrity, StoreError> {
        let mut report = Integrity::default();
        let last_seq = self.last_seq()?;
        let mut seqs = std::collections::BTreeSet::new();
        for item in self.bundles.iter() {
            let (k, v) = item?;
            let seq = read_u64(&k);
            report.bundles += 1;
            seqs.insert(seq);
            if k.len() != 8 || v.len() < 8 + 64 {
                report
                    .problems
                    .push(format!("bundle {seq}: malformed entry"));
                continue;
            }
            if seq > last_seq {
                report
                    .problems
                    .push(format!("bundle {seq}: beyond last_seq {last_seq}"));
            }
            match self.bundle_ids.get(stored_bundle_id(&v))? {
                Some(s) if read_u64(&s) == seq => {}
                _ => report.problems.push(format!("bundle {seq}: no id entry")),
            }
            if !self
                .bundle_hours
                .contains_key(hour_key(read_u64(&v), seq))?
            {
                report.problems.push(format!("bundle {seq}: no hour entry"));
            }
        }
        for item in self.bundle_ids.iter() {
            let (_, seq) = item?;
            if !seqs.contains(&read_u64(&seq)) {
                report
                    .problems
                    .push(format!("id entry for missing bundle {}", read_u64(&seq)));
            }
        }
        for item in self.bundle_hours.iter() {
            let (k, _) = item?;
            if k.len() != 16 || !seqs.contains(&read_u64(&k[8..])) {
                report.problems.push(format!(
                    "hour entry for missing bundle {}",
                    read_u64(k.get(8..).unwrap_or_default())
                ));
            }
        }
        for item in self.vault.iter() {
            let (k, v) = item?;
            report.vault_records += 1;
            if k.len() != 32 || v.len() != protocol::vault::RECORD_LEN || k[..16] != v[..16] {
                report.problems.push("malformed vault entry".into());
            }
        }
        Ok(report)
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get("last_seq")?
            .map(|v| read_u64(&v))
            .unwrap_or(0))
    }

    fn stored(seq_key: &[u8], v: &[u8]) -> StoredBundle {
        StoredBundle {
            seq: read_u64(seq_key),
            published_at: read_u64(v),
            bytes: v.get(8..).unwrap_or_default().to_vec(),
        }
    }
}

impl Store for SledStore {
    fn insert_bundle(
        &self,
        id: &[u8; 32],
        published_at: u64,
        bundle: &[u8],
    ) -> Result<Inserted, StoreError> {
        use sled::Transactional as _;
        // One appender at a time, so sequence numbers are gapless and readers that page with
        // `after` never skip a bundle that commits late.
        let _guard = self
            .append
            .lock()
            .map_err(|_| StoreError("append lock poisoned".into()))?;
        if let Some(seq) = self.bundle_ids.get(id)? {
            return Ok(Inserted {
                seq: read_u64(&seq),
                new: false,
            });
        }
        let seq = self.last_seq()? + 1;
        let mut value = Vec::with_capacity(8 + bundle.len());
        value.extend_from_slice(&be(published_at));
        value.extend_from_slice(bundle);
        let hour = hour_key(published_at, seq);
        (
            &self.bundles,
            &self.bundle_ids,
            &self.bundle_hours,
            &self.meta,
        )
            .transaction(|(b, ids, hours, meta)| {
                b.insert(&be(seq), value.as_slice())?;
                ids.insert(id, &be(seq))?;
                hours.insert(&hour, &[])?;
                meta.insert("last_seq", &be(seq))?;
                Ok(())
            })
            .map_err(|e: sled::transaction::TransactionError<()>| StoreError(format!("{e:?}")))?;
        self.bundle_count.fetch_add(1, Ordering::Relaxed);
        Ok(Inserted { seq, new: true })
    }

    fn bundles_after(
        &self,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredBundle>, StoreError> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let start = after.saturating_add(1);
        for item in self.bundles.range(be(start)..) {
            let (k, v) = item?;
            if out.len() >= limit || (!out.is_empty() && bytes + v.len() > max_bytes) {
                break;
            }
            bytes += v.len();
            out.push(SledStore::stored(&k, &v));
        }
        Ok(out)
    }

    fn bundles_in_hour(&self, hour: u64) -> Result<Vec<StoredBundle>, StoreError> {
        let mut out = Vec::new();
        for item in self.bundle_hours.scan_prefix(be(hour)) {
            let (k, _) = item?;
            let seq_key = &k[8..16];
            if let Some(v) = self.bundles.get(seq_key)? {
                out.push(SledStore::stored(seq_key, &v));
            }
        }
        Ok(out)
    }

    fn insert_vault_record(
        &self,
        tag: &Tag,
        received_at: u64,
        record: &[u8],
    ) -> Result<(), StoreError> {
        let unique = self.db.generate_id()?;
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(tag);
        key[16..24].copy_from_slice(&be(received_at));
        key[24..].copy_from_slice(&be(unique));
        self.vault.insert(key, record)?;
        self.vault_count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn vault_records(&self, tags: &[Tag], max: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        for tag in tags {
            for item in self.vault.scan_prefix(tag) {
                if out.len() >= max {
                    return Ok(out);
                }
                out.push(item?.1.to_vec());
            }
        }
        Ok(out)
    }

    fn remember_nonce(&self, nonce: &[u8; 16], expires_at: u64) -> Result<bool, StoreError> {
        let fresh = self
            .nonces
            .compare_and_swap(nonce, None as Option<&[u8]>, Some(&be(expires_at)))?
            .is_ok();
        Ok(fresh)
    }

    fn purge(
        &self,
        bundles_before: u64,
        vault_before: u64,
        now: u64,
    ) -> Result<Purged, StoreError> {
        use sled::Transactional as _;
        let mut purged = Purged::default();
        // Bundles: by publication hour, oldest first.
        let cutoff_hour = bundles_before / 3600;
        for item in self.bundle_hours.range(..be(cutoff_hour)) {
            let (hour_key, _) = item?;
            // The three entries of one bundle go together, so a crash mid-purge never leaves
            // an id pointing at a removed bundle.
            let removed = (&self.bundles, &self.bundle_ids, &self.bundle_hours)
                .transaction(|(b, ids, hours)| {
                    hours.remove(&*hour_key)?;
                    let Some(v) = b.remove(&hour_key[8..16])? else {
                        return Ok(false);
                    };
                    ids.remove(&stored_bundle_id(&v)[..])?;
                    Ok(true)
                })
                .map_err(|e: sled::transaction::TransactionError<()>| {
                    StoreError(format!("{e:?}"))
                })?;
            if removed {
                purged.bundles += 1;
            }
        }
        // Vault records: keyed by tag first, so this is a scan. Records are small and the
        // purge runs every few minutes off the request path.
        for item in self.vault.iter() {
            let (k, _) = item?;
            if k.len() >= 24 && read_u64(&k[16..24]) < vault_before {
                self.vault.remove(&k)?;
                purged.vault_records += 1;
            }
        }
        for item in self.nonces.iter() {
            let (k, v) = item?;
            if read_u64(&v) <= now {
                self.nonces.remove(&k)?;
                purged.nonces += 1;
            }
        }
        self.bundle_count.fetch_sub(
            purged
                .bundles
                .min(self.bundle_count.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        self.vault_count.fetch_sub(
            purged
                .vault_records
                .min(self.vault_count.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        Ok(purged)
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        Ok(Counts {
            bundles: self.bundle_count.load(Ordering::Relaxed),
            vault_records: self.vault_count.load(Ordering::Relaxed),
            last_seq: self.last_seq()?,
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

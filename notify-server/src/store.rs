//! Storage behind one narrow interface.
//!
//! The server needs only what [`Store`] offers: append a bundle and read bundles in order or by
//! publication hour; add a vault record and read records by tag; remember query nonces; purge
//! by age; count; and make everything written so far durable (`flush`). [`RedbStore`], one
//! `redb` file, is the embedded default; [`PgStore`] keeps the same on PostgreSQL, shared by
//! several server instances (`store = "postgres"`).
//!
//! Writes become durable only at `flush`. The server acknowledges a write only after a flush
//! that started after the write returned (group commit: one flush covers every write that
//! arrived while the previous flush ran).
//!
//! Why redb and not sled: under a simulated power cut (`tests/tests/powercut.rs`) sled 0.34
//! lost every acknowledged record in 5 of 5 cuts, because it syncs with `sync_file_range`
//! (which commits neither file sizes, new blocks, nor the disk's cache) and writes its blob
//! files and directory entries without any sync. redb commits with `fdatasync` and checksums
//! both of its commit slots; the store file's directory entry is synced here when the file is
//! created.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};

mod postgres;
pub use postgres::{PgSettings, PgStore};
mod push;
pub use push::{PushStore, PushSubscription, Subscribed, VAPID_FILE};

use protocol::Tag;
use redb::{
    Database, Durability, ReadableDatabase as _, ReadableTable as _, ReadableTableMetadata as _,
    TableDefinition,
};

/// A failure of the storage layer itself (disk, corruption), never of the input.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage failure: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError(e.to_string())
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
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
    /// Case files removed unfetched at their expiry.
    pub cases: u64,
    /// Case keys destroyed: the keys of days whose held case files have all expired.
    pub case_keys: u64,
}

/// What became of a case file posted for holding ([`Store::put_case`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasePut {
    /// Held until `expires_at`. `fresh` is false when the same file (the same tag) was held
    /// under the id already: a re-send, whose hold is renewed.
    Held {
        /// When the file is deleted unfetched, Unix seconds.
        expires_at: u64,
        /// Whether the file was not held before.
        fresh: bool,
    },
    /// The id holds another file: nothing stored.
    Taken,
    /// Holding it would take the bytes of every held case file past the total allowed:
    /// nothing stored.
    Full,
}

/// The days whose case keys the purge at `now` destroys: every day before yesterday. A case
/// file is encrypted under the key of the UTC day it was posted on and held at most a day
/// ([`crate::api::CASE_HOLD_SECS`]), so none sealed under such a key is still held.
pub fn case_keys_before(now: u64) -> u64 {
    (now / 86_400).saturating_sub(1)
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

/// What [`Store::check_integrity`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Integrity {
    /// Bundles stored.
    pub bundles: u64,
    /// Vault records stored.
    pub vault_records: u64,
    /// Every inconsistency, in words; empty when the store is sound.
    pub problems: Vec<String>,
}

/// The storage interface (push subscriptions: [`PushStore`]).
pub trait Store: PushStore + Send + Sync + 'static {
    /// Appends a bundle identified by `id`, unless a bundle with that id is stored already.
    fn insert_bundle(
        &self,
        id: &[u8; 32],
        published_at: u64,
        bundle: &[u8],
    ) -> Result<Inserted, StoreError>;
    /// Bundles with `seq > after`, in order: at most `limit`, and at most about `max_bytes`
    /// (always at least one if there is one). Only durable bundles: none is read before the
    /// flush (or commit) that makes it durable, so no number read is ever given again.
    fn bundles_after(
        &self,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredBundle>, StoreError>;
    /// Bundles published in epoch hour `hour`, in order; only durable ones, as above.
    fn bundles_in_hour(&self, hour: u64) -> Result<Vec<StoredBundle>, StoreError>;
    /// The highest sequence number a read may see now: every bundle numbered up to it is
    /// durable and readable, and a publication by any instance sharing the store raises it.
    /// Read before a batch is rendered, it names what the rendering holds at least, so a
    /// rendering kept under it is stale once it changes.
    fn latest_seq(&self) -> Result<u64, StoreError>;
    /// Adds a vault record under `tag`; it may become readable only at the next `flush`. A
    /// record already held (the same bytes, received on any day) is not added again.
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
    /// The revocation list held (spec section 10.3), as signed bytes.
    fn revocations(&self) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces the revocation list held; durable at the next `flush`. The caller has checked
    /// that `list` is newer.
    fn set_revocations(&self, list: &[u8]) -> Result<(), StoreError>;
    /// How much is stored.
    fn counts(&self) -> Result<Counts, StoreError>;
    /// Makes every write that returned before this call durable.
    fn flush(&self) -> Result<(), StoreError>;
    /// Holds `value` (a check of 32 bytes that names the file and its tag, then both encrypted
    /// under a case key) under `id` until `expires_at` (durable at the next `flush`). When `id`
    /// holds a value with the same check already (the same file and tag posted again), the new
    /// value replaces it and the hold runs to the later of the two expiries; another check is
    /// [`CasePut::Taken`]. A
    /// new file that would take the bytes held past `max_total` is [`CasePut::Full`].
    fn put_case(
        &self,
        id: &str,
        expires_at: u64,
        value: &[u8],
        max_total: u64,
    ) -> Result<CasePut, StoreError>;
    /// Removes and returns the value under `id`, unless it expired before `now`.
    fn take_case(&self, id: &str, now: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// The key that case files posted on UTC `day` are encrypted under, made (random, durable
    /// before this returns) when `create` and there is none. `None` once the purge destroyed
    /// it ([`case_keys_before`]), or when there never was one.
    fn case_key(
        &self,
        day: u64,
        create: bool,
    ) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>, StoreError>;
    /// Checks the store's consistency (for `notify-server --check`; stop the server first).
    fn check_integrity(&self) -> Result<Integrity, StoreError>;
    /// Whether other server instances write to this store too: then what an instance holds in
    /// memory (the revocation list, rendered pages) must be refreshed from the store.
    fn shared(&self) -> bool {
        false
    }
    /// Whether the store answers a read now (for readiness): a cheap round trip, no scan.
    fn ping(&self) -> Result<(), StoreError>;
}

/// Bundles: sequence number → publication time (8 bytes, big-endian) ‖ signed bundle.
const BUNDLES: TableDefinition<u64, &[u8]> = TableDefinition::new("bundles");
/// Bundle ids (the digest the tracer signed) → sequence number.
const BUNDLE_IDS: TableDefinition<[u8; 32], u64> = TableDefinition::new("bundle_ids");
/// (publication hour, sequence number) → nothing: the index behind hour batches and the purge.
const BUNDLE_HOURS: TableDefinition<(u64, u64), ()> = TableDefinition::new("bundle_hours");
/// Vault records: tag ‖ digest (the first 12 bytes of the record's BLAKE3 hash) ‖ day received
/// (u32, days since 1970) → record. No sequence numbers and no time finer than the day, so that
/// neither the keys nor their order regroup the records of one visit or one upload burst: a
/// record is a fresh ciphertext, so its digest is as random as random bytes, and within a tag
/// the keys sort by it. The digest also finds a record sent again (spec 16b: a re-sent
/// record is stored once) with one look-up, whatever day either copy arrived.
const VAULT: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("vault");
/// Query nonces → when they may be forgotten.
const NONCES: TableDefinition<[u8; 16], u64> = TableDefinition::new("nonces");
/// Case files held for a tracer: id (base64url) → expiry (8 bytes, big-endian) ‖ check ‖ the
/// tag and file encrypted under the day's case key (see `api::cases`). The case keys live outside
/// this file ([`RedbStore::case_key_dir`]), so that destroying one reaches every copy of the
/// files it encrypted that redb's freed pages keep.
const CASES: TableDefinition<&str, &[u8]> = TableDefinition::new("cases");
/// The layout of [`CASES`] this version writes (`case_layout` in [`META`]): 2, encrypted. A
/// store with another holds plaintext files under the old codes, which are dropped at open.
const CASE_LAYOUT: u64 = 2;
/// The newest revocation list, under the key `list`.
const REVOCATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("revocations");
/// `case_bytes` (the bytes of [`CASES`]' values), `case_layout` ([`CASE_LAYOUT`]),
/// `last_seq` (highest bundle sequence number ever given) and `vault_layout` (3: the vault
/// key layout above; a store with 2 has `tag ‖ day ‖ random[12]` keys, one without it the old
/// `tag ‖ received_at ‖ counter` keys, and either is converted when opened).
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// The embedded store: one redb file.
///
/// Bundles and query nonces are each written in their own redb transaction committed without
/// a sync ([`Durability::None`]), so that publishing can assign sequence numbers and see
/// duplicates, and a nonce can be checked and set, at once. Such a commit is not durable: a
/// crash before the next flush takes it back, and the next bundle would get its number. So
/// readers never see a bundle beyond `durable_seq`, the highest number a flush has made
/// durable: nothing is served before the flush that covers it, and no number once served is
/// given again. Vault records are only collected. [`Store::flush`] writes the collected records and commits with
/// [`Durability::Immediate`] and two-phase commit: one transaction and two `fdatasync`s for
/// every write since the previous flush. A vault record is readable once it is durable, that
/// is, by the time its upload is acknowledged.
///
/// Two-phase commit because the power-cut test showed one-phase commit losing the last
/// acknowledged records now and then (2 runs of about 100 cuts lost 2 and 3 records: the store
/// came back at an older commit); with two phases, 160 cuts lost nothing.
///
/// When a commit fails (a full disk, say), redb refuses every later transaction on the same
/// handle. The store then reopens the file before its next use, which recovers the last
/// durable commit, so the server writes again by itself once the disk can take writes.
pub struct RedbStore {
    path: std::path::PathBuf,
    /// The open database; `None` after a reopen failed (the next use tries again).
    db: RwLock<Option<Database>>,
    /// A write failed: reopen before the next use.
    broken: AtomicBool,
    /// When the last reopen was tried: at most one a second, as a reopen repairs the file.
    last_reopen: Mutex<Option<std::time::Instant>>,
    /// Vault records accepted since the last flush.
    pending: Pending,
    /// The highest bundle sequence number known durable: readers see no bundle beyond it.
    durable_seq: AtomicU64,
}

/// A write transaction that commits without a sync (see [`RedbStore`]).
fn write(db: &Database) -> Result<redb::WriteTransaction, StoreError> {
    let mut w = db.begin_write()?;
    w.set_durability(Durability::None)?;
    Ok(w)
}

/// Most vault records that wait in memory for a flush (about 80 MB).
const MAX_PENDING: usize = 200_000;

/// One vault record waiting for a flush: (tag, received_at, record).
type PendingRecord = (Tag, u64, Vec<u8>);

/// Vault records accepted since the last flush, which the flush writes in its own durable
/// transaction (one for all of them, so an upload costs no transaction of its own).
#[derive(Default)]
pub(crate) struct Pending(Mutex<Vec<PendingRecord>>);

impl Pending {
    /// Adds a record. While flushes fail, records wait in memory for the next one; past
    /// [`MAX_PENDING`], new uploads are refused (503) rather than taking the memory.
    fn push(&self, tag: &Tag, received_at: u64, record: &[u8]) -> Result<(), StoreError> {
        let mut pending = crate::lock(&self.0);
        if pending.len() >= MAX_PENDING {
            return Err(StoreError(format!(
                "{MAX_PENDING} vault records wait for a flush that keeps failing"
            )));
        }
        pending.push((*tag, received_at, record.to_vec()));
        Ok(())
    }

    /// Takes every waiting record, for a flush to write.
    fn take(&self) -> Vec<PendingRecord> {
        std::mem::take(&mut *crate::lock(&self.0))
    }

    /// Puts back the records of a flush that failed, before any that arrived since: the next
    /// flush writes them (a waiter acknowledged by it may have taken its ticket after the
    /// failed flush began).
    fn put_back(&self, batch: Vec<PendingRecord>) {
        let mut pending = crate::lock(&self.0);
        let newer = std::mem::replace(&mut *pending, batch);
        pending.extend(newer);
    }
}

/// The vault key layout this version writes (see [`VAULT`]).
const VAULT_LAYOUT: u64 = 3;

/// The part of a vault key that names the record: `tag ‖ digest[12]`.
fn vault_key_prefix(tag: &Tag, record: &[u8]) -> [u8; 28] {
    let mut prefix = [0u8; 28];
    prefix[..16].copy_from_slice(tag);
    prefix[16..].copy_from_slice(&blake3::hash(record).as_bytes()[..12]);
    prefix
}

/// A vault key: `tag ‖ digest[12] ‖ day`.
fn vault_key(tag: &Tag, record: &[u8], day: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..28].copy_from_slice(&vault_key_prefix(tag, record));
    key[28..].copy_from_slice(&u32::try_from(day).unwrap_or(u32::MAX).to_be_bytes());
    key
}

/// The day (since 1970) a vault key records.
fn vault_key_day(key: &[u8; 32]) -> u64 {
    u64::from(u32::from_be_bytes([key[28], key[29], key[30], key[31]]))
}

/// Adds `record` to the vault unless it is there already, under any day: a record sent again
/// (its first answer lost, or a 503 from a flush whose data reached the disk after all) is
/// stored once.
fn insert_once(
    vault: &mut redb::Table<'_, [u8; 32], &[u8]>,
    tag: &Tag,
    record: &[u8],
    day: u64,
) -> Result<(), StoreError> {
    let prefix = vault_key_prefix(tag, record);
    let (mut lo, mut hi) = ([0u8; 32], [0xFFu8; 32]);
    lo[..28].copy_from_slice(&prefix);
    hi[..28].copy_from_slice(&prefix);
    for item in vault.range(lo..=hi)? {
        // Twelve bytes of digest are a name, not a proof: compare the records themselves.
        if item?.1.value() == record {
            return Ok(());
        }
    }
    vault.insert(vault_key(tag, record, day), record)?;
    Ok(())
}

/// Rewrites the keys of a store from an older `vault_layout` (`layout`: 2 for `tag ‖ day ‖
/// random[12]`, 0 for the first `tag ‖ received_at ‖ counter`) in the current layout,
/// keeping each record and its day; copies of one record become one.
fn convert_vault_keys(
    vault: &mut redb::Table<'_, [u8; 32], &[u8]>,
    layout: u64,
) -> Result<(), StoreError> {
    let old: Vec<([u8; 32], Vec<u8>)> = vault
        .iter()?
        .map(|item| item.map(|(k, v)| (k.value(), v.value().to_vec())))
        .collect::<Result<_, _>>()?;
    for (key, _) in &old {
        vault.remove(key)?;
    }
    for (key, record) in old {
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&key[..16]);
        let day = if layout == 2 {
            u64::from(u32::from_be_bytes([key[16], key[17], key[18], key[19]]))
        } else {
            read_u64(&key[16..24]) / 86_400
        };
        insert_once(vault, &tag, &record, day)?;
    }
    Ok(())
}

/// The store's file inside the data directory.
pub fn store_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("store.redb")
}

/// The highest sequence number `db` has given.
fn last_seq(db: &Database) -> Result<u64, StoreError> {
    let r = db.begin_read()?;
    Ok(r.open_table(META)?
        .get("last_seq")?
        .map(|v| v.value())
        .unwrap_or(0))
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

/// The id of a stored bundle value (publication time, then the signed bundle): the digest
/// the tracer signed, as `protocol::Bundle::id` computes it.
fn stored_bundle_id(value: &[u8]) -> [u8; 32] {
    protocol::notice::bundle_id_of(value.get(8..).unwrap_or_default())
}

fn stored(seq: u64, v: &[u8]) -> StoredBundle {
    StoredBundle {
        seq,
        published_at: read_u64(v),
        bytes: v.get(8..).unwrap_or_default().to_vec(),
    }
}

/// Makes a directory's entries (a file created or renamed in it) durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Creates `dir` and any missing ancestors, durably: each new directory's entry in its parent
/// is synced, so a power cut cannot lose the directory with what is later written inside.
pub fn create_dirs(dir: &Path) -> std::io::Result<()> {
    // The directories this call creates: `dir` and any missing ancestors.
    let created: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    std::fs::create_dir_all(dir)?;
    for d in created {
        let parent = d.parent().filter(|p| !p.as_os_str().is_empty());
        sync_dir(parent.unwrap_or(Path::new(".")))?;
    }
    Ok(())
}

impl RedbStore {
    /// Opens the store at `path`, creating it (and syncing the new file's directory entry) if
    /// it does not exist. A store left by a crash or power cut is repaired by redb on open:
    /// it falls back to the last commit whose checksum is whole.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let db = Self::open_db(path)?;
        let durable_seq = AtomicU64::new(last_seq(&db)?);
        Ok(RedbStore {
            path: path.to_path_buf(),
            db: RwLock::new(Some(db)),
            broken: AtomicBool::new(false),
            last_reopen: Mutex::new(None),
            pending: Pending::default(),
            durable_seq,
        })
    }

    /// Where the case keys live: a directory beside the store file (`store.case-keys`), one
    /// file of 32 bytes per UTC day (`DAY.key`, mode 0600).
    pub fn case_key_dir(&self) -> std::path::PathBuf {
        self.path.with_extension("case-keys")
    }

    /// Destroys the case keys of days before `before`: each file is overwritten with zeros
    /// and synced before it is removed, so that the blocks it held no longer hold the key
    /// (on a file system that rewrites in place; a copy-on-write file system, an SSD's
    /// remapping or a backup may keep the old blocks, as spec section 16b says).
    fn destroy_case_keys(&self, before: u64) -> Result<u64, StoreError> {
        let dir = self.case_key_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(StoreError(format!("reading {}: {e}", dir.display()))),
        };
        let io = |path: &Path, e: std::io::Error| {
            StoreError(format!("destroying case key {}: {e}", path.display()))
        };
        let mut destroyed = 0;
        for entry in entries {
            let path = entry.map_err(|e| io(&dir, e))?.path();
            let day = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".key"))
                .and_then(|d| d.parse::<u64>().ok());
            if day.is_none_or(|d| d >= before) {
                continue;
            }
            {
                use std::io::Write as _;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|e| io(&path, e))?;
                f.write_all(&[0u8; 32]).map_err(|e| io(&path, e))?;
                f.sync_all().map_err(|e| io(&path, e))?;
            }
            std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
            destroyed += 1;
        }
        if destroyed > 0 {
            sync_dir(&dir).map_err(|e| io(&dir, e))?;
        }
        Ok(destroyed)
    }

    /// The highest sequence number readers may see.
    fn durable_seq(&self) -> u64 {
        self.durable_seq.load(Ordering::SeqCst)
    }

    /// Opens (or creates) the file, with every table present, and commits durably: whatever
    /// it holds then is durable.
    fn open_db(path: &Path) -> Result<Database, StoreError> {
        let existed = path.exists();
        let db = Database::create(path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError(format!(
                "{} is in use by another notify-server (or notify-server --check): stop it \
                 first, or give this one another data_dir",
                path.display()
            )),
            e => StoreError::from(e),
        })?;
        if !existed {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            sync_dir(dir)?;
        }
        // Every table exists from the first commit on, so readers never meet a missing one.
        let mut w = db.begin_write()?;
        w.set_durability(Durability::Immediate)?;
        w.open_table(BUNDLES)?;
        w.open_table(BUNDLE_IDS)?;
        w.open_table(BUNDLE_HOURS)?;
        w.open_table(VAULT)?;
        w.open_table(NONCES)?;
        w.open_table(META)?;
        w.open_table(REVOCATIONS)?;
        w.open_table(CASES)?;
        {
            let mut meta = w.open_table(META)?;
            let layout = meta.get("vault_layout")?.map(|v| v.value()).unwrap_or(0);
            if layout != VAULT_LAYOUT {
                convert_vault_keys(&mut w.open_table(VAULT)?, layout)?;
                meta.insert("vault_layout", VAULT_LAYOUT)?;
                meta.remove("vault_unique")?;
            }
            if meta.get("case_layout")?.map(|v| v.value()) != Some(CASE_LAYOUT) {
                w.open_table(CASES)?.retain(|_, _| false)?;
                meta.insert("case_bytes", 0)?;
                meta.insert("case_layout", CASE_LAYOUT)?;
            }
        }
        w.commit()?;
        Ok(db)
    }

    /// Runs `f` on the open database, reopening it first if a write failed. Every error here
    /// is the storage's own (input is checked before it reaches the store), so after a failed
    /// write the handle is reopened before the next use.
    fn with_db<T>(
        &self,
        writes: bool,
        f: impl FnOnce(&Database) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.broken.load(Ordering::SeqCst) {
            {
                let mut last = crate::lock(&self.last_reopen);
                if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1)) {
                    return Err(StoreError(
                        "the store failed to write and is reopened once a second".into(),
                    ));
                }
                *last = Some(std::time::Instant::now());
            }
            let mut slot = self.db.write().unwrap_or_else(PoisonError::into_inner);
            if self.broken.load(Ordering::SeqCst) {
                // Close the failed handle first: redb allows one handle per file, and refuses
                // every transaction on a handle after a failed write.
                *slot = None;
                let db = Self::open_db(&self.path)?;
                self.durable_seq.fetch_max(last_seq(&db)?, Ordering::SeqCst);
                *slot = Some(db);
                self.broken.store(false, Ordering::SeqCst);
            }
        }
        let guard = self.db.read().unwrap_or_else(PoisonError::into_inner);
        let Some(db) = guard.as_ref() else {
            return Err(StoreError("the store is not open".into()));
        };
        let out = f(db);
        if writes && out.is_err() {
            self.broken.store(true, Ordering::SeqCst);
        }
        out
    }

    /// Checks that the tables agree with each other: every bundle has its id and hour entries
    /// and nothing else does, no sequence number lies beyond `last_seq`, and every vault
    /// entry is well formed. (Sequence numbers may have gaps: the purge removes by age.)
    /// Reads everything; meant for tests and for operators after a crash
    /// (`notify-server --check`).
    pub fn check_integrity(&self) -> Result<Integrity, StoreError> {
        self.with_db(false, |db| {
            let mut report = Integrity::default();
            let r = db.begin_read()?;
            let bundles = r.open_table(BUNDLES)?;
            let ids = r.open_table(BUNDLE_IDS)?;
            let hours = r.open_table(BUNDLE_HOURS)?;
            let last_seq = r
                .open_table(META)?
                .get("last_seq")?
                .map(|v| v.value())
                .unwrap_or(0);
            let mut seqs = std::collections::BTreeSet::new();
            for item in bundles.iter()? {
                let (k, v) = item?;
                let (seq, v) = (k.value(), v.value());
                report.bundles += 1;
                seqs.insert(seq);
                if v.len() < 8 + 64 {
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
                match ids.get(stored_bundle_id(v))? {
                    Some(s) if s.value() == seq => {}
                    _ => report.problems.push(format!("bundle {seq}: no id entry")),
                }
                if hours.get((read_u64(v) / 3600, seq))?.is_none() {
                    report.problems.push(format!("bundle {seq}: no hour entry"));
                }
            }
            for item in ids.iter()? {
                let seq = item?.1.value();
                if !seqs.contains(&seq) {
                    report
                        .problems
                        .push(format!("id entry for missing bundle {seq}"));
                }
            }
            for item in hours.iter()? {
                let (_, seq) = item?.0.value();
                if !seqs.contains(&seq) {
                    report
                        .problems
                        .push(format!("hour entry for missing bundle {seq}"));
                }
            }
            for item in r.open_table(VAULT)?.iter()? {
                let (k, v) = item?;
                report.vault_records += 1;
                if v.value().len() != protocol::vault::RECORD_LEN
                    || k.value()[..16] != v.value()[..16]
                {
                    report.problems.push("malformed vault entry".into());
                }
            }
            Ok(report)
        })
    }
}

impl Store for RedbStore {
    fn check_integrity(&self) -> Result<Integrity, StoreError> {
        RedbStore::check_integrity(self)
    }

    fn insert_bundle(
        &self,
        id: &[u8; 32],
        published_at: u64,
        bundle: &[u8],
    ) -> Result<Inserted, StoreError> {
        self.with_db(true, |db| {
            // redb runs one write transaction at a time, so sequence numbers are gapless and
            // readers that page with `after` never skip a bundle that commits late.
            let w = write(db)?;
            let seq = {
                let mut ids = w.open_table(BUNDLE_IDS)?;
                if let Some(seq) = ids.get(id)? {
                    return Ok(Inserted {
                        seq: seq.value(),
                        new: false,
                    });
                }
                let mut meta = w.open_table(META)?;
                let seq = meta.get("last_seq")?.map(|v| v.value()).unwrap_or(0) + 1;
                let mut value = Vec::with_capacity(8 + bundle.len());
                value.extend_from_slice(&be(published_at));
                value.extend_from_slice(bundle);
                w.open_table(BUNDLES)?.insert(seq, value.as_slice())?;
                ids.insert(id, seq)?;
                w.open_table(BUNDLE_HOURS)?
                    .insert((published_at / 3600, seq), ())?;
                meta.insert("last_seq", seq)?;
                seq
            };
            w.commit()?;
            Ok(Inserted { seq, new: true })
        })
    }

    fn bundles_after(
        &self,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredBundle>, StoreError> {
        self.with_db(false, |db| {
            let mut out = Vec::new();
            let mut bytes = 0usize;
            // Loaded before the read begins: a flush that ends in between only makes more of
            // what this read sees durable.
            let durable = self.durable_seq();
            if after >= durable {
                return Ok(out);
            }
            let r = db.begin_read()?;
            let bundles = r.open_table(BUNDLES)?;
            for item in bundles.range(after.saturating_add(1)..=durable)? {
                let (k, v) = item?;
                let v = v.value();
                if out.len() >= limit || (!out.is_empty() && bytes + v.len() > max_bytes) {
                    break;
                }
                bytes += v.len();
                out.push(stored(k.value(), v));
            }
            Ok(out)
        })
    }

    fn bundles_in_hour(&self, hour: u64) -> Result<Vec<StoredBundle>, StoreError> {
        self.with_db(false, |db| {
            let durable = self.durable_seq();
            let r = db.begin_read()?;
            let bundles = r.open_table(BUNDLES)?;
            let mut out = Vec::new();
            for item in r
                .open_table(BUNDLE_HOURS)?
                .range((hour, 0)..=(hour, durable))?
            {
                let (_, seq) = item?.0.value();
                if let Some(v) = bundles.get(seq)? {
                    out.push(stored(seq, v.value()));
                }
            }
            Ok(out)
        })
    }

    fn latest_seq(&self) -> Result<u64, StoreError> {
        Ok(self.durable_seq())
    }

    fn insert_vault_record(
        &self,
        tag: &Tag,
        received_at: u64,
        record: &[u8],
    ) -> Result<(), StoreError> {
        self.pending.push(tag, received_at, record)
    }

    fn vault_records(&self, tags: &[Tag], max: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.with_db(false, |db| {
            let r = db.begin_read()?;
            let vault = r.open_table(VAULT)?;
            let mut out = Vec::new();
            for tag in tags {
                let mut lo = [0u8; 32];
                lo[..16].copy_from_slice(tag);
                let mut hi = [0xFFu8; 32];
                hi[..16].copy_from_slice(tag);
                for item in vault.range(lo..=hi)? {
                    if out.len() >= max {
                        return Ok(out);
                    }
                    out.push(item?.1.value().to_vec());
                }
            }
            Ok(out)
        })
    }

    fn remember_nonce(&self, nonce: &[u8; 16], expires_at: u64) -> Result<bool, StoreError> {
        self.with_db(true, |db| {
            let w = write(db)?;
            let fresh = {
                let mut nonces = w.open_table(NONCES)?;
                let fresh = nonces.get(nonce)?.is_none();
                if fresh {
                    nonces.insert(nonce, expires_at)?;
                }
                fresh
            };
            w.commit()?;
            Ok(fresh)
        })
    }

    fn put_case(
        &self,
        id: &str,
        expires_at: u64,
        value: &[u8],
        max_total: u64,
    ) -> Result<CasePut, StoreError> {
        self.with_db(true, |db| {
            let w = write(db)?;
            let put = {
                let mut cases = w.open_table(CASES)?;
                let mut meta = w.open_table(META)?;
                let total = meta.get("case_bytes")?.map(|v| v.value()).unwrap_or(0);
                let existing = cases.get(id)?.map(|v| v.value().to_vec());
                let new_len = 8 + value.len() as u64;
                // (bytes it replaces, hold, whether new); `None` when the id holds another file.
                let held = match &existing {
                    None => Some((0, expires_at, true)),
                    Some(v) if v.len() >= 40 && v.get(8..40) == value.get(..32) => {
                        Some((v.len() as u64, read_u64(v).max(expires_at), false))
                    }
                    Some(_) => None,
                };
                let new_total = |old_len: u64| total.saturating_sub(old_len) + new_len;
                if held.is_none() {
                    CasePut::Taken
                } else if let Some((_, _, true)) = held
                    && new_total(0) > max_total
                {
                    CasePut::Full
                } else if let Some((old_len, until, fresh)) = held {
                    let mut stored = Vec::with_capacity(8 + value.len());
                    stored.extend_from_slice(&be(until));
                    stored.extend_from_slice(value);
                    cases.insert(id, stored.as_slice())?;
                    meta.insert("case_bytes", new_total(old_len))?;
                    CasePut::Held {
                        expires_at: until,
                        fresh,
                    }
                } else {
                    CasePut::Taken
                }
            };
            w.commit()?;
            Ok(put)
        })
    }

    fn take_case(&self, id: &str, now: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.with_db(true, |db| {
            let w = write(db)?;
            let taken = w.open_table(CASES)?.remove(id)?.map(|v| v.value().to_vec());
            if let Some(v) = &taken {
                let mut meta = w.open_table(META)?;
                let total = meta.get("case_bytes")?.map(|v| v.value()).unwrap_or(0);
                meta.insert("case_bytes", total.saturating_sub(v.len() as u64))?;
            }
            w.commit()?;
            Ok(taken
                .filter(|v| read_u64(v) > now)
                .map(|v| v.get(8..).unwrap_or_default().to_vec()))
        })
    }

    fn case_key(
        &self,
        day: u64,
        create: bool,
    ) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>, StoreError> {
        let dir = self.case_key_dir();
        let path = dir.join(format!("{day}.key"));
        let read = |path: &Path| -> Result<Option<zeroize::Zeroizing<[u8; 32]>>, StoreError> {
            match std::fs::read(path) {
                Ok(b) => {
                    let b = zeroize::Zeroizing::new(b);
                    let key: [u8; 32] = b.as_slice().try_into().map_err(|_| {
                        StoreError(format!("case key {} is not 32 bytes", path.display()))
                    })?;
                    Ok(Some(zeroize::Zeroizing::new(key)))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(StoreError(format!("reading {}: {e}", path.display()))),
            }
        };
        if let Some(key) = read(&path)? {
            return Ok(Some(key));
        }
        if !create {
            return Ok(None);
        }
        create_dirs(&dir).map_err(|e| StoreError(format!("creating {}: {e}", dir.display())))?;
        // Only the server's user may list the keys, as only it may read them (0600).
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| StoreError(format!("securing {}: {e}", dir.display())))?;
        }
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        rand_core::Rng::fill_bytes(&mut rand_core::UnwrapErr(rand::rngs::SysRng), key.as_mut());
        match common::files::write_new(&path, key.as_ref(), 0o600) {
            Ok(()) => Ok(Some(key)),
            // Another request made the day's key first: use that one.
            Err(common::Error::Exists(_)) => read(&path),
            Err(e) => Err(StoreError(e.to_string())),
        }
    }

    fn revocations(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.with_db(false, |db| {
            let r = db.begin_read()?;
            let table = r.open_table(REVOCATIONS)?;
            Ok(table.get("list")?.map(|v| v.value().to_vec()))
        })
    }

    fn set_revocations(&self, list: &[u8]) -> Result<(), StoreError> {
        self.with_db(true, |db| {
            let w = write(db)?;
            w.open_table(REVOCATIONS)?.insert("list", list)?;
            w.commit()?;
            Ok(())
        })
    }

    fn purge(
        &self,
        bundles_before: u64,
        vault_before: u64,
        now: u64,
    ) -> Result<Purged, StoreError> {
        self.with_db(true, |db| {
            let mut purged = Purged::default();
            // One transaction: a bundle's three entries go together, so a crash mid-purge never
            // leaves an id pointing at a removed bundle.
            let w = write(db)?;
            {
                let mut bundles = w.open_table(BUNDLES)?;
                let mut ids = w.open_table(BUNDLE_IDS)?;
                let mut hours = w.open_table(BUNDLE_HOURS)?;
                let cutoff_hour = bundles_before / 3600;
                let expired: Vec<(u64, u64)> = hours
                    .range(..(cutoff_hour, 0))?
                    .map(|item| item.map(|(k, _)| k.value()))
                    .collect::<Result<_, _>>()?;
                for (hour, seq) in expired {
                    hours.remove((hour, seq))?;
                    let id = match bundles.remove(seq)? {
                        Some(v) => stored_bundle_id(v.value()),
                        None => continue,
                    };
                    ids.remove(id)?;
                    purged.bundles += 1;
                }
                // Vault keys begin with the tag, so this is a scan. The purge runs every few
                // minutes, off the request path.
                w.open_table(VAULT)?.retain(|k, _| {
                    let keep = vault_key_day(&k) >= vault_before / 86_400;
                    purged.vault_records += u64::from(!keep);
                    keep
                })?;
                w.open_table(NONCES)?.retain(|_, expires_at| {
                    let keep = expires_at > now;
                    purged.nonces += u64::from(!keep);
                    keep
                })?;
                let mut freed = 0u64;
                w.open_table(CASES)?.retain(|_, v| {
                    let keep = read_u64(v) > now;
                    purged.cases += u64::from(!keep);
                    freed += if keep { 0 } else { v.len() as u64 };
                    keep
                })?;
                // Written only when something left, so that a purge with nothing to do
                // writes no page.
                if freed > 0 {
                    let mut meta = w.open_table(META)?;
                    let total = meta.get("case_bytes")?.map(|v| v.value()).unwrap_or(0);
                    meta.insert("case_bytes", total.saturating_sub(freed))?;
                }
            }
            w.commit()?;
            purged.case_keys = self.destroy_case_keys(case_keys_before(now))?;
            Ok(purged)
        })
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        self.with_db(false, |db| {
            let r = db.begin_read()?;
            Ok(Counts {
                bundles: r.open_table(BUNDLES)?.len()?,
                vault_records: r.open_table(VAULT)?.len()?,
                last_seq: r
                    .open_table(META)?
                    .get("last_seq")?
                    .map(|v| v.value())
                    .unwrap_or(0),
            })
        })
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.with_db(false, |db| {
            let r = db.begin_read()?;
            r.open_table(META)?.get("last_seq")?;
            Ok(())
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.with_db(true, |db| {
            // The collected vault records, then a commit with Durability::Immediate, which makes
            // them and every earlier unsynced commit durable. If it fails, the waiting requests
            // it covered are answered with a 5xx, and the records go back to the pending list
            // for the next flush: a record whose upload took its ticket after this flush began
            // is acknowledged by a later flush, which must write it.
            //
            // The batch is taken only once this flush holds redb's single write transaction.
            // Taken before, a second flush running at the same time (the purge's, or shutdown's)
            // could commit and acknowledge its waiters while this one still held records it had
            // not written: the power-cut test lost two acknowledged records that way.
            let mut w = db.begin_write()?;
            w.set_durability(Durability::Immediate)?;
            w.set_two_phase_commit(true);
            let batch = self.pending.take();
            let written = (|| -> Result<u64, StoreError> {
                // Every bundle committed so far is in this transaction's view, and durable
                // with its commit.
                let seq = w
                    .open_table(META)?
                    .get("last_seq")?
                    .map(|v| v.value())
                    .unwrap_or(0);
                if !batch.is_empty() {
                    let mut vault = w.open_table(VAULT)?;
                    for (tag, received_at, record) in &batch {
                        insert_once(&mut vault, tag, record, received_at / 86_400)?;
                    }
                }
                w.commit()?;
                Ok(seq)
            })();
            match written {
                Ok(seq) => {
                    self.durable_seq.fetch_max(seq, Ordering::SeqCst);
                    Ok(())
                }
                Err(e) => {
                    self.pending.put_back(batch);
                    Err(e)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn raw_keys(store: &RedbStore) -> Vec<[u8; 32]> {
        store
            .with_db(false, |db| {
                let r = db.begin_read()?;
                let t = r.open_table(VAULT)?;
                Ok(t.iter()?
                    .map(|i| i.map(|(k, _)| k.value()))
                    .collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap()
    }

    /// Issue 15: a seized store keeps no arrival order and no time finer than the day. Records
    /// of one tag uploaded one after another, seconds apart, come back in an order that has
    /// nothing to do with that, and their keys differ only in random bytes.
    #[test]
    fn vault_keys_keep_no_order_and_only_the_day() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = RedbStore::open(&dir.path().join("store.redb")).unwrap();
        let tag = [7u8; 16];
        let day = 20_000u64;
        let mut sent = Vec::new();
        for i in 0..64u64 {
            let mut record = vec![0u8; protocol::vault::RECORD_LEN];
            record[..16].copy_from_slice(&tag);
            record[16..24].copy_from_slice(&i.to_be_bytes());
            store
                .insert_vault_record(&tag, day * 86_400 + 3_600 + i * 7, &record)
                .unwrap();
            store.flush().unwrap();
            sent.push(record);
        }
        let keys = raw_keys(&store);
        assert_eq!(keys.len(), 64);
        for k in &keys {
            assert_eq!(&k[..16], &tag);
            assert_eq!(vault_key_day(k), day, "only the day is kept");
        }
        // Stored in key order, which is random: far from the order of arrival.
        let got = store.vault_records(&[tag], usize::MAX).unwrap();
        let in_order = got.iter().zip(&sent).filter(|(a, b)| a == b).count();
        assert!(
            in_order < 16,
            "{in_order} of 64 records kept their arrival position"
        );
        assert!(store.check_integrity().unwrap().problems.is_empty());
    }

    /// A store written before the key layout changed is converted when opened: every record
    /// stays, under the same tag and its day.
    #[test]
    fn old_vault_keys_are_converted_on_open() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("store.redb");
        {
            let store = RedbStore::open(&path).unwrap();
            store
                .with_db(true, |db| {
                    let w = db.begin_write()?;
                    {
                        let mut t = w.open_table(VAULT)?;
                        for i in 0..3u64 {
                            let mut key = [0u8; 32];
                            key[..16].copy_from_slice(&[9u8; 16]);
                            key[16..24].copy_from_slice(&be(86_400 * 19_000 + i));
                            key[24..].copy_from_slice(&be(i + 1));
                            let mut record = vec![0u8; protocol::vault::RECORD_LEN];
                            record[..16].copy_from_slice(&[9u8; 16]);
                            record[20] = i as u8;
                            t.insert(key, record.as_slice())?;
                        }
                        let mut meta = w.open_table(META)?;
                        meta.remove("vault_layout")?;
                        meta.insert("vault_unique", 3)?;
                    }
                    w.commit()?;
                    Ok(())
                })
                .unwrap();
        }
        let store = RedbStore::open(&path).unwrap();
        let keys = raw_keys(&store);
        assert_eq!(keys.len(), 3);
        assert!(keys.iter().all(|k| vault_key_day(k) == 19_000));
        assert_eq!(store.vault_records(&[[9u8; 16]], 10).unwrap().len(), 3);
        assert!(store.check_integrity().unwrap().problems.is_empty());
    }
}

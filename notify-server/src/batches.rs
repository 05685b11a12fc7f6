//! Closed hour batches as immutable files for a static host or CDN (`batch_dir`).
//!
//! Once an hour has closed (spec section 12.3), its batch never changes. Every minute the
//! server writes each closed hour within retention that is not yet there, as
//! `batch_dir/v1/batches/HOUR` (the bytes `GET /v1/batches/HOUR` serves) and, where gzip makes
//! it smaller, `HOUR.gz` beside it, and removes the files of hours that left retention. Files
//! are written under a temporary name, synced, and linked into place without replacing, so a
//! host never serves half a file and several instances can share one directory. A static host
//! serving this directory (the `.gz` files as `Content-Encoding: gzip` where asked) answers
//! phones' batch reads without the server or its database; `docs/deployment.md` has the
//! headers and an nginx example.

use std::path::{Path, PathBuf};

use crate::store::{Store, StoreError};

/// What one round wrote and removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    /// Hours written.
    pub written: u64,
    /// Hours removed, having left retention.
    pub removed: u64,
}

/// The directory the batch files go in, inside `batch_dir`: the API's own path, so that a
/// static host serving `batch_dir` at the server's origin answers the same URLs.
pub fn batches_path(batch_dir: &Path) -> PathBuf {
    batch_dir.join("v1").join("batches")
}

fn io(what: &str, path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError(format!(
        "batch files: cannot {what} {}: {e}",
        path.display()
    ))
}

/// Writes `path` unless it exists already (another instance, or an earlier round, wrote it).
fn write_once(path: &Path, data: &[u8]) -> Result<bool, StoreError> {
    match common::files::write_new(path, data, 0o644) {
        Ok(()) => Ok(true),
        Err(common::Error::Exists(_)) => Ok(false),
        Err(e) => Err(StoreError(format!("batch files: {e}"))),
    }
}

/// One round: writes every closed hour of the last `retention_days` that is missing from
/// `batch_dir`, and removes the hours before them.
pub fn export(
    store: &dyn Store,
    batch_dir: &Path,
    retention_days: u64,
    now: u64,
) -> Result<Exported, StoreError> {
    let dir = batches_path(batch_dir);
    crate::store::create_dirs(&dir).map_err(|e| io("create", &dir, e))?;
    let current = now / 3600;
    let oldest = current.saturating_sub(retention_days * 24);
    let mut done = Exported::default();
    for hour in oldest..current {
        if !protocol::batch::is_closed(hour, now) {
            continue;
        }
        let plain = dir.join(hour.to_string());
        if plain.exists() {
            continue;
        }
        let bundles = store.bundles_in_hour(hour)?;
        let body = protocol::batch::encode_batch(hour, bundles.iter().map(|b| b.bytes.as_slice()))
            .map_err(|e| StoreError(format!("hour {hour}: {e}")))?;
        // The compressed file first: once the plain one exists, both do.
        let gz = crate::api::gzip(&body)?;
        if gz.len() < body.len() {
            write_once(&dir.join(format!("{hour}.gz")), &gz)?;
        }
        if write_once(&plain, &body)? {
            done.written += 1;
        }
    }
    for entry in std::fs::read_dir(&dir).map_err(|e| io("read", &dir, e))? {
        let entry = entry.map_err(|e| io("read", &dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(hour) = name.trim_end_matches(".gz").parse::<u64>() else {
            continue;
        };
        if hour < oldest {
            std::fs::remove_file(entry.path()).map_err(|e| io("remove", &entry.path(), e))?;
            done.removed += u64::from(!name.ends_with(".gz"));
        }
    }
    Ok(done)
}

//! Closed hour batches as immutable files for a static host or CDN (`batch_dir`).
//!
//! Once an hour has closed (spec section 12.3), its batch never changes. Every minute the
//! server writes each closed hour within retention that is not yet there, as
//! `batch_dir/v1/batches/HOUR` (the bytes `GET /v1/batches/HOUR` serves) and, where gzip makes
//! it smaller, `HOUR.gz` beside it, and removes the files of hours that left retention. Each
//! closed UTC day goes the same way to `batch_dir/v1/days/DAY` (and `DAY.gz`), the day file of
//! `GET /v1/days/DAY`, until its last hour leaves retention. Files
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
    /// Day files written.
    pub days_written: u64,
    /// Day files removed, their last hour having left retention.
    pub days_removed: u64,
}

/// The directory the batch files go in, inside `batch_dir`: the API's own path, so that a
/// static host serving `batch_dir` at the server's origin answers the same URLs.
pub fn batches_path(batch_dir: &Path) -> PathBuf {
    batch_dir.join("v1").join("batches")
}

/// The directory the day files go in, inside `batch_dir` (as [`batches_path`]).
pub fn days_path(batch_dir: &Path) -> PathBuf {
    batch_dir.join("v1").join("days")
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
    done.removed = remove_before(&dir, oldest)?;
    // Day files: every closed day whose last hour is within retention. The store keeps a
    // day's bundles until then (the purge goes by whole days), so a day file is the same
    // whenever it is written.
    let days = days_path(batch_dir);
    crate::store::create_dirs(&days).map_err(|e| io("create", &days, e))?;
    let oldest_day = protocol::batch::day_of_hour(oldest);
    for day in oldest_day..=protocol::batch::day_of_hour(current) {
        if !protocol::batch::is_day_closed(day, now) {
            continue;
        }
        let plain = days.join(day.to_string());
        if plain.exists() {
            continue;
        }
        let hours = protocol::batch::hours_of_day(day)
            .map(|hour| {
                let bundles = store.bundles_in_hour(hour)?;
                protocol::batch::encode_batch(hour, bundles.iter().map(|b| b.bytes.as_slice()))
                    .map_err(|e| StoreError(format!("hour {hour}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let body = protocol::batch::encode_day(day, hours.iter().map(Vec::as_slice))
            .map_err(|e| StoreError(format!("day {day}: {e}")))?;
        let gz = crate::api::gzip(&body)?;
        if gz.len() < body.len() {
            write_once(&days.join(format!("{day}.gz")), &gz)?;
        }
        if write_once(&plain, &body)? {
            done.days_written += 1;
        }
    }
    done.days_removed = remove_before(&days, oldest_day)?;
    Ok(done)
}

/// Removes the files of `dir` named for a number (an hour or a day, with or without `.gz`)
/// below `oldest`; returns how many plain files went.
fn remove_before(dir: &Path, oldest: u64) -> Result<u64, StoreError> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| io("read", dir, e))? {
        let entry = entry.map_err(|e| io("read", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(n) = name.trim_end_matches(".gz").parse::<u64>() else {
            continue;
        };
        if n < oldest {
            std::fs::remove_file(entry.path()).map_err(|e| io("remove", &entry.path(), e))?;
            removed += u64::from(!name.ends_with(".gz"));
        }
    }
    Ok(removed)
}

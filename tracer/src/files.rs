//! Atomic file writes: a temporary file in the destination directory, synced, then linked
//! into place (never replacing) or renamed over the old file (replacing).

use std::io::Write as _;
use std::path::Path;

use crate::Error;

fn staged(path: &Path, data: &[u8], mode: u32) -> Result<tempfile::NamedTempFile, Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".tracer-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a file in", dir, e))?;
    temp.write_all(data)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io("write", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io("write", path, e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(temp)
}

/// Writes `path` unless it exists.
pub fn write_new(path: &Path, data: &[u8], mode: u32) -> Result<(), Error> {
    staged(path, data, mode)?
        .persist_noclobber(path)
        .map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Exists(path.to_path_buf())
            } else {
                Error::io("write", path, e.error)
            }
        })?;
    Ok(())
}

/// Writes `path`, replacing it if it exists.
pub fn write_replace(path: &Path, data: &[u8], mode: u32) -> Result<(), Error> {
    staged(path, data, mode)?
        .persist(path)
        .map_err(|e| Error::io("write", path, e.error))?;
    Ok(())
}

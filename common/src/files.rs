//! Atomic, durable file writes: a temporary file in the destination directory, synced, then
//! linked into place (never replacing) or renamed over the old file (replacing), and the
//! directory synced so the new name survives a crash too.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Error;

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Syncs the directory holding `path`, which makes a rename or link into it durable.
pub fn sync_parent(path: &Path) -> Result<(), Error> {
    let dir = parent(path);
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("sync the directory", dir, e))
}

/// Creates `dir` and any missing parents (0700: they hold secret keys), syncing each new
/// directory's entry in its parent, so that what is later written inside survives a power cut.
pub fn create_dir(dir: &Path) -> Result<(), Error> {
    let created: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::io("create the directory", dir, e))?;
    created.into_iter().try_for_each(sync_parent)
}

/// A file written and synced under a temporary name next to its destination, waiting to be
/// put in place: several can be staged and then committed together, so that nothing is put in
/// place unless everything could be written.
pub struct Staged {
    temp: tempfile::NamedTempFile,
    dest: PathBuf,
}

/// Writes `data` to a temporary file next to `dest` with permission bits `mode`, and syncs it.
pub fn stage(dest: &Path, data: &[u8], mode: u32) -> Result<Staged, Error> {
    let dir = parent(dest);
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a file in", dir, e))?;
    temp.write_all(data)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io("write", dest, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io("write", dest, e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(Staged {
        temp,
        dest: dest.to_path_buf(),
    })
}

impl Staged {
    /// Puts the file in place, replacing an existing one only if `replace` (otherwise
    /// [`Error::Exists`]), and syncs the directory so the new name survives a power cut.
    pub fn commit(self, replace: bool) -> Result<(), Error> {
        let dest = self.dest;
        if replace {
            self.temp
                .persist(&dest)
                .map_err(|e| Error::io("write", &dest, e.error))?;
        } else {
            self.temp.persist_noclobber(&dest).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::Exists(dest.clone())
                } else {
                    Error::io("write", &dest, e.error)
                }
            })?;
        }
        sync_parent(&dest)
    }
}

/// Writes `path`, replacing an existing file only if `replace` (otherwise [`Error::Exists`]).
pub fn write(path: &Path, data: &[u8], mode: u32, replace: bool) -> Result<(), Error> {
    stage(path, data, mode)?.commit(replace)
}

/// Writes `path` unless it exists.
pub fn write_new(path: &Path, data: &[u8], mode: u32) -> Result<(), Error> {
    stage(path, data, mode)?.commit(false)
}

/// Writes `path`, replacing it if it exists.
pub fn write_replace(path: &Path, data: &[u8], mode: u32) -> Result<(), Error> {
    stage(path, data, mode)?.commit(true)
}

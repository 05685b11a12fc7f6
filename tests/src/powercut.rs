//! A simulated power cut, for tests: a throw-away ext4 file system on a loop device that can
//! be shut down at any moment without committing its journal.
//!
//! [`Disk::cut`] issues `EXT4_IOC_SHUTDOWN` with `EXT4_GOING_FLAGS_NOLOGFLUSH`, as xfstests
//! does for its power-failure tests: from then on the file system refuses every write, and
//! whatever was only in the page cache or in the uncommitted journal is gone, exactly as if
//! the power had failed. [`Disk::remount`] unmounts it and mounts it again, which replays the
//! committed journal as a reboot would. What a program acknowledged before the cut must be
//! there afterwards.
//!
//! It needs root, `losetup`, `mkfs.ext4`, `mount` and `python3` (which issues the ioctl: the
//! workspace forbids `unsafe`, and an ioctl cannot be called without it). Where any of these is
//! missing, [`Disk::new`] says which, and the tests skip with that message.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `EXT4_IOC_SHUTDOWN` (`_IOR('X', 125, __u32)`), with `EXT4_GOING_FLAGS_NOLOGFLUSH` (2):
/// shut down without flushing the journal.
const SHUTDOWN: &str = "import fcntl, os, struct, sys\n\
fd = os.open(sys.argv[1], os.O_RDONLY)\n\
fcntl.ioctl(fd, 0x8004587D, struct.pack('I', 2))\n";

/// A mounted ext4 image on a loop device, removed when dropped.
pub struct Disk {
    image: PathBuf,
    device: String,
    mount: PathBuf,
    mounted: bool,
}

fn run(cmd: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {cmd}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "{cmd} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Disk {
    /// Makes a `size_mib` ext4 image in `work` (a directory on a real disk), attaches it to a
    /// free loop device and mounts it at `work/mnt`. `Err` says why this machine cannot.
    pub fn new(work: &Path, size_mib: u64) -> Result<Disk, String> {
        let image = work.join("disk.img");
        let mount = work.join("mnt");
        std::fs::create_dir_all(&mount).map_err(|e| format!("cannot create {mount:?}: {e}"))?;
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(size_mib << 20))
            .map_err(|e| format!("cannot create the image: {e}"))?;
        let image_s = image.to_string_lossy().to_string();
        run("mkfs.ext4", &["-q", "-F", &image_s])?;
        run("python3", &["-c", "import fcntl"])?;
        let device = run("losetup", &["--find", "--show", &image_s])?;
        let mut disk = Disk {
            image,
            device,
            mount,
            mounted: false,
        };
        disk.mount()?;
        Ok(disk)
    }

    fn mount(&mut self) -> Result<(), String> {
        run(
            "mount",
            &["-t", "ext4", &self.device, &self.mount.to_string_lossy()],
        )?;
        self.mounted = true;
        Ok(())
    }

    /// Where the file system is mounted.
    pub fn path(&self) -> &Path {
        &self.mount
    }

    /// Cuts the power: the file system stops at once, its journal uncommitted.
    pub fn cut(&self) {
        if let Err(e) = run("python3", &["-c", SHUTDOWN, &self.mount.to_string_lossy()]) {
            panic!("the power cut (EXT4_IOC_SHUTDOWN) failed: {e}");
        }
    }

    /// Powers up again: unmounts the shut-down file system and mounts it, replaying what its
    /// journal had committed. Every process with a file open on it must have exited.
    pub fn remount(&mut self) {
        if let Err(e) = run("umount", &[&self.mount.to_string_lossy()]) {
            panic!("cannot unmount after the power cut: {e}");
        }
        self.mounted = false;
        if let Err(e) = self.mount() {
            panic!("the file system does not mount after the power cut: {e}");
        }
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = run("umount", &[&self.mount.to_string_lossy()]);
        }
        let _ = run("losetup", &["-d", &self.device]);
        let _ = std::fs::remove_file(&self.image);
    }
}

/// How many cuts a power-cut test makes: `POWERCUT_TRIALS`, else `default`.
pub fn trials(default: usize) -> usize {
    std::env::var("POWERCUT_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A disk for a power-cut test, or `None` after saying on stderr why the test is skipped.
pub fn disk_or_skip(work: &Path, size_mib: u64) -> Option<Disk> {
    match Disk::new(work, size_mib) {
        Ok(d) => Some(d),
        Err(e) if std::env::var_os("POWERCUT_REQUIRED").is_some() => {
            panic!("POWERCUT_REQUIRED is set, but no loop device can be used: {e}")
        }
        Err(e) => {
            eprintln!(
                "SKIPPED: this power-cut test needs root and a loop device (losetup, mkfs.ext4, \
                 mount, python3): {e}"
            );
            None
        }
    }
}

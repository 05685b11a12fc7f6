//! Creating and unlocking a diary: `config.json` (settings, not secret), the pinned trust file,
//! and the master key, from `device.key` (0600) or Argon2id over a passphrase.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use protocol::{Pin, TrustAnchor};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Error;
use crate::net;
use crate::store::{self, Access, Store};

/// How the diary key is protected.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Protection {
    /// A random key in `device.key` (mode 0600).
    DeviceKey,
    /// Argon2id over a passphrase.
    Passphrase {
        /// Salt, base64url.
        salt: String,
        /// Memory in KiB.
        m_cost: u32,
        /// Iterations.
        t_cost: u32,
        /// Parallelism.
        p_cost: u32,
    },
}

/// The diary's settings (`config.json`, not secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `checkin-diary/v1`.
    pub format: String,
    /// The notify server.
    pub server: String,
    /// How the key is protected.
    pub protection: Protection,
    /// A sealed constant, to tell a wrong passphrase from a damaged diary.
    pub check: String,
    /// Minimum overlap for an alert, seconds.
    pub threshold_secs: u64,
    /// Days visits and alerts are kept.
    pub retention_days: u64,
}

const CHECK: &[u8] = b"checkin diary v1";
const ARGON_M: u32 = 64 * 1024;
const ARGON_T: u32 = 3;
const ARGON_P: u32 = 1;

fn argon(
    passphrase: &[u8],
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let params = argon2::Params::new(m, t, p, Some(32))
        .map_err(|e| Error::Invalid(format!("bad key parameters: {e}")))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    a.hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| Error::Invalid(format!("cannot derive the key: {e}")))?;
    Ok(out)
}

/// A key derived from the master key for one use.
pub(crate) fn subkey(master: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let ok = Hkdf::<Sha256>::new(None, master)
        .expand(info, out.as_mut())
        .is_ok();
    debug_assert!(ok);
    out
}

/// The key that seals `diary.bin`.
fn diary_key(master: &[u8]) -> Zeroizing<[u8; 32]> {
    subkey(master, b"checkin/client/v2/diary")
}

/// The key that seals the cached notices, `notices.bin`.
pub(crate) fn notices_key(master: &[u8]) -> Zeroizing<[u8; 32]> {
    subkey(master, b"checkin/client/v2/notices")
}

/// The sealed constant in `config.json` for this master key.
fn check_value(master: &[u8]) -> Result<String, Error> {
    let key = subkey(master, b"checkin/client/v2/check");
    Ok(URL_SAFE_NO_PAD.encode(store::seal(&key, CHECK, CHECK)?))
}

fn check_matches(master: &[u8], check: &str) -> bool {
    let key = subkey(master, b"checkin/client/v2/check");
    if let Some(plain) = URL_SAFE_NO_PAD
        .decode(check)
        .ok()
        .and_then(|b| store::open(&key, CHECK, &b))
    {
        return plain.as_slice() == CHECK;
    }
    // A diary made by an earlier version: its check value was sealed as a v1 value.
    let Ok(sealed) = URL_SAFE_NO_PAD.decode(check) else {
        return false;
    };
    crate::legacy::check_matches(master, &sealed, CHECK)
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), Error> {
    Ok(common::files::write_new(path, data, 0o600)?)
}

/// What the diary in `dir` pins: a signed trust file, or (a diary made before trust files were
/// signed) an unsigned one, which pins its root key only (spec section 16a, "Legacy pins").
fn read_pin(dir: &Path) -> Result<Pin, Error> {
    let path = dir.join("trust.txt");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| common::Error::io("read the pinned trust file", &path, e))?;
    Pin::read(&text).map_err(|e| Error::store_because("the pinned trust file is damaged", e))
}

/// The trust file the diary in `dir` pins. A legacy pin trusts none of its keys but the root,
/// so the diary cannot be used until a signed file of that root replaces it.
fn pinned_trust(dir: &Path) -> Result<TrustAnchor, Error> {
    match read_pin(dir)? {
        Pin::File(anchor) => Ok(*anchor),
        pin @ Pin::LegacyRoot(_) => Err(Error::Invalid(format!(
            "this diary pins the authority's trust file from before trust files were signed, \
             so only its root key ({}) is trusted and none of its other keys can be used: get \
             the authority's current trust file (its server serves it at /trust.txt) and run \
             'checkin trust FILE'; a file signed by that root key replaces the old one, and \
             nothing in the diary is lost",
            pin.root_fingerprint()
        ))),
    }
}

/// What `checkin trust` pinned.
#[derive(Debug)]
pub struct TrustUpdate {
    /// The newly pinned file.
    pub trust: TrustAnchor,
    /// The file it replaced was unsigned, from before trust files were signed: only its root
    /// key had been trusted.
    pub replaced_unsigned: bool,
}

/// `checkin trust`: replaces the diary's pinned trust file with a newer one from the same
/// authority (the same root key), as the authority issues one when it adds sealing periods
/// (spec section 16a). Only a file signed by the pinned root with a serial not older than the
/// pinned one's replaces it: a diary never changes whom it trusts, nor goes back. An unsigned
/// pin from before trust files were signed is replaced by any file its root signed.
pub fn update_trust(dir: &Path, trust_file: &Path) -> Result<TrustUpdate, Error> {
    let pinned_path = dir.join("trust.txt");
    if !has_config(dir)? {
        return Err(Error::Invalid(format!(
            "{} holds no diary: create one with 'checkin init'",
            dir.display()
        )));
    }
    let pinned = read_pin(dir)?;
    let text = std::fs::read_to_string(trust_file)
        .map_err(|e| common::Error::io("read the trust file", trust_file, e))?;
    let trust = TrustAnchor::parse(&text)
        .and_then(|t| pinned.check_replaced_by(&t).map(|()| t))
        .map_err(|e| {
            let held = match &pinned {
                Pin::File(p) => format!("\"{}\", serial {}", p.authority, p.serial),
                Pin::LegacyRoot(_) => format!(
                    "an unsigned file from before trust files were signed, root key {}",
                    pinned.root_fingerprint()
                ),
            };
            Error::Invalid(format!(
                "{}: {e} (this diary trusts {held}); nothing was changed",
                trust_file.display(),
            ))
        })?;
    common::files::write_replace(&pinned_path, text.as_bytes(), 0o600)?;
    Ok(TrustUpdate {
        trust,
        replaced_unsigned: matches!(pinned, Pin::LegacyRoot(_)),
    })
}

/// `checkin init`: creates the diary, protected by a device key or a passphrase.
pub fn init(
    dir: &Path,
    server: &str,
    trust_file: &Path,
    passphrase: Option<&[u8]>,
) -> Result<TrustAnchor, Error> {
    if has_config(dir)? {
        return Err(Error::Invalid(format!(
            "{} already holds a diary; nothing was changed",
            dir.display()
        )));
    }
    let trust_text = std::fs::read_to_string(trust_file)
        .map_err(|e| common::Error::io("read the trust file", trust_file, e))?;
    let trust = TrustAnchor::parse(&trust_text)
        .map_err(|e| Error::Invalid(format!("{}: {e}", trust_file.display())))?;
    let server = net::server_url(server)?;
    common::files::create_dir(dir)?;
    let (protection, master) = match passphrase {
        Some(p) => {
            if p.len() < 8 {
                return Err(Error::Invalid(
                    "the passphrase must be at least 8 characters".into(),
                ));
            }
            let salt = crate::new_id();
            let master = argon(p, &salt, ARGON_M, ARGON_T, ARGON_P)?;
            (
                Protection::Passphrase {
                    salt: URL_SAFE_NO_PAD.encode(salt),
                    m_cost: ARGON_M,
                    t_cost: ARGON_T,
                    p_cost: ARGON_P,
                },
                master,
            )
        }
        None => {
            let mut k = Zeroizing::new([0u8; 32]);
            rand::Rng::fill_bytes(&mut rand_core::UnwrapErr(rand::rngs::SysRng), k.as_mut());
            write_private(&dir.join("device.key"), k.as_ref())?;
            (Protection::DeviceKey, k)
        }
    };
    let (store, state) = Store::open(dir, diary_key(master.as_ref()), Access::Write, |_| Ok(None))?;
    store.save(&state)?;
    let config = Config {
        format: "checkin-diary/v1".into(),
        server,
        protection,
        check: check_value(master.as_ref())?,
        threshold_secs: protocol::matching::DEFAULT_THRESHOLD_SECS,
        retention_days: 14,
    };
    write_private(&dir.join("trust.txt"), trust_text.as_bytes())?;
    let json = serde_json::to_vec_pretty(&config)
        .map_err(|e| Error::store_because("cannot encode the diary's settings", e))?;
    // config.json last: its presence means the diary is complete.
    write_private(&dir.join("config.json"), &json)?;
    Ok(trust)
}

/// Whether the diary needs a passphrase.
pub fn needs_passphrase(dir: &Path) -> Result<bool, Error> {
    Ok(matches!(
        read_config(dir)?.protection,
        Protection::Passphrase { .. }
    ))
}

/// Whether `dir` holds a diary's `config.json`; a disk that cannot tell is an error, not a
/// "no".
fn has_config(dir: &Path) -> Result<bool, Error> {
    let path = dir.join("config.json");
    path.try_exists().map_err(|e| {
        Error::store_because(
            format!("cannot read the diary's settings, {}", path.display()),
            e,
        )
    })
}

/// Reads `config.json`. Only a missing file means there is no diary: any other failure (a
/// disk that fails, a directory that cannot be read) is named as it is, since telling the
/// user to create a diary over an existing one would be wrong advice.
fn read_config(dir: &Path) -> Result<Config, Error> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::NotInitialised(dir.to_path_buf())
        } else {
            Error::store_because(
                format!("cannot read the diary's settings, {}", path.display()),
                e,
            )
        }
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::store_because(
            format!("{} is damaged", dir.join("config.json").display()),
            e,
        )
    })
}

/// An unlocked diary's parts, before the state is read.
pub(crate) struct Unlocked {
    pub config: Config,
    pub trust: TrustAnchor,
    pub store: Store,
    pub state: crate::state::State,
    pub notices_key: Zeroizing<[u8; 32]>,
}

/// Unlocks the diary for `access`.
pub(crate) fn unlock(
    dir: &Path,
    passphrase: Option<&[u8]>,
    access: Access,
) -> Result<Unlocked, Error> {
    let config = read_config(dir)?;
    let master = match &config.protection {
        Protection::DeviceKey => {
            if passphrase.is_some() {
                return Err(Error::Invalid(
                    "this diary is protected by a device key, not a passphrase: leave out \
                     --passphrase-file"
                        .into(),
                ));
            }
            let b = Zeroizing::new(std::fs::read(dir.join("device.key")).map_err(|e| {
                common::Error::io("read the device key", dir.join("device.key"), e)
            })?);
            Zeroizing::new(<[u8; 32]>::try_from(b.as_slice()).map_err(|_| Error::Locked)?)
        }
        Protection::Passphrase {
            salt,
            m_cost,
            t_cost,
            p_cost,
        } => {
            let p = passphrase.ok_or_else(|| {
                Error::Invalid(
                    "this diary is protected by a passphrase: give it on the terminal or with \
                     --passphrase-file"
                        .into(),
                )
            })?;
            let salt = URL_SAFE_NO_PAD
                .decode(salt)
                .map_err(|e| Error::store_because("config.json is damaged", e))?;
            argon(p, &salt, *m_cost, *t_cost, *p_cost)?
        }
    };
    if !check_matches(master.as_ref(), &config.check) {
        return Err(Error::Locked);
    }
    let trust = pinned_trust(dir)?;
    let (store, state) = Store::open(dir, diary_key(master.as_ref()), access, |d| {
        crate::legacy::read(d, master.as_ref())
    })?;
    Ok(Unlocked {
        config,
        trust,
        store,
        state,
        notices_key: notices_key(master.as_ref()),
    })
}

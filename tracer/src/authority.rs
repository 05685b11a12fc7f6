//! The authority's directory: its secret root and sealing keys and its public trust file.
//!
//! ```text
//! DIR/root.key      secret, mode 0600: "checkin-authority-root v1\nsecret: <base64url>\n"
//! DIR/sealing.key   secret, mode 0600: "checkin-authority-sealing v1\nsecret: <base64url>\n"
//! DIR/trust.txt     public: the trust file servers and phones pin (spec section 16a)
//! ```
//!
//! Key files are created with mode 0600 and never replaced: `init` refuses a directory that
//! already holds either key.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::{Ed25519Secret, SealingSecretKey, TrustAnchor};
use rand_core::UnwrapErr;
use zeroize::Zeroizing;

/// File name of the root signing key.
pub const ROOT_KEY: &str = "root.key";
/// File name of the sealing key.
pub const SEALING_KEY: &str = "sealing.key";
/// File name of the public trust file.
pub const TRUST_FILE: &str = "trust.txt";

const ROOT_HEADER: &str = "checkin-authority-root v1";
const SEALING_HEADER: &str = "checkin-authority-sealing v1";

/// Why an authority directory could not be made or read.
#[non_exhaustive]
#[derive(Debug)]
pub enum AuthorityError {
    /// A key is already there.
    Exists(PathBuf),
    /// Reading or writing failed.
    Io(PathBuf, std::io::Error),
    /// A key file is damaged or of the wrong kind.
    BadKey(PathBuf, &'static str),
    /// The trust file is bad.
    Trust(PathBuf, protocol::TrustError),
    /// The authority name is not acceptable.
    BadName(protocol::TextProblem),
}

impl std::fmt::Display for AuthorityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthorityError::Exists(p) => write!(
                f,
                "{} already exists; refusing to overwrite an authority key (every tracer \
                 certificate and every pinned trust file depends on it)",
                p.display()
            ),
            AuthorityError::Io(p, e) => write!(f, "cannot use {}: {e}", p.display()),
            AuthorityError::BadKey(p, why) => write!(f, "{} is not usable: {why}", p.display()),
            AuthorityError::Trust(p, e) => write!(f, "{}: {e}", p.display()),
            AuthorityError::BadName(p) => write!(f, "the authority name {p}"),
        }
    }
}

impl std::error::Error for AuthorityError {}

/// An authority's secrets, loaded.
pub struct Authority {
    /// Root signing key.
    pub root: Ed25519Secret,
    /// Sealing key.
    pub sealing: SealingSecretKey,
    /// Public trust anchor.
    pub trust: TrustAnchor,
}

fn write_new(path: &Path, data: &[u8], mode: u32) -> Result<(), AuthorityError> {
    let io = |e| AuthorityError::Io(path.to_path_buf(), e);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".authority-")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(data)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(mode)).map_err(io)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    temp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            AuthorityError::Exists(path.to_path_buf())
        } else {
            io(e.error)
        }
    })?;
    Ok(())
}

fn key_text(header: &str, secret: &[u8; 32]) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{header}\nsecret: {}\n",
        URL_SAFE_NO_PAD.encode(secret)
    ))
}

fn read_key(path: &Path, header: &str) -> Result<Zeroizing<[u8; 32]>, AuthorityError> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| AuthorityError::Io(path.to_path_buf(), e))?,
    );
    let bad = |why| AuthorityError::BadKey(path.to_path_buf(), why);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(header) {
        return Err(bad("it is not the right kind of authority key file"));
    }
    let secret = lines
        .next()
        .and_then(|l| l.strip_prefix("secret:"))
        .ok_or_else(|| bad("it has no secret line"))?;
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(secret.trim().as_bytes())
            .map_err(|_| bad("the secret is not base64url"))?,
    );
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad("the secret is not 32 bytes"))?;
    Ok(Zeroizing::new(arr))
}

/// Creates an authority in `dir`: root key, sealing key (both 0600) and trust file.
pub fn init(dir: &Path, name: &str) -> Result<TrustAnchor, AuthorityError> {
    protocol::trust::check_authority_name(name).map_err(AuthorityError::BadName)?;
    for f in [ROOT_KEY, SEALING_KEY] {
        if dir.join(f).exists() {
            return Err(AuthorityError::Exists(dir.join(f)));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| AuthorityError::Io(dir.to_path_buf(), e))?;
    let mut rng = UnwrapErr(rand::rngs::SysRng);
    let root = Ed25519Secret::generate(&mut rng);
    let sealing = SealingSecretKey::generate(&mut rng);
    let trust = TrustAnchor {
        authority: name.to_owned(),
        root: root.verifying_key(),
        sealing: sealing.public_key(),
    };
    write_new(
        &dir.join(ROOT_KEY),
        key_text(ROOT_HEADER, &root.to_bytes()).as_bytes(),
        0o600,
    )?;
    write_new(
        &dir.join(SEALING_KEY),
        key_text(SEALING_HEADER, &sealing.to_bytes()).as_bytes(),
        0o600,
    )?;
    write_new(&dir.join(TRUST_FILE), trust.to_text().as_bytes(), 0o644)?;
    Ok(trust)
}

/// Reads a trust file.
pub fn read_trust(path: &Path) -> Result<TrustAnchor, AuthorityError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| AuthorityError::Io(path.to_path_buf(), e))?;
    TrustAnchor::parse(&text).map_err(|e| AuthorityError::Trust(path.to_path_buf(), e))
}

/// Loads an authority directory, checking that the keys match the trust file.
pub fn load(dir: &Path) -> Result<Authority, AuthorityError> {
    let root = Ed25519Secret::from_bytes(*read_key(&dir.join(ROOT_KEY), ROOT_HEADER)?);
    let sealing = SealingSecretKey::from_bytes(*read_key(&dir.join(SEALING_KEY), SEALING_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.root != root.verifying_key() || trust.sealing != sealing.public_key() {
        return Err(AuthorityError::BadKey(
            dir.join(TRUST_FILE),
            "it names other keys than root.key and sealing.key",
        ));
    }
    Ok(Authority {
        root,
        sealing,
        trust,
    })
}

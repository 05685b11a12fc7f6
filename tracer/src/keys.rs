//! A tracer's key directory: `tracer.key` (secret, 0600), `tracer.pub`, and, once the
//! authority has certified it, `tracer.cert`.
//!
//! ```text
//! tracer.key   "checkin-tracer-key v1\nsecret: <base64url>\n"
//! tracer.pub   "checkin-tracer-pub v1\npublic: <base64url>\n"
//! tracer.cert  "checkin-tracer-cert v1\ncert: <base64url certificate, spec section 10>\n"
//! ```

use std::path::Path;

use protocol::{Certificate, Ed25519Secret, VerifyingKey};
use zeroize::Zeroizing;

use crate::Error;

/// Secret key file name.
pub const KEY_FILE: &str = "tracer.key";
/// Public key file name.
pub const PUB_FILE: &str = "tracer.pub";
/// Certificate file name.
pub const CERT_FILE: &str = "tracer.cert";

/// Reads `header\nfield: <base64url>` files.
pub(crate) fn read_field(
    path: &Path,
    header: &str,
    field: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    Ok(common::keyfile::read(path, header, field)?)
}

pub(crate) fn field_text(header: &str, field: &str, value: &[u8]) -> Zeroizing<String> {
    common::keyfile::text(header, field, value)
}

/// Writes a new tracer key pair into `dir`; refuses if a key is there.
pub fn keygen(dir: &Path) -> Result<VerifyingKey, Error> {
    if dir.join(KEY_FILE).exists() {
        return Err(Error::exists(dir.join(KEY_FILE)));
    }
    crate::files::create_dir(dir)?;
    let key = Ed25519Secret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng));
    let public = key.verifying_key();
    crate::files::write_new(
        &dir.join(KEY_FILE),
        field_text("checkin-tracer-key v1", "secret", key.to_bytes().as_ref()).as_bytes(),
        0o600,
    )?;
    crate::files::write_new(
        &dir.join(PUB_FILE),
        field_text("checkin-tracer-pub v1", "public", public.as_bytes()).as_bytes(),
        0o644,
    )?;
    Ok(public)
}

/// Reads a tracer public key file (spec section 16c): the key must be 32 bytes and a valid
/// Ed25519 point (`file_bad_value` otherwise).
pub fn read_pub(path: &Path) -> Result<VerifyingKey, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    Ok(common::keyfile::ed25519_public(
        path,
        &bytes,
        "checkin-tracer-pub v1",
        "public",
    )?)
}

/// A tracer's key and certificate, loaded and checked against each other.
pub struct TracerIdentity {
    /// The signing key.
    pub key: Ed25519Secret,
    /// The certificate for it.
    pub cert: Certificate,
}

/// Loads `dir/tracer.key` and `dir/tracer.cert`. `dir` may also name the `tracer.key` file
/// itself (as `venue-keygen --key` names `venue.key`); its certificate is beside it.
/// The key directory of `--key`: the path itself, or the directory of a `tracer.key` named.
pub fn dir_of(key: &Path) -> &Path {
    if key.is_file() {
        key.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    } else {
        key
    }
}

pub fn load(dir: &Path) -> Result<TracerIdentity, Error> {
    let dir = dir_of(dir);
    let secret = read_field(&dir.join(KEY_FILE), "checkin-tracer-key v1", "secret")?;
    let arr: [u8; 32] = secret
        .as_slice()
        .try_into()
        .map_err(|_| Error::bad_file(dir.join(KEY_FILE), "the key is not 32 bytes"))?;
    let key = Ed25519Secret::from_bytes(arr);
    let cert_path = dir.join(CERT_FILE);
    if !cert_path.exists() {
        return Err(Error::invalid(format!(
            "{} is missing: ask the authority to certify {} (tracer authority certify)",
            cert_path.display(),
            dir.join(PUB_FILE).display()
        )));
    }
    let cert_bytes = read_field(&cert_path, "checkin-tracer-cert v1", "cert")?;
    let cert = Certificate::decode(&cert_bytes)
        .map_err(|e| common::Error::refused(&cert_path, e.code(), &e))?;
    if *cert.tracer_key() != key.verifying_key() {
        return Err(Error::bad_file(
            cert_path,
            "it certifies another key than tracer.key",
        ));
    }
    Ok(TracerIdentity { key, cert })
}

/// Writes a certificate file.
pub fn write_cert(path: &Path, cert: &Certificate, replace: bool) -> Result<(), Error> {
    let text = field_text("checkin-tracer-cert v1", "cert", cert.to_bytes());
    Ok(crate::files::write(path, text.as_bytes(), 0o644, replace)?)
}

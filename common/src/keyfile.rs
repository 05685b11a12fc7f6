//! The programs' small key files: a header line naming the kind of file, then one
//! `field: <base64url>` line, such as
//!
//! ```text
//! checkin-tracer-key v1
//! secret: <base64url>
//! ```
//!
//! Secret files are written 0600 by [`crate::files::write_new`] and their text is zeroized.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use protocol::FileError;

use crate::Error;

/// The text of a key file.
pub fn text(header: &str, field: &str, value: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{header}\n{field}: {}\n",
        URL_SAFE_NO_PAD.encode(value)
    ))
}

/// Reads the value of a `header` file's `field` (spec section 16c): lines split at `\n` (a
/// `\r` before it dropped), each trimmed, blank ones skipped; the first is `header` exactly
/// (`file_wrong_kind`), the second `field:` and the value, with any spaces around it
/// (`file_malformed`), and nothing follows (`file_malformed`); the value is base64url without
/// padding (`file_bad_value`).
pub fn read(path: &Path, header: &str, field: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| Error::io("read", path, e))?);
    parse(path, &bytes, header, field)
}

/// [`read`] of bytes already read; `path` names the file in errors.
pub fn parse(
    path: &Path,
    bytes: &[u8],
    header: &str,
    field: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let refuse = |e: FileError| Error::refused(path, e.code(), &e);
    let wrong_kind = || {
        refuse(FileError::WrongKind {
            expected: kind_name(header),
            given: crate::exchange::kind_of(bytes).unwrap_or_else(|| "another kind of file".into()),
        })
    };
    let text = std::str::from_utf8(bytes).map_err(|_| wrong_kind())?;
    let mut lines = text.split('\n').map(trim).filter(|l| !l.is_empty());
    if lines.next() != Some(header) {
        return Err(wrong_kind());
    }
    let value = lines
        .next()
        .unwrap_or_default()
        .strip_prefix(field)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or_else(|| {
            refuse(FileError::Malformed(format!(
                "its second line is not '{field}: VALUE'"
            )))
        })?;
    if lines.next().is_some() {
        return Err(refuse(FileError::Malformed(format!(
            "lines follow its '{field}:' line"
        ))));
    }
    URL_SAFE_NO_PAD
        .decode(trim(value).as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| refuse(FileError::BadValue(field_name(field))))
}

/// Trims a line or a value (spec section 16c): ASCII spaces, tabs and carriage returns only.
fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r'])
}

/// The kind of file a header names, in words.
fn kind_name(header: &str) -> &'static str {
    match header {
        "checkin-tracer-pub v1" => "a tracer public key file",
        "checkin-tracer-cert v1" => "a tracer certificate file",
        "checkin-tracer-key v1" => "a tracer secret key file",
        "checkin-emergency-officer-pub v1" => "an emergency officer's public key file",
        "checkin-emergency-officer v1" => "an emergency officer's secret key file",
        _ => "a key file",
    }
}

/// A field's name as a `'static` word for [`FileError::BadValue`].
fn field_name(field: &str) -> &'static str {
    match field {
        "public" => "public key",
        "cert" => "certificate",
        "secret" => "secret key",
        _ => "value",
    }
}

/// Reads a 32-byte value (a key) of a `header` file's `field`.
pub fn read32(path: &Path, header: &str, field: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
    let bytes = read(path, header, field)?;
    let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        let e = FileError::BadValue(field_name(field));
        Error::refused(path, e.code(), &e)
    })?;
    Ok(Zeroizing::new(arr))
}

/// Parses a public-key file whose value is an Ed25519 public key (spec section 16c): 32 bytes,
/// a canonical encoding of a point of large order (section 6, "Valid keys"); `file_bad_value`
/// otherwise.
pub fn ed25519_public(
    path: &Path,
    bytes: &[u8],
    header: &str,
    field: &str,
) -> Result<protocol::VerifyingKey, Error> {
    let value = parse(path, bytes, header, field)?;
    let bad = || {
        let e = FileError::BadValue(field_name(field));
        Error::refused(path, e.code(), &e)
    };
    let arr: [u8; 32] = value.as_slice().try_into().map_err(|_| bad())?;
    let key = protocol::VerifyingKey::from_bytes(&arr).map_err(|_| bad())?;
    if key.is_weak() || key.to_edwards().compress().to_bytes() != arr {
        return Err(bad());
    }
    Ok(key)
}

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

use crate::Error;

/// The text of a key file.
pub fn text(header: &str, field: &str, value: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{header}\n{field}: {}\n",
        URL_SAFE_NO_PAD.encode(value)
    ))
}

/// Reads the value of a `header` file's `field`.
pub fn read(path: &Path, header: &str, field: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let text =
        Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?);
    let bad = |why: String| Error::BadFile(path.to_path_buf(), why);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(header) {
        return Err(bad(format!(
            "it does not start with '{header}': it is another kind of file"
        )));
    }
    let value = lines
        .next()
        .and_then(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')))
        .ok_or_else(|| bad(format!("it has no '{field}:' line")))?;
    URL_SAFE_NO_PAD
        .decode(value.trim().as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| bad("its value is not base64url".into()))
}

/// Reads a 32-byte value (a key) of a `header` file's `field`.
pub fn read32(path: &Path, header: &str, field: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
    let bytes = read(path, header, field)?;
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::BadFile(path.to_path_buf(), format!("its {field} is not 32 bytes")))?;
    Ok(Zeroizing::new(arr))
}

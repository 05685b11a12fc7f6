//! A poster from what a person has: its URL, its bare code, the `poster.url` file
//! `venue-keygen` writes, or a photo of its QR code. Files are judged by their content, not
//! their name: a PNG called `photo` or `IMG.JPG` is read as the image it is.

use std::path::Path;

use protocol::Poster;

use crate::Error;

/// Longest text file read as a poster URL.
const MAX_URL_FILE: usize = 4096;

/// Reads a poster from a URL, a bare payload, a `poster.url` file or an image file of its
/// QR code, and decodes and verifies it.
pub fn read_poster(input: &str) -> Result<Poster, Error> {
    let (text, _) = poster_text(input)?;
    Poster::from_url_or_payload(text.trim()).map_err(|e| Error::Invalid(format!("{input}: {e}")))
}

/// The poster URL or code `input` stands for, not yet decoded, and where it came from ("text",
/// "QR code in FILE", "FILE").
pub fn poster_text(input: &str) -> Result<(String, String), Error> {
    let path = Path::new(input);
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::Invalid(format!(
            "{input} is a directory, not a poster: give the poster's image (poster.png), \
             its poster.url file, or the URL itself"
        ))),
        Ok(_) => read_file(path),
        // A URL has "://"; a bare code is base64url (no '/' and no '.'): anything else was
        // meant as a file name.
        Err(_) if !input.contains("://") && input.contains(['/', '.', '\\']) => {
            Err(Error::Invalid(format!(
                "no such file: {input} (give the poster's image, its poster.url file, or the URL)"
            )))
        }
        Err(_) => Ok((input.to_owned(), "text".to_owned())),
    }
}

/// The poster text a file holds: the QR code of an image (by its content), or the text of a
/// URL file; and where it came from.
fn read_file(path: &Path) -> Result<(String, String), Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    if let Ok(format) = image::guess_format(&bytes) {
        let img = image::load_from_memory_with_format(&bytes, format)
            .map_err(|e| {
                Error::Invalid(format!("cannot read {} as an image: {e}", path.display()))
            })?
            .into_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let text = prepared
            .detect_grids()
            .into_iter()
            .find_map(|g| g.decode().ok().map(|(_, t)| t))
            .ok_or_else(|| Error::Invalid(format!("no readable QR code in {}", path.display())))?;
        return Ok((text, format!("QR code in {}", path.display())));
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) if bytes.len() <= MAX_URL_FILE => {
            Ok((text.trim().to_owned(), path.display().to_string()))
        }
        _ => Err(Error::Invalid(format!(
            "{} is neither an image (PNG or JPEG) nor a poster URL file",
            path.display()
        ))),
    }
}

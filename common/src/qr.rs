//! A poster from what a person has: its URL, its bare code, the `poster.url` file
//! `venue-keygen` writes, or a photo of its QR code. Files are judged by their content, not
//! their name: a PNG called `photo` or `IMG.JPG` is read as the image it is.

use std::path::Path;

use image::GrayImage;
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
    if image::guess_format(&bytes).is_ok() {
        let img = load_image(&bytes)
            .map_err(|why| Error::Invalid(format!("{}: {why}", path.display())))?;
        let text = decode(&img).ok_or_else(|| {
            Error::Invalid(format!(
                "no readable QR code in {}: photograph the poster's code straight on, in \
                 focus and filling a good part of the picture, or give its URL instead",
                path.display()
            ))
        })?;
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

/// Largest image read, in pixels (a 48-megapixel photo; posters are 8.7).
pub const MAX_PIXELS: u64 = 48_000_000;

/// Most memory the image decoder may take, in bytes.
const MAX_DECODE_BYTES: u64 = 512 << 20;

/// Decodes an image file's bytes to grey levels, refusing images larger than [`MAX_PIXELS`]
/// before decoding them, so that no file can take minutes or gigabytes.
pub fn load_image(bytes: &[u8]) -> Result<GrayImage, String> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "the image is {w}×{h} pixels, more than the {} megapixels read; a photo of a \
             poster needs far fewer: scale it down or crop it to the code",
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Ok(reader
        .decode()
        .map_err(|e| format!("cannot read the image: {e}"))?
        .into_luma8())
}

/// Longest side of the copies the decoder looks at, largest first. A QR code is found most
/// reliably at a few hundred pixels across; scaling a large photo down also averages away
/// blur and sensor noise, and bounds the work on any image to a few milliseconds per copy.
const SCALES: [u32; 4] = [1600, 1000, 600, 400];

/// The text of a QR code in `img`, trying the image as it is (when no larger than the first
/// scale) and then copies scaled down to each of [`SCALES`] in turn.
pub fn decode(img: &GrayImage) -> Option<String> {
    let (w, h) = img.dimensions();
    let longest = w.max(h);
    if longest == 0 {
        return None;
    }
    if longest <= SCALES[0]
        && let Some(text) = decode_once(img)
    {
        return Some(text);
    }
    for &side in &SCALES {
        if side >= longest {
            continue;
        }
        let (sw, sh) = scaled(w, h, side);
        let copy = image::imageops::resize(img, sw, sh, image::imageops::FilterType::Triangle);
        if let Some(text) = decode_once(&copy) {
            return Some(text);
        }
    }
    None
}

/// `w`×`h` scaled so that its longest side is `side`, each side at least 1.
fn scaled(w: u32, h: u32, side: u32) -> (u32, u32) {
    let longest = u64::from(w.max(h));
    let s = |x: u32| ((u64::from(x) * u64::from(side) / longest) as u32).max(1);
    (s(w), s(h))
}

/// The QR code rxing finds in one copy, if any.
fn decode_once(img: &GrayImage) -> Option<String> {
    let (w, h) = img.dimensions();
    let mut hints = rxing::DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true));
    rxing::helpers::detect_in_luma_with_hints(
        img.as_raw().clone(),
        w,
        h,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .ok()
    .map(|r| r.getText().to_owned())
}

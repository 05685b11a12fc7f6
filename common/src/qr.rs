//! A poster from what a person has: its URL, its bare code, or a photo of its QR code.

use std::path::Path;

use protocol::Poster;

use crate::Error;

/// Reads a poster from a URL, a bare payload, or an image file of its QR code, and decodes
/// and verifies it.
pub fn read_poster(input: &str) -> Result<Poster, Error> {
    let path = Path::new(input);
    let text = if path.is_file() {
        let img = image::open(path)
            .map_err(|e| {
                Error::Invalid(format!("cannot read {} as an image: {e}", path.display()))
            })?
            .into_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(img);
        prepared
            .detect_grids()
            .into_iter()
            .find_map(|g| g.decode().ok().map(|(_, t)| t))
            .ok_or_else(|| Error::Invalid(format!("no readable QR code in {}", path.display())))?
    } else {
        input.to_owned()
    };
    Poster::from_url_or_payload(&text).map_err(|e| Error::Invalid(format!("{input}: {e}")))
}

//! Reading posters from photos: the degraded images that the earlier decoder refused must
//! read, and images no photo of a poster could be must be refused at once, not after minutes.
#![cfg(feature = "qr")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

use image::{GrayImage, Luma, imageops};
use imageproc::geometric_transformations::{Interpolation, rotate_about_center};
use protocol::{Poster, PosterInfo, VenueSecret};

/// A poster URL and a page like the printed one: A4 at 300 dpi, the code 1800 pixels wide.
fn page() -> (String, GrayImage) {
    let keys = VenueSecret::generate(&mut rand_core::UnwrapErr(rand::rngs::SysRng)).keys();
    let poster = Poster::sign(
        &keys,
        PosterInfo {
            name: "The Crown".into(),
            address: "1 High St".into(),
            category: "pub".into(),
            default_stay_minutes: 60,
            validity: None,
        },
    )
    .unwrap();
    let url = poster.to_url("https://checkin.test/v1/c").unwrap();
    let code = qrcode::QrCode::with_error_correction_level(&url, qrcode::EcLevel::M).unwrap();
    let modules = code.width() as u32;
    let px = 1800 / (modules + 8);
    let colors = code.to_colors();
    let mut page = GrayImage::from_pixel(2480, 3508, Luma([255]));
    let (x0, y0) = ((2480 - px * modules) / 2, 700);
    for y in 0..modules {
        for x in 0..modules {
            if colors[(y * modules + x) as usize] == qrcode::Color::Dark {
                for dy in 0..px {
                    for dx in 0..px {
                        page.put_pixel(x0 + x * px + dx, y0 + y * px + dy, Luma([0]));
                    }
                }
            }
        }
    }
    (url, page)
}

fn save_png(dir: &Path, name: &str, img: &GrayImage) -> String {
    let path = dir.join(name);
    img.save_with_format(&path, image::ImageFormat::Png)
        .unwrap();
    path.to_str().unwrap().to_owned()
}

fn save_jpeg(dir: &Path, name: &str, img: &GrayImage, quality: u8) -> String {
    let path = dir.join(name);
    let mut out = std::fs::File::create(&path).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn degraded_photos_of_a_poster_read() {
    let dir = tempfile::tempdir().unwrap();
    let (url, page) = page();
    let (w, h) = page.dimensions();
    let rotated = imageops::blur(
        &rotate_about_center(
            &page,
            15f32.to_radians(),
            Interpolation::Bilinear,
            Luma([255]),
        ),
        4.0,
    );
    let photos = [
        save_png(dir.path(), "clean.png", &page),
        // A clean 10% downscale: 248 pixels wide, about 3 per module.
        save_png(
            dir.path(),
            "small.png",
            &imageops::resize(&page, w / 10, h / 10, imageops::FilterType::Triangle),
        ),
        // Out of focus: a Gaussian blur of σ 12 pixels, wider than a module's half.
        save_png(dir.path(), "blur.png", &imageops::blur(&page, 12.0)),
        // Held at an angle, out of focus, saved as a poor JPEG under a misleading name.
        save_jpeg(dir.path(), "photo.PNG", &rotated, 60),
    ];
    for photo in photos {
        let poster = common::qr::read_poster(&photo)
            .unwrap_or_else(|e| panic!("{photo} does not read: {e}"));
        assert_eq!(
            poster.to_url("https://checkin.test/v1/c").unwrap(),
            url,
            "{photo}"
        );
    }
}

#[test]
fn images_that_cannot_be_posters_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    // 10000×10000 pixels: refused from the header, before anything is decoded.
    let huge = GrayImage::from_pixel(10_000, 10_000, Luma([255]));
    let huge = save_png(dir.path(), "huge.png", &huge);
    let err = common::qr::read_poster(&huge).unwrap_err().to_string();
    assert!(
        err.contains("10000×10000") && err.contains("megapixels"),
        "{err}"
    );

    // A 12-megapixel photo of noise: looked at (scaled down) and refused as holding no code.
    let mut x: u32 = 0x9e37_79b9;
    let noise = GrayImage::from_fn(4000, 3000, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        Luma([x as u8])
    });
    let noise = save_jpeg(dir.path(), "noise.jpg", &noise, 90);
    let err = common::qr::read_poster(&noise).unwrap_err().to_string();
    assert!(err.contains("no readable QR code"), "{err}");

    // A truncated PNG: an error about the image, not a panic.
    let clean = save_png(dir.path(), "clean.png", &page().1);
    let bytes = std::fs::read(&clean).unwrap();
    std::fs::write(&clean, &bytes[..bytes.len() / 2]).unwrap();
    let err = common::qr::read_poster(&clean).unwrap_err().to_string();
    assert!(err.contains("cannot read the image"), "{err}");
}

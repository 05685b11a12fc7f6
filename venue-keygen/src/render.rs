//! Drawing the poster: the QR code, a printable A4 page (PNG and PDF), and an SVG.
//!
//! The page is drawn once, as a 300 dpi greyscale raster, and used for both `poster.png` and
//! the single image of `poster.pdf`, so the two can never disagree. Each line of text is laid
//! out as a real text engine does: the Unicode bidirectional algorithm (`unicode-bidi`) orders
//! its runs, each run is drawn with the first installed font that covers it, and `rustybuzz`
//! (HarfBuzz's shaping in Rust) shapes it, so Arabic letters join, Hebrew reads right to left
//! and Devanagari vowel signs and conjuncts take their places. Characters that no font covers
//! are reported with the font package to install, never silently dropped. The SVG is vector,
//! with its text left to the viewer's fonts (which shape it themselves).

use std::collections::BTreeSet;
use std::io::Cursor;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, Luma};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use protocol::Poster;

use crate::Error;

/// Error-correction level of the printed code. M recovers from about 15% damage: enough for
/// glare, a crease or a smudge on a wall poster, while keeping the code at 65 × 65 modules for a
/// typical poster URL. Level Q or H would need 73 or 85 modules for the same URL, so each
/// module would print smaller and the code would scan from less far away: across a room, module
/// size matters more than spare redundancy.
pub const EC_LEVEL: qrcode::EcLevel = qrcode::EcLevel::M;

/// Quiet zone in modules: the 4 that ISO/IEC 18004 requires. Scanners need it to find the code
/// against a busy wall, so the poster also keeps white space well beyond it.
pub const QUIET_ZONE: usize = 4;

/// A4 at 300 dpi.
pub const PAGE_W: u32 = 2480;
/// A4 at 300 dpi.
pub const PAGE_H: u32 = 3508;
const MARGIN: f32 = 177.0; // 15 mm
const QR_TARGET_PX: u32 = 1800; // about 152 mm: each module about 2.3 mm for 65 modules

/// The modules of a QR code, without quiet zone.
pub struct QrMatrix {
    /// Modules per side.
    pub width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` at [`EC_LEVEL`].
    pub fn encode(text: &str) -> Result<QrMatrix, Error> {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), EC_LEVEL)
            .map_err(|e| Error::Render(format!("the URL does not fit in a QR code: {e}")))?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        Ok(QrMatrix { width, dark })
    }

    /// Whether the module at (x, y) is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }
}

/// An installed font: its family name, its glyphs for drawing, and its bytes for shaping.
struct Face {
    name: String,
    font: FontVec,
    data: Vec<u8>,
    index: u32,
}

/// The installed fonts, in the order they are tried for each character.
pub struct Fonts {
    chain: Vec<Face>,
}

/// A glyph placed on a line: which font, which glyph, and where, relative to the line's start
/// and baseline, in pixels.
struct Placed {
    face: usize,
    glyph: u16,
    x: f32,
    dy: f32,
}

/// A face's family name.
fn family(face: &fontdb::FaceInfo) -> String {
    face.families
        .first()
        .map(|(n, _)| n.clone())
        .unwrap_or_default()
}

/// Families tried first, for a clean sans-serif look; anything else installed follows.
const PREFERRED: &[&str] = &[
    "DejaVu Sans",
    "Noto Sans",
    "Liberation Sans",
    "Arial",
    "Helvetica",
];

/// Splits `text` into runs of one script: characters of no script of their own (spaces,
/// punctuation, digits, combining marks) join the run before them, or the first run when they
/// lead. A run is drawn with one font where one covers it, as a shaper needs (a Tamil aytham
/// drawn by another font than its word shows a dotted circle).
fn script_runs(text: &str) -> Vec<std::ops::Range<usize>> {
    use unicode_script::{Script, UnicodeScript as _};
    let mut runs: Vec<(Option<Script>, std::ops::Range<usize>)> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let script = Some(c.script()).filter(|s| !matches!(s, Script::Common | Script::Inherited));
        match runs.last_mut() {
            Some((last, range)) if script.is_none() || *last == script || last.is_none() => {
                if last.is_none() {
                    *last = script;
                }
                range.end = end;
            }
            _ => runs.push((script, i..end)),
        }
    }
    runs.into_iter().map(|(_, r)| r).collect()
}

/// The characters a font must have to draw `text` (whitespace aside).
fn drawn(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| !c.is_whitespace())
}

impl Fonts {
    /// Loads the installed fonts: a preferred sans-serif first, then, for each run of one
    /// script in `texts` that no face so far covers whole, the first face that does (families
    /// in name order), and last, for characters still not covered, every face that adds one.
    pub fn for_texts(texts: &[&str]) -> Fonts {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        Fonts::from_database(&db, texts)
    }

    /// As [`Fonts::for_texts`], from these font files only (for tests that need a known set).
    pub fn from_files(paths: &[std::path::PathBuf], texts: &[&str]) -> Fonts {
        let mut db = fontdb::Database::new();
        for p in paths {
            let _ = db.load_font_file(p);
        }
        Fonts::from_database(&db, texts)
    }

    fn from_database(db: &fontdb::Database, texts: &[&str]) -> Fonts {
        let mut faces: Vec<&fontdb::FaceInfo> = db
            .faces()
            .filter(|f| f.style == fontdb::Style::Normal)
            .collect();
        // Regular weight of the preferred families first, then the rest by name for stability.
        let rank = |f: &fontdb::FaceInfo| {
            let family = f.families.first().map(|(n, _)| n.as_str()).unwrap_or("");
            let pref = PREFERRED
                .iter()
                .position(|p| *p == family)
                .unwrap_or(PREFERRED.len());
            (
                pref,
                f.weight != fontdb::Weight::NORMAL,
                family.to_owned(),
                f.index,
            )
        };
        faces.sort_by_key(|f| rank(f));
        let runs: Vec<Vec<char>> = texts
            .iter()
            .flat_map(|t| script_runs(t).into_iter().map(|r| drawn(&t[r]).collect()))
            .filter(|r: &Vec<char>| !r.is_empty())
            .collect();
        let needed: BTreeSet<char> = runs.iter().flatten().copied().collect();
        let has = |f: &FontVec, c: &char| f.glyph_id(*c).0 != 0;
        let mut chain: Vec<Face> = Vec::new();
        let mut added: Vec<fontdb::ID> = Vec::new();
        // First pass: whole runs; second: single characters no face covers yet.
        for whole_runs in [true, false] {
            for face in &faces {
                let whole = |chain: &[Face], r: &Vec<char>| {
                    chain.iter().any(|f| r.iter().all(|c| has(&f.font, c)))
                };
                let covered = |chain: &[Face], c: &char| chain.iter().any(|f| has(&f.font, c));
                let done = if whole_runs {
                    runs.iter().all(|r| whole(&chain, r))
                } else {
                    needed.iter().all(|c| covered(&chain, c))
                };
                if !chain.is_empty() && done {
                    break;
                }
                if added.contains(&face.id) {
                    continue;
                }
                let loaded = db.with_face_data(face.id, |data, index| {
                    FontVec::try_from_vec_and_index(data.to_vec(), index)
                        .ok()
                        .map(|font| (font, data.to_vec(), index))
                });
                let Some(Some((font, data, index))) = loaded else {
                    continue;
                };
                let adds = chain.is_empty()
                    || if whole_runs {
                        runs.iter()
                            .any(|r| !whole(&chain, r) && r.iter().all(|c| has(&font, c)))
                    } else {
                        needed.iter().any(|c| !covered(&chain, c) && has(&font, c))
                    };
                if adds {
                    added.push(face.id);
                    chain.push(Face {
                        name: family(face),
                        font,
                        data,
                        index,
                    });
                }
            }
        }
        Fonts { chain }
    }

    /// The families in use, in order.
    pub fn names(&self) -> Vec<&str> {
        self.chain.iter().map(|f| f.name.as_str()).collect()
    }

    /// Characters of `text` that no installed font can draw.
    pub fn missing(&self, text: &str) -> BTreeSet<char> {
        text.chars()
            .filter(|c| !c.is_whitespace() && self.pick(*c).is_none())
            .collect()
    }

    /// The first font that has a glyph for `c`.
    fn pick(&self, c: char) -> Option<usize> {
        self.chain.iter().position(|f| f.font.glyph_id(c).0 != 0)
    }

    /// Splits `text` (one direction) into runs that one font draws: each run of one script
    /// goes whole to the first font that covers all of it; where none does, a character goes
    /// with the run before it when that run's font covers it and it belongs to no script of
    /// its own (spaces, punctuation, combining marks), else to the first font that covers it.
    fn font_runs(&self, text: &str) -> Vec<(usize, std::ops::Range<usize>)> {
        use unicode_script::{Script, UnicodeScript as _};
        let mut runs: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        let push = |runs: &mut Vec<(usize, std::ops::Range<usize>)>,
                    face,
                    r: std::ops::Range<usize>| {
            match runs.last_mut() {
                Some((last, range)) if *last == face && range.end == r.start => range.end = r.end,
                _ => runs.push((face, r)),
            }
        };
        for script_run in script_runs(text) {
            let whole = self
                .chain
                .iter()
                .position(|f| drawn(&text[script_run.clone()]).all(|c| f.font.glyph_id(c).0 != 0));
            if let Some(face) = whole {
                push(&mut runs, face, script_run);
                continue;
            }
            let mut current: Option<usize> = None;
            for (i, c) in text[script_run.clone()].char_indices() {
                let at = script_run.start + i;
                let end = at + c.len_utf8();
                let shared = matches!(c.script(), Script::Common | Script::Inherited);
                let first = self.pick(c).unwrap_or(0);
                let face = match current {
                    Some(f) if f == first || (shared && self.chain[f].font.glyph_id(c).0 != 0) => f,
                    _ => first,
                };
                current = Some(face);
                push(&mut runs, face, at..end);
            }
        }
        runs
    }

    /// Shapes one run with one font in one direction; the glyphs in visual order from the run's
    /// left edge, and the run's width.
    fn shape_run(&self, face: usize, text: &str, rtl: bool, px: f32) -> (Vec<Placed>, f32) {
        let Some(f) = self.chain.get(face) else {
            return (Vec::new(), 0.0);
        };
        let Some(shaper) = rustybuzz::Face::from_slice(&f.data, f.index) else {
            return (Vec::new(), 0.0);
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&shaper, &[], buffer);
        // Font units to pixels at the scale ab_glyph draws with.
        let scale = f.font.as_scaled(PxScale::from(px)).h_scale_factor();
        let mut pen = 0.0;
        let mut out = Vec::with_capacity(shaped.len());
        for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            out.push(Placed {
                face,
                glyph: u16::try_from(info.glyph_id).unwrap_or(0),
                x: pen + pos.x_offset as f32 * scale,
                dy: pos.y_offset as f32 * scale,
            });
            pen += pos.x_advance as f32 * scale;
        }
        (out, pen)
    }

    /// Lays out one line: bidi runs in visual order, each split by font and shaped. The glyphs
    /// from the line's left edge, and the line's width.
    fn shape_line(&self, text: &str, px: f32) -> (Vec<Placed>, f32) {
        let bidi = unicode_bidi::BidiInfo::new(text, None);
        let mut out = Vec::new();
        let mut x = 0.0;
        for para in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(para, para.range.clone());
            for run in runs {
                let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
                let mut pieces = self.font_runs(&text[run.clone()]);
                if rtl {
                    pieces.reverse();
                }
                for (face, r) in pieces {
                    let piece = &text[run.start + r.start..run.start + r.end];
                    let (glyphs, width) = self.shape_run(face, piece, rtl, px);
                    out.extend(glyphs.into_iter().map(|g| Placed { x: x + g.x, ..g }));
                    x += width;
                }
            }
        }
        (out, x)
    }

    /// Width of `text` at `px` pixels, shaped.
    pub fn measure(&self, text: &str, px: f32) -> f32 {
        self.shape_line(text, px).1
    }

    /// The glyph ids of `text` as laid out, left to right, with their fonts' family names: what
    /// the page shows, for tests of shaping and direction.
    pub fn glyphs(&self, text: &str, px: f32) -> Vec<(String, u16)> {
        self.shape_line(text, px)
            .0
            .iter()
            .map(|g| (self.chain[g.face].name.clone(), g.glyph))
            .collect()
    }

    /// The glyph id `face_name`'s font maps `c` to, without shaping (for tests).
    pub fn cmap_glyph(&self, face_name: &str, c: char) -> Option<u16> {
        self.chain
            .iter()
            .find(|f| f.name == face_name)
            .map(|f| f.font.glyph_id(c).0)
    }

    /// Draws `text` centred on `center`, shaped once.
    fn draw_centered(&self, img: &mut GrayImage, text: &str, px: f32, center: f32, baseline: f32) {
        let scale = PxScale::from(px);
        let (glyphs, width) = self.shape_line(text, px);
        let x = center - width / 2.0;
        for g in glyphs {
            let font = &self.chain[g.face].font;
            let glyph = ab_glyph::GlyphId(g.glyph)
                .with_scale_and_position(scale, ab_glyph::point(x + g.x, baseline - g.dy));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let (px_x, px_y) = (
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                    );
                    if px_x >= 0
                        && px_y >= 0
                        && (px_x as u32) < img.width()
                        && (px_y as u32) < img.height()
                    {
                        let p = img.get_pixel_mut(px_x as u32, px_y as u32);
                        let v = (255.0 * (1.0 - cov.clamp(0.0, 1.0))) as u8;
                        p.0[0] = p.0[0].min(v);
                    }
                });
            }
        }
    }

    /// Breaks `text` into lines no wider than `max` at `px`: at spaces where there are any,
    /// otherwise between characters (as CJK text needs).
    pub fn wrap(&self, text: &str, px: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.measure(&candidate, px) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                let next = format!("{line}{c}");
                if self.measure(&next, px) > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = next;
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// What the poster says, line by line, shared by the raster page and the SVG.
pub struct Layout {
    lines: Vec<TextLine>,
    qr_x: u32,
    qr_y: u32,
    module_px: u32,
    qr: QrMatrix,
}

struct TextLine {
    text: String,
    px: f32,
    baseline: f32,
    grey: bool,
}

/// The plain-language lines on what scanning shares and what it does not.
pub const EXPLANATION: [&str; 3] = [
    "Your visit is saved only on your phone, encrypted. Scanning sends nothing to anyone.",
    "If someone who was here at the same time tests positive, your phone warns you. Nobody learns that you were here.",
    "Sharing contact details is optional. They are sealed so that only the health authority, together with this venue, can open them.",
];

impl Layout {
    /// Lays out the page for `poster` and its `url`.
    pub fn new(
        poster: &Poster,
        url: &str,
        fonts: &Fonts,
        validity_note: &str,
    ) -> Result<Layout, Error> {
        let qr = QrMatrix::encode(url)?;
        let max_w = PAGE_W as f32 - 2.0 * MARGIN;
        let mut lines = Vec::new();
        let mut y = 260.0;
        let mut push = |text: String, px: f32, gap: f32, grey: bool, y: &mut f32| {
            *y += px;
            lines.push(TextLine {
                text,
                px,
                baseline: *y,
                grey,
            });
            *y += gap;
        };
        push("CHECK IN HERE".into(), 72.0, 40.0, true, &mut y);
        // The name as large as fits on at most two lines.
        let info = poster.info();
        let mut name_px = 150.0;
        let mut name_lines = fonts.wrap(&info.name, name_px, max_w);
        while name_lines.len() > 2 && name_px > 60.0 {
            name_px -= 10.0;
            name_lines = fonts.wrap(&info.name, name_px, max_w);
        }
        for l in name_lines {
            push(l, name_px, 24.0, false, &mut y);
        }
        let sub: Vec<&str> = [info.address.as_str(), info.category.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if !sub.is_empty() {
            for l in fonts.wrap(&sub.join("  ·  "), 54.0, max_w) {
                push(l, 54.0, 14.0, true, &mut y);
            }
        }
        y += 50.0;
        let total_modules = (qr.width + 2 * QUIET_ZONE) as u32;
        let module_px = (QR_TARGET_PX / total_modules).max(1);
        let qr_px = module_px * total_modules;
        let qr_x = (PAGE_W - qr_px) / 2;
        let qr_y = y as u32;
        y += qr_px as f32 + 30.0;
        push(
            "Scan with your phone camera to check in".into(),
            66.0,
            50.0,
            false,
            &mut y,
        );
        for para in EXPLANATION {
            for l in fonts.wrap(para, 46.0, max_w) {
                push(l, 46.0, 16.0, false, &mut y);
            }
            y += 22.0;
        }
        y += 40.0;
        push(
            format!("Venue key fingerprint  {}", poster.fingerprint()),
            56.0,
            18.0,
            false,
            &mut y,
        );
        push(
            "Staff: if this does not match the fingerprint on record, the poster may have been swapped or covered.".into(),
            36.0,
            14.0,
            true,
            &mut y,
        );
        push(validity_note.to_owned(), 36.0, 0.0, true, &mut y);
        if y > PAGE_H as f32 - 80.0 {
            return Err(Error::Render("the text does not fit on one A4 page".into()));
        }
        Ok(Layout {
            lines,
            qr_x,
            qr_y,
            module_px,
            qr,
        })
    }

    /// Width of the QR code on the page, quiet zone included, in pixels at 300 dpi.
    pub fn qr_px(&self) -> u32 {
        self.module_px * (self.qr.width + 2 * QUIET_ZONE) as u32
    }

    /// Draws the page at 300 dpi, greyscale.
    pub fn raster(&self, fonts: &Fonts) -> GrayImage {
        let mut img = GrayImage::from_pixel(PAGE_W, PAGE_H, Luma([255]));
        let m = self.module_px;
        let q = QUIET_ZONE as u32;
        for y in 0..self.qr.width {
            for x in 0..self.qr.width {
                if self.qr.is_dark(x, y) {
                    let x0 = self.qr_x + (x as u32 + q) * m;
                    let y0 = self.qr_y + (y as u32 + q) * m;
                    for yy in y0..y0 + m {
                        for xx in x0..x0 + m {
                            img.put_pixel(xx, yy, Luma([0]));
                        }
                    }
                }
            }
        }
        for l in &self.lines {
            fonts.draw_centered(&mut img, &l.text, l.px, PAGE_W as f32 / 2.0, l.baseline);
            if l.grey {
                // Draw grey text by lightening what was just drawn on its line.
                let top = (l.baseline - l.px).max(0.0) as u32;
                let bottom = ((l.baseline + l.px * 0.3) as u32).min(PAGE_H);
                for yy in top..bottom {
                    for xx in 0..PAGE_W {
                        let p = img.get_pixel_mut(xx, yy);
                        p.0[0] = 255 - ((255 - u32::from(p.0[0])) * 2 / 3) as u8;
                    }
                }
            }
        }
        img
    }

    /// The page as SVG, in the same coordinates (1 unit = 1/300 inch).
    pub fn svg(&self, title: &str) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
             width=\"210mm\" height=\"297mm\" viewBox=\"0 0 {PAGE_W} {PAGE_H}\">\n<title>{}</title>\n\
             <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
            xml_escape(title)
        ));
        let m = self.module_px;
        let q = QUIET_ZONE as u32;
        s.push_str("<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"");
        for y in 0..self.qr.width {
            for x in 0..self.qr.width {
                if self.qr.is_dark(x, y) {
                    let x0 = self.qr_x + (x as u32 + q) * m;
                    let y0 = self.qr_y + (y as u32 + q) * m;
                    s.push_str(&format!("M{x0} {y0}h{m}v{m}h-{m}z"));
                }
            }
        }
        s.push_str("\"/>\n");
        for l in &self.lines {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{:.0}\" font-size=\"{:.0}\" text-anchor=\"middle\" fill=\"{}\" \
                 font-family=\"DejaVu Sans, Noto Sans, Noto Sans CJK JP, Noto Sans CJK SC, Droid Sans Fallback, sans-serif\">{}</text>\n",
                PAGE_W / 2,
                l.baseline,
                l.px,
                if l.grey { "#555" } else { "#000" },
                xml_escape(&l.text)
            ));
        }
        s.push_str("</svg>\n");
        s
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Encodes a greyscale image as PNG, recording the 300 dpi resolution.
pub fn png(img: &GrayImage) -> Result<Vec<u8>, Error> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::Render(format!("PNG encoding failed: {e}")))?;
    Ok(out.into_inner())
}

/// A one-page A4 PDF whose page is `img`.
pub fn pdf(img: &GrayImage, title: &str) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let image_id = Ref::new(4);
    let content_id = Ref::new(5);
    let info = Ref::new(6);
    let image_name = Name(b"Poster");
    let (w_pt, h_pt) = (595.276_f32, 841.89_f32);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.parent(pages);
    p.media_box(Rect::new(0.0, 0.0, w_pt, h_pt));
    p.contents(content_id);
    p.resources().x_objects().pair(image_name, image_id);
    p.finish();

    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(img.as_raw(), 6);
    let mut x = pdf.image_xobject(image_id, &compressed);
    x.filter(Filter::FlateDecode);
    x.width(img.width() as i32);
    x.height(img.height() as i32);
    x.color_space().device_gray();
    x.bits_per_component(8);
    // Keep module edges sharp when viewers scale the page.
    x.interpolate(false);
    x.finish();

    let mut content = Content::new();
    content.save_state();
    content.transform([w_pt, 0.0, 0.0, h_pt, 0.0, 0.0]);
    content.x_object(image_name);
    content.restore_state();
    let content = content.finish();
    pdf.stream(content_id, &content);
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("venue-keygen"))
        .producer(TextStr("venue-keygen"))
        .subject(TextStr("Venue check-in poster"));
    pdf.finish()
}

/// The Debian package that brings a font for `c`'s script, for the warning about characters
/// no installed font covers.
pub fn font_package(c: char) -> &'static str {
    use unicode_script::{Script, UnicodeScript as _};
    match c.script() {
        Script::Arabic | Script::Hebrew | Script::Armenian | Script::Georgian => {
            "fonts-dejavu-core (or fonts-noto-core)"
        }
        Script::Devanagari => "fonts-lohit-deva (or fonts-noto-core)",
        Script::Tamil => "fonts-lohit-taml (or fonts-noto-core)",
        Script::Bengali => "fonts-lohit-beng-bengali (or fonts-noto-core)",
        Script::Gujarati => "fonts-lohit-gujr (or fonts-noto-core)",
        Script::Gurmukhi => "fonts-lohit-guru (or fonts-noto-core)",
        Script::Telugu => "fonts-lohit-telu (or fonts-noto-core)",
        Script::Kannada => "fonts-lohit-knda (or fonts-noto-core)",
        Script::Malayalam => "fonts-lohit-mlym (or fonts-noto-core)",
        Script::Thai => "fonts-tlwg-garuda-ttf (or fonts-thai-tlwg)",
        Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul | Script::Bopomofo => {
            "fonts-noto-cjk (or fonts-droid-fallback)"
        }
        Script::Ethiopic => "fonts-sil-abyssinica (or fonts-noto-core)",
        _ => "fonts-noto-core",
    }
}

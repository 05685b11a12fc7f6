#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod error;
pub mod files;
pub mod render;
pub mod time;
pub mod vault;

use std::path::{Path, PathBuf};

use protocol::{Poster, PosterInfo, Validity, VenueSecret};
use rand_core::UnwrapErr;

pub use error::Error;
use files::{KEY_FILE, VenueKeyFile};
use render::{Fonts, Layout};

/// Base URL printed in front of the poster code unless the deploying authority sets another
/// with `--base-url` or `CHECKIN_BASE_URL`.
pub const DEFAULT_BASE_URL: &str = "https://checkin.example/v1/c";
/// Default stay for automatic check-out, minutes.
pub const DEFAULT_STAY_MINUTES: u16 = 60;

/// What a venue owner asks for.
#[derive(Clone, Debug)]
pub struct NewVenue {
    /// Venue name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Category, such as "pub".
    pub category: String,
    /// Default stay in minutes.
    pub stay_minutes: u16,
    /// Validity window start, Unix seconds.
    pub valid_from: Option<u64>,
    /// Validity window end, Unix seconds.
    pub valid_until: Option<u64>,
    /// Base URL in front of the poster code.
    pub base_url: String,
}

/// What `new` made.
#[derive(Debug)]
pub struct Made {
    /// The directory written.
    pub dir: PathBuf,
    /// The poster URL.
    pub url: String,
    /// The key fingerprint printed on the poster.
    pub fingerprint: String,
    /// Characters of the poster text that no installed font could draw.
    pub missing_glyphs: Vec<char>,
    /// The font families used, in order.
    pub fonts: Vec<String>,
}

impl NewVenue {
    fn validity(&self) -> Result<Option<Validity>, Error> {
        match (self.valid_from, self.valid_until) {
            (None, None) => Ok(None),
            (from, until) => {
                let from = from.unwrap_or(0);
                let until = until.unwrap_or(u64::MAX);
                if until <= from {
                    return Err(Error::invalid(
                        "--valid-until must be after --valid-from".into(),
                    ));
                }
                Ok(Some(Validity { from, until }))
            }
        }
    }

    fn check(&self) -> Result<PosterInfo, Error> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::invalid(
                "the venue name must not be empty (--name)".into(),
            ));
        }
        protocol::poster::check_base_url(&self.base_url)?;
        let info = PosterInfo {
            name: name.to_owned(),
            address: self.address.trim().to_owned(),
            category: self.category.trim().to_owned(),
            default_stay_minutes: self.stay_minutes,
            validity: self.validity()?,
        };
        info.validate()?;
        Ok(info)
    }
}

fn validity_note(poster: &Poster) -> String {
    let stay = poster.info().default_stay_minutes;
    match poster.info().validity {
        None => format!("Automatic check-out after {stay} minutes."),
        Some(v) if v.until == u64::MAX => format!(
            "Automatic check-out after {stay} minutes. Valid from {}.",
            time::show_time(v.from)
        ),
        Some(v) => format!(
            "Automatic check-out after {stay} minutes. Valid {} to {}.",
            time::show_time(v.from),
            time::show_time(v.until)
        ),
    }
}

/// The rendered poster files, in memory.
pub struct PosterFiles {
    /// `poster.svg`.
    pub svg: String,
    /// `poster.png`.
    pub png: Vec<u8>,
    /// `poster.pdf`.
    pub pdf: Vec<u8>,
    /// `poster.url`.
    pub url: String,
    /// Characters no installed font could draw.
    pub missing_glyphs: Vec<char>,
    /// Font families used.
    pub fonts: Vec<String>,
}

/// Draws the poster files for a poster. Before returning, it reads the QR code back from
/// the drawn page with an independent decoder and checks it carries exactly `url`.
pub fn render_poster(poster: &Poster, base_url: &str) -> Result<PosterFiles, Error> {
    let url = poster.to_url(base_url)?;
    let note = validity_note(poster);
    let info = poster.info();
    let mut texts = vec![
        info.name.as_str(),
        info.address.as_str(),
        info.category.as_str(),
        note.as_str(),
    ];
    texts.extend(render::EXPLANATION);
    let fonts = Fonts::for_texts(&texts);
    if fonts.names().is_empty() {
        return Err(Error::Render(
            "no usable font is installed, so the poster could not show its text: install \
             one (on Debian: apt-get install fonts-dejavu-core) and run again"
                .into(),
        ));
    }
    let layout = Layout::new(poster, &url, &fonts, &note)?;
    let page = layout.raster(&fonts);
    let decoded = common::qr::decode(&page);
    if decoded.as_deref() != Some(url.as_str()) {
        return Err(Error::Render(format!(
            "the drawn QR code reads back as {decoded:?}, not the poster URL"
        )));
    }
    let missing: Vec<char> = texts
        .iter()
        .flat_map(|t| fonts.missing(t))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(PosterFiles {
        svg: layout.svg(&info.name),
        png: render::png(&page)?,
        pdf: render::pdf(&page, &info.name),
        url: url.clone(),
        missing_glyphs: missing,
        fonts: fonts.names().into_iter().map(str::to_owned).collect(),
    })
}

/// `venue-keygen new`: makes a venue key and its poster files in `out`.
///
/// Nothing is written unless everything could be made: the poster is drawn and checked in
/// memory first, then each file is written to a temporary file and renamed into place. The
/// key file is never replaced unless `force`.
pub fn make_venue(req: &NewVenue, out: &Path, force: bool) -> Result<Made, Error> {
    let info = req.check()?;
    let key_path = out.join(KEY_FILE);
    if key_path.exists() && !force {
        return Err(Error::KeyExists(key_path));
    }
    let mut rng = UnwrapErr(rand::rngs::SysRng);
    let secret = VenueSecret::generate(&mut rng);
    let poster = Poster::sign(&secret.keys(), info)?;
    let files = render_poster(&poster, &req.base_url)?;
    let key = VenueKeyFile {
        secret,
        poster: poster.clone(),
        base_url: req.base_url.clone(),
    };

    let created_dir = !out.exists();
    files::create_dir(out)?;
    let result = (|| {
        // Stage everything first, so a full disk or a permission problem stops us before
        // any file appears.
        let staged_key = files::stage(&key_path, key.to_json().as_bytes(), 0o600)?;
        let staged = stage_poster(&files, out)?;
        staged_key.commit(force)?;
        for s in staged {
            s.commit(true)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        if created_dir {
            let _ = std::fs::remove_dir_all(out);
        }
        return Err(match e {
            Error::OutputExists(p) if p == key_path => Error::KeyExists(p),
            e => e,
        });
    }
    Ok(Made {
        dir: out.to_path_buf(),
        url: files.url,
        fingerprint: poster.fingerprint(),
        missing_glyphs: files.missing_glyphs,
        fonts: files.fonts,
    })
}

/// The poster files, in the order they are written.
pub const POSTER_FILES: [&str; 4] = ["poster.svg", "poster.png", "poster.pdf", "poster.url"];

/// Writes and syncs the four poster files under temporary names in `out`, ready to be put in
/// place.
fn stage_poster(files: &PosterFiles, out: &Path) -> Result<Vec<files::Staged>, Error> {
    let url = format!("{}\n", files.url);
    let data: [&[u8]; 4] = [
        files.svg.as_bytes(),
        files.png.as_slice(),
        files.pdf.as_slice(),
        url.as_bytes(),
    ];
    POSTER_FILES
        .iter()
        .zip(data)
        .map(|(name, data)| Ok(files::stage(&out.join(name), data, 0o644)?))
        .collect()
}

/// What `render` made.
#[derive(Debug)]
pub struct Rendered {
    /// The poster as it was drawn (the one the key file holds).
    pub poster: Poster,
    /// The poster URL.
    pub url: String,
    /// Characters of the poster text that no installed font could draw.
    pub missing_glyphs: Vec<char>,
    /// The font families used, in order.
    pub fonts: Vec<String>,
}

/// `venue-keygen render`: draws the poster of an existing venue key again, into `out`: the same
/// signed code (so posters already printed keep matching, and phones see the same venue), new
/// artwork, with the key file's base URL unless `base_url` is given. Existing poster files are
/// replaced only if `force`; either all four files are written or none.
pub fn render_from_key(
    key: &Path,
    out: &Path,
    base_url: Option<&str>,
    force: bool,
) -> Result<Rendered, Error> {
    let key = VenueKeyFile::read(key)?;
    let base_url = base_url.unwrap_or(&key.base_url);
    let files = render_poster(&key.poster, base_url)?;
    if !force
        && let Some(existing) = POSTER_FILES
            .iter()
            .map(|name| out.join(name))
            .find(|p| p.exists())
    {
        return Err(Error::OutputExists(existing));
    }
    files::create_dir(out)?;
    for staged in stage_poster(&files, out)? {
        staged.commit(true)?;
    }
    Ok(Rendered {
        poster: key.poster,
        url: files.url,
        missing_glyphs: files.missing_glyphs,
        fonts: files.fonts,
    })
}

/// What `inspect` found.
#[derive(Debug)]
pub struct Inspected {
    /// The poster (its signature not necessarily valid; see `signature`).
    pub poster: protocol::poster::UnverifiedPoster,
    /// Outcome of the signature check.
    pub signature: Result<(), protocol::PosterError>,
    /// Where the code came from.
    pub source: String,
}

/// `venue-keygen inspect`: reads a poster from a URL, a bare payload, or an image file.
pub fn inspect(input: &str) -> Result<Inspected, Error> {
    let (text, source) =
        common::qr::poster_text(input).map_err(|e| Error::invalid(e.to_string()))?;
    let i = protocol::poster::inspect_url_or_payload(&text)?;
    Ok(Inspected {
        poster: i.poster,
        signature: i.signature,
        source,
    })
}

/// Folder name for a bulk row: readable, and the same every run for the same venue.
pub fn bulk_folder(name: &str, address: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "venue" } else { slug };
    let digest = blake3::hash(format!("{name}\n{address}").as_bytes());
    format!("{slug}-{}", &digest.to_hex()[..8])
}

/// One row's outcome in a bulk run.
#[derive(Debug)]
pub enum RowOutcome {
    /// Made a new venue.
    Made(Made),
    /// A key was already there: kept, nothing written.
    Kept(PathBuf),
    /// A key was already there: kept, and its poster drawn again (`bulk --force`).
    Redrawn(PathBuf, Box<Rendered>),
    /// The row is bad: nothing written for it.
    Failed(Error),
}

/// A bulk CSV row, after the header `name,address,category,stay,valid_from,valid_until`.
#[derive(Debug, serde::Deserialize)]
pub struct BulkRow {
    /// Venue name.
    pub name: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// Category.
    #[serde(default)]
    pub category: String,
    /// Default stay, minutes; empty for the default.
    #[serde(default)]
    pub stay: Option<String>,
    /// Validity start; empty for none.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Validity end; empty for none.
    #[serde(default)]
    pub valid_until: Option<String>,
}

fn opt_time(s: &Option<String>) -> Result<Option<u64>, Error> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => time::parse_time(t).map(Some),
    }
}

/// Turns a bulk row into a request.
pub fn bulk_request(row: &BulkRow, base_url: &str) -> Result<NewVenue, Error> {
    let stay = match row.stay.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_STAY_MINUTES,
        Some(s) => s
            .parse::<u16>()
            .map_err(|_| Error::invalid(format!("stay '{s}' is not a whole number of minutes")))?,
    };
    Ok(NewVenue {
        name: row.name.clone(),
        address: row.address.clone(),
        category: row.category.clone(),
        stay_minutes: stay,
        valid_from: opt_time(&row.valid_from)?,
        valid_until: opt_time(&row.valid_until)?,
        base_url: base_url.to_owned(),
    })
}

/// Makes (or keeps) the venue of one bulk row in its own folder under `out`. A venue that
/// already has a key keeps it; with `redraw`, its poster is drawn again from that key (same
/// code, new artwork). Bulk never replaces a key.
pub fn bulk_row(row: &BulkRow, base_url: &str, out: &Path, redraw: bool) -> RowOutcome {
    let dir = out.join(bulk_folder(row.name.trim(), row.address.trim()));
    if dir.join(KEY_FILE).exists() {
        if !redraw {
            return RowOutcome::Kept(dir);
        }
        return match render_from_key(&dir.join(KEY_FILE), &dir, None, true) {
            Ok(r) => RowOutcome::Redrawn(dir, Box::new(r)),
            Err(e) => RowOutcome::Failed(e),
        };
    }
    match bulk_request(row, base_url).and_then(|req| make_venue(&req, &dir, false)) {
        Ok(made) => RowOutcome::Made(made),
        Err(e) => RowOutcome::Failed(e),
    }
}

//! `venue-keygen`: make a venue key and a printable keyed poster; inspect posters; strip the
//! outer layer of consented contact records. The work is in the library; this file parses
//! arguments and turns errors into one clear line.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use venue_keygen::{
    DEFAULT_BASE_URL, DEFAULT_STAY_MINUTES, Error, NewVenue, RowOutcome, time::parse_time,
    time::show_time,
};

#[derive(Parser)]
#[command(
    name = "venue-keygen",
    version,
    about = "Make a venue key and a printable check-in poster"
)]
struct Cli {
    /// Time zone for reading and showing times, such as Europe/London (default: $TZ, else the
    /// system's).
    #[arg(long, global = true)]
    tz: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a venue key and its poster (poster.pdf, poster.png, poster.svg, poster.url).
    New {
        /// Venue name as printed, 1 to 80 bytes.
        #[arg(long)]
        name: String,
        /// Address as printed, up to 120 bytes.
        #[arg(long)]
        address: String,
        /// Category, such as pub, cafe or gym.
        #[arg(long, default_value = "")]
        category: String,
        /// Default stay in minutes, for automatic check-out (1 to 720).
        #[arg(long, default_value_t = DEFAULT_STAY_MINUTES)]
        stay: u16,
        /// First moment the poster is valid: 'YYYY-MM-DD HH:MM' (local, or followed by a zone as
        /// printed, such as UTC), 'YYYY-MM-DD', or RFC 3339.
        #[arg(long, value_name = "TIME")]
        valid_from: Option<String>,
        /// Moment the poster stops being valid, in the same form.
        #[arg(long, value_name = "TIME")]
        valid_until: Option<String>,
        /// Base URL in front of the poster code, chosen by the health authority.
        #[arg(long, env = "CHECKIN_BASE_URL", default_value = DEFAULT_BASE_URL)]
        base_url: String,
        /// Directory for the key and poster files.
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing venue key (posters printed with it stop matching).
        #[arg(long)]
        force: bool,
    },
    /// Make one venue per CSV row (header: name,address,category,stay,valid_from,valid_until).
    Bulk {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
        /// Directory that receives one folder per venue.
        #[arg(long)]
        out: PathBuf,
        /// Base URL in front of the poster codes.
        #[arg(long, env = "CHECKIN_BASE_URL", default_value = DEFAULT_BASE_URL)]
        base_url: String,
        /// Draw the posters of venues that already have a key again, from that key (same code,
        /// new artwork, the key's base URL). Keys are never replaced by bulk.
        #[arg(long)]
        force: bool,
    },
    /// Draw the poster of an existing venue key again: the same signed code, so posters already
    /// printed keep matching, with new artwork (after installing a font, say).
    Render {
        /// The venue key file (venue.key).
        #[arg(long)]
        key: PathBuf,
        /// Directory for poster.pdf, poster.png, poster.svg and poster.url.
        #[arg(long)]
        out: PathBuf,
        /// Base URL in front of the poster code [default: the one in the key file].
        #[arg(long)]
        base_url: Option<String>,
        /// Replace poster files already in --out.
        #[arg(long)]
        force: bool,
    },
    /// Show what a poster contains and whether its signature verifies.
    Inspect {
        /// A poster URL, its payload, or an image file (PNG or JPEG) showing the QR code.
        input: String,
    },
    /// Approve a tracer's notice for this venue, so that phones that were here alert: shows
    /// what is asked and who asks, and asks y/N.
    Approve {
        /// The venue key file (venue.key).
        #[arg(long)]
        key: PathBuf,
        /// The health authority's trust file, to check the tracer's certificate.
        #[arg(long)]
        trust: PathBuf,
        /// The approval request from the tracer (`tracer notify request`).
        #[arg(long = "in", value_name = "REQUEST")]
        input: PathBuf,
        /// Where to write the approval for the tracer.
        #[arg(long, value_name = "APPROVAL")]
        out: PathBuf,
        /// Where to get the authority's revocation list.
        #[command(flatten)]
        revocations: Revocations,
        /// Approve without asking (for scripts).
        #[arg(long)]
        yes: bool,
        /// Replace the approval file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check a tracer's signed request, show it, and on "y" strip the outer layer of the
    /// contact records it asks for (offline step).
    Unwrap {
        /// The venue key file (venue.key).
        #[arg(long)]
        key: PathBuf,
        /// The authority's trust file, to check that a certified tracer signed the request.
        #[arg(long)]
        trust: PathBuf,
        /// The request file from `tracer vault fetch`.
        #[arg(long = "in")]
        input: PathBuf,
        /// Where to write the response for the tracer.
        #[arg(long)]
        out: PathBuf,
        /// Where to get the authority's revocation list.
        #[command(flatten)]
        revocations: Revocations,
        /// Unwrap without asking (for scripts).
        #[arg(long)]
        yes: bool,
        /// Replace the response file if it exists.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = venue_keygen::time::set_zone(cli.tz.as_deref()) {
        eprintln!("venue-keygen: error: {e}");
        return ExitCode::FAILURE;
    }
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("venue-keygen: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn opt_time(s: Option<String>, flag: &str) -> Result<Option<u64>, Error> {
    s.map(|t| parse_time(&t).map_err(|e| Error::invalid(format!("{flag}: {e}"))))
        .transpose()
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::New {
            name,
            address,
            category,
            stay,
            valid_from,
            valid_until,
            base_url,
            out,
            force,
        } => {
            let req = NewVenue {
                name,
                address,
                category,
                stay_minutes: stay,
                valid_from: opt_time(valid_from, "--valid-from")?,
                valid_until: opt_time(valid_until, "--valid-until")?,
                base_url,
            };
            new(&req, &out, force)
        }
        Command::Bulk {
            csv,
            out,
            base_url,
            force,
        } => {
            let done = bulk(&csv, &out, &base_url, force);
            warn_placeholder(&base_url);
            done
        }
        Command::Render {
            key,
            out,
            base_url,
            force,
        } => render(&key, &out, base_url.as_deref(), force),
        Command::Inspect { input } => inspect(&input),
        Command::Unwrap {
            key,
            trust,
            input,
            out,
            revocations,
            yes,
            force,
        } => unwrap(&key, &trust, &input, &out, &revocations, yes, force),
        Command::Approve {
            key,
            trust,
            input,
            out,
            revocations,
            yes,
            force,
        } => approve(&key, &trust, &input, &out, &revocations, yes, force),
    }
}

/// Where the authority's revocation list comes from, if anywhere.
#[derive(clap::Args)]
struct Revocations {
    /// The authority's revocation list file (revocations.bin), to refuse a tracer whose key
    /// the authority revoked.
    #[arg(long = "revocations", value_name = "FILE", conflicts_with = "server")]
    file: Option<PathBuf>,
    /// Your check-in server (https://HOST), to fetch the authority's current revocation list
    /// from it.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
}

impl Revocations {
    /// Refuses a tracer the authority revoked; says so when nothing was given to check with.
    fn check(
        &self,
        trust: &protocol::TrustAnchor,
        cert: &protocol::Certificate,
        now: u64,
        request: &Path,
        code: &'static str,
    ) -> Result<(), Error> {
        let list = match (&self.file, &self.server) {
            (Some(path), _) => Some(common::revocation::read(path, trust, now)?),
            (None, Some(url)) => common::revocation::fetch(url, trust, now)?,
            (None, None) => {
                eprintln!(
                    "Note: not checked against {}'s revocation list. Give --server \
                     https://YOUR-CHECKIN-SERVER (or --revocations FILE) to make sure the \
                     tracer's key has not been revoked.",
                    trust.authority
                );
                return Ok(());
            }
        };
        match list {
            Some(list) => {
                common::revocation::refuse_revoked(&list, cert, request, code).map_err(Error::from)
            }
            None => {
                eprintln!(
                    "Note: the server holds no revocation list: {} has revoked no tracer.",
                    trust.authority
                );
                Ok(())
            }
        }
    }
}

/// `venue-keygen approve`.
fn approve(
    key: &Path,
    trust: &Path,
    input: &Path,
    out: &Path,
    revocations: &Revocations,
    yes: bool,
    force: bool,
) -> Result<ExitCode, Error> {
    if out.exists() && !force {
        return Err(common::Error::Exists(out.to_path_buf()).into());
    }
    let venue = venue_keygen::files::VenueKeyFile::read(key)?;
    let trust = common::authority::read_trust(trust)?;
    let request = common::approval::read_request(input)?;
    let now = common::time::now();
    let checked = common::approval::check(input, request, &trust, now)?;
    common::approval::check_own_venue(input, &checked, &venue.poster)?;
    revocations.check(
        &trust,
        &checked.cert,
        now,
        input,
        protocol::ApprovalError::CertificateRevoked.code(),
    )?;
    let keys = venue.secret.keys();
    print!(
        "{}",
        checked.describe(&trust.authority, venue_keygen::time::zone())
    );
    println!(
        "\nApprove only if the health authority contacted you about this case. Approving \
         reveals nothing about your visitors to anyone."
    );
    if !common::approval::confirm("Approve this notice?", yes)? {
        println!("Not approved: nothing was written.");
        return Ok(ExitCode::FAILURE);
    }
    let approval = checked.statement.approve_as_venue(&keys);
    let text = serde_json::to_string_pretty(&checked.approval_file(&approval, &trust))
        .map_err(|e| Error::invalid(e.to_string()))?;
    common::files::write(out, (text + "\n").as_bytes(), 0o644, force)?;
    println!("Approved. Give this file to the tracer: {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Says, after the posters are made, when they point at the placeholder server: phones that
/// scan them reach nothing.
fn warn_placeholder(base_url: &str) {
    if base_url == DEFAULT_BASE_URL {
        println!(
            "Note: the poster points at the placeholder {DEFAULT_BASE_URL}; phones that scan it \
             reach no server. Give --base-url https://YOUR-SERVER/v1/c (or set \
             CHECKIN_BASE_URL) for posters people will scan."
        );
    }
}

/// `venue-keygen new`.
fn new(req: &NewVenue, out: &Path, force: bool) -> Result<ExitCode, Error> {
    let made = venue_keygen::make_venue(req, out, force)?;
    println!("Made the venue key and poster in {}", made.dir.display());
    println!("  print:        {}", made.dir.join("poster.pdf").display());
    println!("  key (secret): {}", made.dir.join("venue.key").display());
    println!("URL:         {}", made.url);
    println!("Fingerprint: {}", made.fingerprint);
    warn_glyphs(&made.missing_glyphs);
    warn_placeholder(&req.base_url);
    Ok(ExitCode::SUCCESS)
}

/// `venue-keygen inspect`: every field, and whether the signature verifies (exit 1 if not).
fn inspect(input: &str) -> Result<ExitCode, Error> {
    let i = venue_keygen::inspect(input)?;
    let info = i.poster.info();
    println!("Source:        {}", i.source);
    println!("Name:          {}", info.name);
    println!("Address:       {}", info.address);
    println!("Category:      {}", info.category);
    println!("Default stay:  {} minutes", info.default_stay_minutes);
    match info.validity {
        Some(v) => println!(
            "Valid:         {} to {}",
            show_time(v.from),
            show_time(v.until)
        ),
        None => println!("Valid:         always"),
    }
    println!("Fingerprint:   {}", i.poster.fingerprint());
    println!("Venue id:      {}", hex(i.poster.venue_id().as_bytes()));
    println!("X25519 key:    {}", hex(&i.poster.sealing_key().0));
    println!(
        "Ed25519 key:   {}",
        hex(i.poster.verifying_key().as_bytes())
    );
    println!("Encoding:      {} bytes", i.poster.to_bytes().len());
    let mut usable = true;
    match &i.signature {
        Ok(()) => println!("Signature:     valid"),
        Err(e) => {
            println!("Signature:     INVALID: {e}");
            usable = false;
        }
    }
    // Whether a phone would accept it now: the validity window, in words.
    let now = venue_keygen::time::now();
    match info.validity {
        Some(v) if now < v.from => {
            println!(
                "Now:           NOT YET VALID: phones accept it from {}",
                show_time(v.from)
            );
            usable = false;
        }
        Some(v) if now >= v.until => {
            println!(
                "Now:           EXPIRED at {}: phones refuse it",
                show_time(v.until)
            );
            usable = false;
        }
        _ => println!("Now:           valid"),
    }
    Ok(if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `venue-keygen unwrap`.
fn unwrap(
    key: &Path,
    trust: &Path,
    input: &Path,
    out: &Path,
    revocations: &Revocations,
    yes: bool,
    force: bool,
) -> Result<ExitCode, Error> {
    if out.exists() && !force {
        return Err(common::Error::Exists(out.to_path_buf()).into());
    }
    let venue = venue_keygen::files::VenueKeyFile::read(key)?;
    let trust = common::authority::read_trust(trust)?;
    let bytes = std::fs::read(input).map_err(|e| common::Error::io("read", input, e))?;
    let now = common::time::now();
    let checked = venue_keygen::vault::check_request(&venue, input, &bytes, &trust, now)?;
    revocations.check(
        &trust,
        &checked.certificate,
        now,
        input,
        protocol::UnwrapRequestError::CertificateRevoked.code(),
    )?;
    print!(
        "{}",
        checked.describe(&trust.authority, &venue.poster, venue_keygen::time::zone())
    );
    println!(
        "\nUnwrap only if the health authority contacted you about this case. The records stay \
         sealed to the authority; you hand back only what it alone can open."
    );
    if !common::approval::confirm("Unwrap these records?", yes)? {
        println!("Not unwrapped: nothing was written.");
        return Ok(ExitCode::FAILURE);
    }
    let (response, s) = venue_keygen::vault::unwrap_checked(&venue, &checked, &bytes);
    let json = serde_json::to_string_pretty(&response)
        .map_err(|e| Error::invalid(format!("cannot write the response: {e}")))?;
    common::files::write(out, format!("{json}\n").as_bytes(), 0o600, force)?;
    println!(
        "Stripped {} record(s) of yours; left {} of other venues in your bucket or other hours, \
         and {} damaged. Response: {}",
        s.stripped,
        s.not_this_venue,
        s.damaged,
        out.display()
    );
    println!(
        "The contact details stay sealed to the health authority; this step reveals nothing to you."
    );
    Ok(ExitCode::SUCCESS)
}

use common::hex;

fn warn_glyphs(missing: &[char]) {
    if !missing.is_empty() {
        let list: String = missing.iter().collect();
        let mut packages: Vec<&str> = missing
            .iter()
            .map(|c| venue_keygen::render::font_package(*c))
            .collect();
        packages.dedup();
        packages.sort_unstable();
        packages.dedup();
        eprintln!(
            "venue-keygen: warning: no installed font can draw \"{list}\"; those characters show as \
             boxes in poster.png and poster.pdf (poster.svg uses the viewer's fonts). Install a font \
             for that script (on Debian: apt-get install {}), then draw the poster again with the \
             same key: venue-keygen render --key DIR/venue.key --out DIR --force (or bulk --force \
             for a whole CSV).",
            packages.join(", ")
        );
    }
}

/// `venue-keygen render`.
fn render(key: &Path, out: &Path, base_url: Option<&str>, force: bool) -> Result<ExitCode, Error> {
    let r = venue_keygen::render_from_key(key, out, base_url, force)?;
    println!(
        "Drew the poster of {} again in {}: poster.pdf, poster.png, poster.svg, poster.url \
         (the same code: posters already printed keep working).",
        r.poster.info().name,
        out.display()
    );
    println!("Poster URL: {}", r.url);
    warn_glyphs(&r.missing_glyphs);
    Ok(ExitCode::SUCCESS)
}

fn bulk(
    csv_path: &std::path::Path,
    out: &std::path::Path,
    base_url: &str,
    redraw: bool,
) -> Result<ExitCode, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(csv_path)
        .map_err(|e| Error::invalid(format!("cannot read {}: {e}", csv_path.display())))?;
    let rows: Vec<(u64, Result<venue_keygen::BulkRow, csv::Error>)> = reader
        .deserialize()
        .map(|r: Result<venue_keygen::BulkRow, csv::Error>| {
            let line = match &r {
                Ok(_) => 0,
                Err(e) => e.position().map(|p| p.line()).unwrap_or(0),
            };
            (line, r)
        })
        .collect();
    venue_keygen::files::create_dir(out)?;
    let bar = ProgressBar::new(rows.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut made, mut kept, mut redrawn, mut failed) = (0, 0, 0, 0);
    // Line numbers: the header is line 1, so data row i (from 0) is on line i + 2 when no
    // record spans several lines; csv reports the exact line for records it cannot parse.
    for (i, (line, row)) in rows.into_iter().enumerate() {
        let line = if line == 0 { i as u64 + 2 } else { line };
        match row {
            Err(e) => {
                failed += 1;
                bar.suspend(|| eprintln!("line {line}: {e}"));
            }
            Ok(row) => match venue_keygen::bulk_row(&row, base_url, out, redraw) {
                RowOutcome::Made(m) => {
                    made += 1;
                    bar.set_message(row.name.clone());
                    if !m.missing_glyphs.is_empty() {
                        bar.suspend(|| warn_glyphs(&m.missing_glyphs));
                    }
                }
                RowOutcome::Kept(dir) => {
                    kept += 1;
                    bar.suspend(|| {
                        eprintln!(
                            "line {line}: {} already has a key; kept it (--force draws its \
                             poster again from that key)",
                            dir.display()
                        )
                    });
                }
                RowOutcome::Redrawn(_, r) => {
                    redrawn += 1;
                    bar.set_message(row.name.clone());
                    if !r.missing_glyphs.is_empty() {
                        bar.suspend(|| warn_glyphs(&r.missing_glyphs));
                    }
                }
                RowOutcome::Failed(e) => {
                    failed += 1;
                    bar.suspend(|| eprintln!("line {line}: {e}"));
                }
            },
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if redraw {
        println!(
            "Made {made} venue(s), drew {redrawn} existing poster(s) again from their keys, \
             {failed} row(s) failed. Output: {}",
            out.display()
        );
    } else {
        println!(
            "Made {made} venue(s), kept {kept} existing, {failed} row(s) failed. Output: {}",
            out.display()
        );
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

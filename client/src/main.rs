//! `checkin`: the citizen's diary in a terminal. `main` parses the arguments, unlocks the
//! diary, runs one function per command, and prints what happened in plain words.
#![forbid(unsafe_code)]

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use client::error::PosterRefusal;
use client::{Access, AlertRec, CheckOut, ContactIn, Error, ScanOutcome, Session};
use common::time;
use jiff::tz::TimeZone;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "checkin", version, about = "Your private venue check-in diary")]
struct Cli {
    /// The diary directory (default: $CHECKIN_HOME, else your data directory).
    #[arg(long, global = true)]
    diary: Option<PathBuf>,
    /// Read the passphrase from this file instead of the terminal (only for a diary made with
    /// `init --passphrase`).
    #[arg(long, global = true)]
    passphrase_file: Option<PathBuf>,
    /// Time zone for reading and showing times, such as Europe/London (default: $TZ, else the
    /// system's).
    #[arg(long, global = true)]
    tz: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create your diary.
    Init {
        /// The authority trust file to pin.
        #[arg(long)]
        trust: PathBuf,
        /// The notify server: https://HOST (http:// only for 127.0.0.1, ::1 or localhost).
        #[arg(long)]
        server: String,
        /// Protect the diary with a passphrase instead of a device key file (a key file lies
        /// beside the diary, so a copy of the directory opens it; a passphrase is kept nowhere).
        #[arg(long)]
        passphrase: bool,
    },
    /// Check in by scanning a poster (URL, code, or a photo of the QR code).
    Scan {
        /// The poster URL, its code, or an image file.
        poster: String,
        /// When, if not now, within the last 14 days: 'YYYY-MM-DD HH:MM' (local, or followed by a zone as
        /// printed, such as UTC), 'YYYY-MM-DD', or RFC 3339.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Share your contact details for this visit.
        #[arg(long)]
        share_contact: bool,
    },
    /// Check out of where you are.
    Out {
        /// When, if not now, between your arrival and 12 hours after it (this also corrects
        /// an automatic check-out): 'YYYY-MM-DD HH:MM' (local, or followed by a zone as
        /// printed, such as UTC), 'YYYY-MM-DD', or RFC 3339.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// List your visits.
    Diary {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a visit's times.
    Edit {
        /// The visit's id from `checkin diary`.
        id: String,
        /// Arrival.
        #[arg(long)]
        arrive: String,
        /// Departure.
        #[arg(long)]
        leave: String,
    },
    /// Delete a visit, with its queued contact uploads and its alerts.
    Forget {
        /// The visit's id from `checkin diary`.
        id: String,
    },
    /// Pin a newer trust file of the same authority (it issues one when it adds months of
    /// sealing keys); a file of another authority is refused.
    Trust {
        /// The authority's new trust file.
        file: PathBuf,
    },
    /// Compare the web app a server serves with the authority's signed release, file by
    /// file, and say which files differ (exit status 1 if any does). Needs no diary.
    VerifyApp {
        /// The server: https://HOST (http:// only for 127.0.0.1, ::1 or localhost).
        #[arg(long)]
        server: String,
        /// The path the server serves the app at (the posters' base URL's path).
        #[arg(long, default_value = "/v1/c")]
        path: String,
        /// The authority's trust file, whose release key signs releases.
        #[arg(long)]
        trust: PathBuf,
        /// Compare with the signed release in this directory (SHA256SUMS and SHA256SUMS.sig
        /// beside the files, such as web/dist) rather than the one the server serves.
        #[arg(long, value_name = "DIR")]
        release: Option<PathBuf>,
    },
    /// Download new notices and check them on this device (contact uploads are sent apart,
    /// by 'checkin uploads send').
    Sync {
        /// Another server than the one set at init.
        #[arg(long)]
        server: Option<String>,
    },
    /// Show your alerts.
    Alerts {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Your contact details, for visits where you choose to share them.
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Contact uploads waiting to be sent: list them, or cancel them.
    Uploads {
        #[command(subcommand)]
        action: Option<UploadsCmd>,
    },
    /// Export your diary, sealed to the health authority, after a positive test.
    ShareCase {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum ContactCmd {
    /// Store your contact details (sealed in the diary).
    Set {
        /// Your name.
        #[arg(long)]
        name: String,
        /// Your phone number (give this, --email or both: a tracer must be able to reach you).
        #[arg(long, default_value = "")]
        phone: String,
        /// Your e-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// People in your party.
        #[arg(long, default_value_t = 1)]
        party: u8,
    },
    /// Show the stored contact details and the sharing setting.
    Show,
    /// Delete the stored contact details (and cancel every queued upload, which carries them).
    Delete,
    /// When to share: always, ask (only with --share-contact), or never.
    Consent {
        /// The standing choice.
        #[arg(value_enum)]
        mode: ConsentArg,
    },
}

#[derive(Subcommand)]
enum UploadsCmd {
    /// Run the upload slots that are due: each sends one sealed record, a queued contact
    /// record or else a cover record, so that your uploads say nothing about your visits.
    /// Run it from a scheduler (every 10 minutes or so); slots come about once an hour.
    Send {
        /// Send every queued contact record now instead, each on its own connection. The
        /// server then learns when your shared visits ended: use it only when asked to.
        #[arg(long)]
        all: bool,
        /// Another server than the one set at init.
        #[arg(long)]
        server: Option<String>,
    },
    /// Cancel the queued uploads of one visit (or of all with --all); they are never sent.
    Cancel {
        /// The visit's id from `checkin uploads`.
        id: Option<String>,
        /// Cancel every queued upload.
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ConsentArg {
    Always,
    Ask,
    Never,
}

impl From<ConsentArg> for client::Consent {
    fn from(c: ConsentArg) -> Self {
        match c {
            ConsentArg::Always => client::Consent::Always,
            ConsentArg::Ask => client::Consent::Ask,
            ConsentArg::Never => client::Consent::Never,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("checkin: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The trust file's emergency officers with their threshold, and its release key, as Settings
/// in the web app show them.
fn officers_and_release(t: &protocol::TrustAnchor) -> String {
    let mut out = format!(
        "Emergency officers: {} of {} must approve together a notice for a venue that cannot \
         be reached:",
        t.emergency.threshold(),
        t.emergency.keys().len()
    );
    for (i, k) in t.emergency.keys().iter().enumerate() {
        out.push_str(&format!("\n  {i}: {}", protocol::pin::root_fingerprint(k)));
    }
    out.push_str(&format!(
        "\nRelease key: {}",
        t.release
            .as_ref()
            .map_or("none (no release of the app can be checked)".into(), |k| {
                protocol::pin::root_fingerprint(k)
            })
    ));
    out
}

/// `checkin verify-app`: one line per file, then the verdict; an error if any file differs.
fn verify_app(server: &str, path: &str, trust: &Path, release: Option<&Path>) -> Result<(), Error> {
    let base = client::net::server_url(server)?;
    if !path.starts_with('/') || path.contains(['?', '#']) {
        return Err(Error::Invalid(format!(
            "--path {path}: give the app's path on the server, such as /v1/c"
        )));
    }
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let report = client::verify_app::verify_app(&url, trust, release)?;
    println!(
        "Comparing the app at {url} with {}, signed by the release key of \"{}\":",
        report.release_from, report.authority
    );
    for check in &report.checks {
        println!("  {check}");
    }
    let differing = report.differing();
    if differing.is_empty() {
        println!(
            "All {} files are the signed release's: this server serves the authority's app.",
            report.checks.len()
        );
        return Ok(());
    }
    let names: Vec<&str> = differing.iter().map(|c| c.name()).collect();
    Err(Error::ServerMisbehaved(format!(
        "{url} serves {} of {} files otherwise than the signed release ({}): phones that load \
         the app from it now may run code the authority did not sign",
        differing.len(),
        report.checks.len(),
        names.join(", ")
    )))
}

/// Where notes go: stdout, or stderr when stdout carries JSON.
#[derive(Clone, Copy)]
struct Out {
    json: bool,
}

impl Out {
    fn note(self, text: &str) {
        if self.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }
}

fn read_passphrase(file: Option<&PathBuf>, confirm: bool) -> Result<Zeroizing<String>, Error> {
    if let Some(f) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(f).map_err(|e| common::Error::io("read", f, e))?,
        );
        return Ok(Zeroizing::new(
            text.trim_end_matches(['\n', '\r']).to_owned(),
        ));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Invalid(
            "a passphrase is needed: run in a terminal, or give --passphrase-file".into(),
        ));
    }
    let p = Zeroizing::new(rpassword::prompt_password("Diary passphrase: ").map_err(terminal)?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Again: ").map_err(terminal)?);
        if *again != *p {
            return Err(Error::Invalid(
                "the passphrases differ; nothing was created".into(),
            ));
        }
    }
    Ok(p)
}

fn when(at: Option<&str>, tz: &TimeZone) -> Result<u64, Error> {
    match at {
        None => Ok(time::now()),
        Some(t) => time::parse(t, tz).map_err(|e| Error::Invalid(e.to_string())),
    }
}

/// Reading a passphrase from the terminal failed.
fn terminal(e: std::io::Error) -> Error {
    Error::File(common::Error::io(
        "read the passphrase from",
        "the terminal",
        e,
    ))
}

fn run(cli: Cli) -> Result<(), Error> {
    let dir = client::diary_dir(cli.diary);
    let tz = time::zone(cli.tz.as_deref())?;
    if let Command::Init {
        trust,
        server,
        passphrase,
    } = &cli.command
    {
        return init(
            &dir,
            trust,
            server,
            *passphrase,
            cli.passphrase_file.as_ref(),
        );
    }
    if let Command::VerifyApp {
        server,
        path,
        trust,
        release,
    } = &cli.command
    {
        return verify_app(server, path, trust, release.as_deref());
    }
    if let Command::Trust { file } = &cli.command {
        let client::TrustUpdate {
            trust: t,
            replaced_unsigned,
        } = client::update_trust(&dir, file)?;
        if replaced_unsigned {
            println!(
                "This diary pinned the authority's trust file from before trust files were \
                 signed, which was trusted for its root key only; it is replaced by this file, \
                 which that root key signed."
            );
        }
        let until = t.sealing_until();
        println!(
            "This diary now pins the trust file of \"{}\" from {}: contact details can be \
             shared for visits until {}.\nRoot key: {}\nSerial: {}",
            t.authority,
            file.display(),
            time::show(until, &tz),
            t.root_fingerprint(),
            t.serial
        );
        println!("{}", officers_and_release(&t));
        return Ok(());
    }
    let passphrase = if client::needs_passphrase(&dir)? {
        Some(read_passphrase(cli.passphrase_file.as_ref(), false)?)
    } else if cli.passphrase_file.is_some() {
        return Err(Error::Invalid(
            "this diary is protected by a device key, not a passphrase: leave out \
             --passphrase-file"
                .into(),
        ));
    } else {
        None
    };
    let passphrase = passphrase.as_ref().map(|p| p.as_bytes());
    let reads_only = matches!(
        cli.command,
        Command::Diary { .. }
            | Command::Alerts { .. }
            | Command::Uploads { action: None }
            | Command::Contact(ContactCmd::Show)
    );
    let mut s = if reads_only {
        let (s, why) = Session::open_for_reading(&dir, passphrase)?;
        if let Some(e) = why {
            eprintln!("Note: the diary is open read-only ({e}); nothing will be saved.");
        }
        s
    } else {
        Session::open(&dir, passphrase, Access::Write)?
    };
    let now = time::now();
    let out = Out {
        json: matches!(
            cli.command,
            Command::Diary { json: true } | Command::Alerts { json: true }
        ),
    };
    // A check-in or check-out the user makes now, even back-dated with --at, takes precedence
    // over the automatic check-out; every other command applies it first.
    let acts_first = matches!(cli.command, Command::Scan { .. } | Command::Out { .. });
    let says_pending = !matches!(cli.command, Command::Sync { .. } | Command::Uploads { .. });
    if !acts_first {
        housekeeping(&mut s, now, &tz, out);
    }
    match cli.command {
        Command::Init { .. } | Command::Trust { .. } | Command::VerifyApp { .. } => {}
        Command::Scan {
            poster,
            at,
            share_contact,
        } => scan(&mut s, &poster, at.as_deref(), share_contact, now, &tz)?,
        Command::Out { at } => check_out(&mut s, at.as_deref(), now, &tz)?,
        Command::Diary { json } => diary(&s, json, &tz)?,
        Command::Edit { id, arrive, leave } => edit(&mut s, &id, &arrive, &leave, now, &tz)?,
        Command::Forget { id } => forget(&mut s, &id)?,
        Command::Sync { server } => sync(&mut s, server.as_deref(), now, &tz)?,
        Command::Alerts { json } => alerts(&s, json, &tz)?,
        Command::Contact(c) => contact(&mut s, c)?,
        Command::Uploads { action } => uploads(&mut s, action, now, &tz)?,
        Command::ShareCase { out: file, yes } => share_case(&s, &file, yes, now, &tz)?,
    }
    if acts_first {
        housekeeping(&mut s, now, &tz, out);
    }
    for a in s.take_new_alerts() {
        print_alert(&a, &s.trust().authority, &tz);
    }
    // The commands that change the diary saved it before saying so; this saves what
    // housekeeping and matching changed besides.
    if s.writable()
        && let Err(e) = s.save()
    {
        if !reads_only {
            return Err(e);
        }
        eprintln!("Note: the diary could not be saved ({e}); nothing was lost.");
    }
    let pending = s.state().uploads.len();
    if pending > 0 && says_pending {
        out.note(&format!(
            "{pending} contact upload(s) are waiting; they leave in random upload slots, run \
             by 'checkin uploads send' ('checkin uploads' lists them)."
        ));
    }
    Ok(())
}

fn init(
    dir: &Path,
    trust: &Path,
    server: &str,
    with_passphrase: bool,
    passphrase_file: Option<&PathBuf>,
) -> Result<(), Error> {
    if passphrase_file.is_some() && !with_passphrase {
        return Err(Error::Invalid(
            "--passphrase-file was given without --passphrase: add --passphrase to protect the \
             diary with that passphrase, or leave out --passphrase-file to use a device key; \
             nothing was created"
                .into(),
        ));
    }
    let p = if with_passphrase {
        Some(read_passphrase(passphrase_file, true)?)
    } else {
        None
    };
    let t = client::init(dir, server, trust, p.as_ref().map(|p| p.as_bytes()))?;
    println!("Your diary is ready in {}.", dir.display());
    println!(
        "It trusts notices from \"{}\" and syncs with {server}.\nRoot key: {}\nSerial: {}",
        t.authority,
        t.root_fingerprint(),
        t.serial
    );
    println!("{}", officers_and_release(&t));
    if !with_passphrase {
        // The key file lies beside the diary: say where, what that means and what is better.
        // The system keyring is not used: on Linux it needs a Secret Service over D-Bus (a
        // system library, or an async runtime), and the kernel's keyring forgets at reboot.
        println!(
            "It is protected by a device key kept in a file beside it, {} (readable by your \
             user only). Anyone who gets a copy of this directory, from a backup, a synced \
             folder or a disk without encryption, can open the diary with it. A passphrase is \
             kept nowhere: to use one, erase this directory and run 'checkin init --passphrase'.",
            dir.join("device.key").display()
        );
    }
    Ok(())
}

fn housekeeping(s: &mut Session, now: u64, tz: &TimeZone, out: Out) {
    let h = s.housekeeping(now);
    for (venue, at) in &h.auto_out {
        out.note(&format!(
            "Checked you out of {venue} automatically at {}.",
            time::show(*at, tz)
        ));
    }
    for p in &h.problems {
        eprintln!("Note: {p}");
    }
}

fn scan(
    s: &mut Session,
    poster: &str,
    at: Option<&str>,
    share_contact: bool,
    now: u64,
    tz: &TimeZone,
) -> Result<(), Error> {
    let at = when(at, tz)?;
    let poster =
        common::qr::read_poster(poster).map_err(|e| Error::Poster(PosterRefusal::Unreadable(e)))?;
    let outcome = s.scan(&poster, at, share_contact, now)?;
    // "Checked in" only once the diary holding it is on disk.
    s.save()?;
    match outcome {
        ScanOutcome::CheckedIn {
            left,
            id,
            stay_minutes,
            share,
        } => {
            if let Some(l) = left {
                println!("Checked you out of {l} first.");
            }
            let info = poster.info();
            println!(
                "Checked in at {} ({}) at {}. [{}]",
                info.name,
                info.address,
                time::show(at, tz),
                client::short_id(&id)
            );
            println!(
                "Expected stay {stay_minutes} minutes: you will be checked out automatically at {}.",
                time::show(at + stay_minutes * 60, tz)
            );
            println!(
                "{}",
                if share {
                    "Your contact details will be shared, sealed, when you leave."
                } else {
                    "Nothing was sent anywhere."
                }
            );
        }
        ScanOutcome::AlreadyHere {
            venue,
            since,
            ends,
            ended: false,
            ..
        } => println!(
            "You are already checked in at {venue} (since {}); your visit stays open until you \
             leave ('checkin out'), or until its automatic check-out at {}.",
            time::show(since, tz),
            time::show(ends, tz),
        ),
        ScanOutcome::AlreadyHere {
            venue,
            id,
            since,
            ends,
            ..
        } => println!(
            "You were checked in at {venue} from {} until its automatic check-out at {}; \
             nothing was changed. {}",
            time::show(since, tz),
            time::show(ends, tz),
            edit_hint(&id, since, ends, tz)
        ),
    }
    Ok(())
}

fn check_out(s: &mut Session, at: Option<&str>, now: u64, tz: &TimeZone) -> Result<(), Error> {
    let explicit = at.is_some();
    let at = when(at, tz)?;
    let outcome = s.check_out(at, explicit, now)?;
    // "Checked out" only once the diary holding it is on disk.
    s.save()?;
    match outcome {
        CheckOut::Done { venue, at: stored } => {
            println!("Checked out of {venue} at {}.", time::show(stored, tz));
            if stored != at {
                println!(
                    "(A visit lasts at most 12 hours: that is when your diary says you left. \
                     'checkin edit' corrects it.)"
                );
            }
            // Its contact records, if shared, leave later in random upload slots
            // ('checkin uploads send'), never right at check-out (spec section 14.5).
        }
        CheckOut::AlreadyEnded {
            venue,
            id,
            arrival,
            departure,
        } => println!(
            "Your visit to {venue} already ended at its automatic check-out, {}; nothing was \
             changed. {}",
            time::show(departure, tz),
            edit_hint(&id, arrival, departure, tz)
        ),
        CheckOut::NotCheckedIn => println!("You are not checked in anywhere."),
    }
    Ok(())
}

/// How to change an ended visit's times, with the command to run.
fn edit_hint(id: &str, arrival: u64, departure: u64, tz: &TimeZone) -> String {
    format!(
        "If you left at another time, change it with: checkin edit {} --arrive \"{}\" --leave \
         \"{}\"",
        client::short_id(id),
        time::show(arrival, tz),
        time::show(departure, tz)
    )
}

fn diary(s: &Session, json: bool, tz: &TimeZone) -> Result<(), Error> {
    let visits = s.state().visits_by_arrival();
    if json {
        let rows: Vec<serde_json::Value> = visits
            .iter()
            .map(|(id, r)| {
                let p = protocol::Poster::from_payload(&r.poster).ok();
                serde_json::json!({
                    "id": client::short_id(id),
                    "venue": p.as_ref().map(|p| p.info().name.clone()),
                    "address": p.as_ref().map(|p| p.info().address.clone()),
                    "arrival": r.arrival,
                    "departure": r.departure,
                    "shared": r.records_sent > 0,
                    "contact": s.contact_status(id),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else if visits.is_empty() {
        println!("Your diary is empty.");
    } else {
        for (id, r) in visits {
            let until = r
                .departure
                .map(|d| time::show(d, tz))
                .unwrap_or_else(|| "now (checked in)".into());
            println!(
                "{}  {}  {} – {}{}",
                client::short_id(id),
                client::venue_name(&r.poster),
                time::show(r.arrival, tz),
                until,
                s.contact_status(id)
                    .map(|c| format!("  ({c})"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}

fn edit(
    s: &mut Session,
    id: &str,
    arrive: &str,
    leave: &str,
    now: u64,
    tz: &TimeZone,
) -> Result<(), Error> {
    let (a, l) = (when(Some(arrive), tz)?, when(Some(leave), tz)?);
    let outcome = s.edit(id, a, l, now)?;
    s.save()?;
    println!(
        "Changed visit {id} to {} – {}.",
        time::show(a, tz),
        time::show(l, tz)
    );
    if outcome.already_sent {
        println!(
            "Contact records with the old times were already sent and cannot be recalled; {} \
             record(s) with the new times are queued.",
            outcome.queued
        );
    } else if outcome.queued > 0 {
        println!(
            "Its {} queued contact upload(s) now carry the new times.",
            outcome.queued
        );
    }
    Ok(())
}

fn forget(s: &mut Session, id: &str) -> Result<(), Error> {
    let (venue, uploads, alerts) = s.forget(id)?;
    s.save()?;
    println!("Deleted your visit to {venue}.");
    if uploads > 0 {
        println!(
            "Its {uploads} queued contact upload(s) were deleted too: they will never be sent."
        );
    }
    if alerts > 0 {
        println!("Its {alerts} alert(s) were deleted too.");
    }
    Ok(())
}

fn sync(s: &mut Session, server: Option<&str>, now: u64, tz: &TimeZone) -> Result<(), Error> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("syncing notices");
    let progress = |n: usize| {
        if n >= 100 {
            bar.set_message(format!("{n} notice bundles checked"));
            bar.tick();
        }
    };
    let result = s.sync(server, now, &progress);
    bar.finish_and_clear();
    let report = result?;
    if !report.skipped.is_empty() {
        println!(
            "{} notice bundle(s) failed verification and were skipped (the others were \
             checked):",
            report.skipped.len()
        );
        for why in &report.skipped {
            println!("  {why}");
        }
    }
    if let Some(why) = &report.stopped {
        println!("Sync stopped early: {why}.");
    }
    if let Some((keys, marked)) = report.new_revocations {
        println!(
            "{} has revoked {keys} tracer key(s) in all; notices signed with them are refused.",
            s.trust().authority
        );
        if marked > 0 {
            println!(
                "  {marked} of your alerts came from a tracer whose key is now revoked: they may \
                 be false. See 'checkin alerts'."
            );
        }
    }
    if report.revoked_bundles > 0 {
        println!(
            "Refused {} notice bundle(s) signed by tracers whose keys the authority revoked.",
            report.revoked_bundles
        );
    }
    if let Some(why) = &report.revocation_refused {
        println!(
            "The server offered a revocation list that this diary refused, and kept the one it \
             had: {why}."
        );
    }
    if report.unapproved > 0 {
        println!(
            "Ignored {} notice entr{} for places you visited: neither the venue nor the \
             authority's emergency key approved {}, so {} cannot alert you (a tracer acting \
             alone). Your health authority may want to know.",
            report.unapproved,
            if report.unapproved == 1 { "y" } else { "ies" },
            if report.unapproved == 1 { "it" } else { "them" },
            if report.unapproved == 1 { "it" } else { "they" },
        );
    }
    let found = s.take_new_alerts();
    if found.is_empty() {
        println!("Sync complete: no new alerts.");
    } else {
        println!("Sync complete: {} new alert(s).", found.len());
        for a in &found {
            print_alert(a, &s.trust().authority, tz);
        }
    }
    Ok(())
}

fn alerts(s: &Session, json: bool, tz: &TimeZone) -> Result<(), Error> {
    let alerts = s.alerts();
    if json {
        println!(
            "{}",
            serde_json::to_string(&alerts)
                .map_err(|e| Error::store_because("cannot encode the alerts", e))?
        );
    } else if alerts.is_empty() {
        println!("No alerts.");
    } else {
        for a in alerts {
            print_alert(&a, &s.trust().authority, tz);
        }
    }
    Ok(())
}

fn contact(s: &mut Session, c: ContactCmd) -> Result<(), Error> {
    match c {
        ContactCmd::Set {
            name,
            phone,
            email,
            party,
        } => {
            s.set_contact(ContactIn {
                name,
                phone,
                email,
                party_size: party,
            })?;
            s.save()?;
            println!(
                "Saved your contact details, sealed in your diary. They are shared only for visits you choose."
            );
        }
        ContactCmd::Show => {
            match &s.state().contact {
                Some(c) => {
                    println!("Name:    {}", c.name);
                    if !c.phone.is_empty() {
                        println!("Phone:   {}", c.phone);
                    }
                    if !c.email.is_empty() {
                        println!("E-mail:  {}", c.email);
                    }
                    println!("Party:   {}", c.party_size);
                }
                None => println!("No contact details are stored."),
            }
            println!("Sharing: {}.", s.state().consent.as_str());
        }
        ContactCmd::Delete => {
            let had = s.state().contact.is_some();
            let cancelled = s.delete_contact()?;
            s.save()?;
            println!(
                "{}",
                if had {
                    "Deleted your contact details from your diary."
                } else {
                    "No contact details were stored."
                }
            );
            if cancelled > 0 {
                println!(
                    "{cancelled} queued contact upload(s) were cancelled: they will never be sent."
                );
            }
        }
        ContactCmd::Consent { mode } => {
            s.set_consent(mode.into());
            s.save()?;
            println!("Contact sharing: {}.", s.state().consent.as_str());
        }
    }
    Ok(())
}

fn uploads(
    s: &mut Session,
    action: Option<UploadsCmd>,
    now: u64,
    tz: &TimeZone,
) -> Result<(), Error> {
    match action {
        Some(UploadsCmd::Send { all, server }) => {
            let base = client::net::server_url(server.as_deref().unwrap_or(&s.config().server))?;
            let conn = client::net::Server::new(&base);
            if all {
                let (sent, left) = s.send_uploads(&conn, now)?;
                s.save()?;
                println!("Sent {sent} sealed contact upload(s).");
                if left > 0 {
                    println!("{left} could not be sent and stay queued.");
                }
                return Ok(());
            }
            let r = s.run_upload_slots(&conn, now)?;
            s.save()?;
            if r.contact + r.cover == 0 && !r.failed {
                println!("No upload slot is due.");
            } else {
                println!(
                    "Sent {} upload(s): {} contact record(s) and {} cover record(s).",
                    r.contact + r.cover,
                    r.contact,
                    r.cover
                );
            }
            if r.failed {
                println!("The server could not be reached; the slot runs again next time.");
            }
            if r.waiting > 0 {
                println!("{} contact record(s) wait for later slots.", r.waiting);
            }
            println!("Next upload slot: {}.", time::show(r.next_slot, tz));
        }
        None => {
            let queued = s.queued();
            if queued.is_empty() {
                println!("No contact uploads are waiting.");
            }
            for q in queued {
                let first = q.hours.iter().min().copied().unwrap_or(0);
                println!(
                    "{}  {}  {} record(s), from {}",
                    client::uploads::shown(&q.visit),
                    q.venue
                        .as_deref()
                        .unwrap_or("(visit no longer in the diary)"),
                    q.hours.len(),
                    time::show(first * 3600, tz)
                );
            }
        }
        Some(UploadsCmd::Cancel { id, all }) => {
            if id.is_none() && !all {
                return Err(Error::Invalid(
                    "say which visit's uploads to cancel (its id from 'checkin uploads'), or --all"
                        .into(),
                ));
            }
            let n = s.cancel_uploads(id.as_deref())?;
            s.save()?;
            println!("Cancelled {n} queued contact upload(s): they will never be sent.");
        }
    }
    Ok(())
}

fn share_case(s: &Session, file: &Path, yes: bool, now: u64, tz: &TimeZone) -> Result<(), Error> {
    let visits = s.state().visits_by_arrival();
    println!(
        "This shares {} visit(s) — venue, address and times — with \"{}\", sealed so only they can read it:",
        visits.len(),
        s.trust().authority
    );
    for (_, r) in &visits {
        println!(
            "  {}  {}",
            client::venue_name(&r.poster),
            time::show(r.arrival, tz)
        );
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Invalid(
                "confirm with --yes, or run in a terminal".into(),
            ));
        }
        print!("Share them? [y/N] ");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing was shared.");
            return Ok(());
        }
    }
    let (n, bytes) = s.case_file(now)?;
    client::case::write_new_file(file, &bytes)?;
    println!(
        "Wrote {n} visit(s) to {}. Give this file to your contact tracer.",
        file.display()
    );
    Ok(())
}

/// An alert in words, with who issued it: the certified tracer and the authority this diary
/// pins (which certified the tracer).
fn print_alert(a: &AlertRec, authority: &str, tz: &TimeZone) {
    let until = a
        .departure
        .map(|d| time::show(d, tz))
        .unwrap_or_else(|| "now (you are still checked in)".into());
    println!(
        "ALERT ({} risk): you were at {} ({}) {} – {}, overlapping a reported exposure {} – {} by {} minutes.\n  {}",
        client::state::severity_word::word(a.severity),
        a.venue,
        a.address,
        time::show(a.arrival, tz),
        until,
        time::show(a.start, tz),
        time::show(a.end, tz),
        a.overlap_minutes,
        a.message
    );
    let approved = match a.approved_by.as_str() {
        "venue" => ", approved by the venue".to_owned(),
        "authority" => {
            format!(", approved by {authority} in place of the venue, which could not be reached")
        }
        _ => String::new(),
    };
    if a.issuer_revoked {
        println!(
            "  WITHDRAWN: {authority} has since revoked the key of the tracer who issued this \
             alert, so it may be false. Ask {authority} if in doubt."
        );
    }
    if a.issuer.is_empty() {
        println!("  Issued under {authority}{approved}.");
    } else {
        // The key's fingerprint tells apart two tracers certified under one name.
        let key = (0..a.issuer_key.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(a.issuer_key.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| protocol::VerifyingKey::from_bytes(&b).ok());
        let fingerprint = key
            .map(|k| format!(" (tracer key {})", protocol::cert::tracer_fingerprint(&k)))
            .unwrap_or_default();
        println!(
            "  Issued by {}{fingerprint}, certified by {authority}{approved}.",
            a.issuer
        );
    }
}

//! `checkin`: the citizen's diary in a terminal. Parses arguments, unlocks the diary, calls
//! the library, and prints what happened in plain words.
#![forbid(unsafe_code)]

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use client::{ContactIn, Error, ScanOutcome, Session};
use tracer::time;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "checkin", version, about = "Your private venue check-in diary")]
struct Cli {
    /// The diary directory (default: $CHECKIN_HOME, else your data directory).
    #[arg(long, global = true)]
    diary: Option<PathBuf>,
    /// Read the passphrase from this file instead of the terminal.
    #[arg(long, global = true)]
    passphrase_file: Option<PathBuf>,
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
        /// The notify server, such as http://127.0.0.1:8000.
        #[arg(long)]
        server: String,
        /// Protect the diary with a passphrase instead of a device key file.
        #[arg(long)]
        passphrase: bool,
    },
    /// Check in by scanning a poster (URL, code, or a photo of the QR code).
    Scan {
        /// The poster URL, its code, or an image file.
        poster: String,
        /// When, if not now: RFC 3339 or "YYYY-MM-DD HH:MM" local time.
        #[arg(long)]
        at: Option<String>,
        /// Share your contact details for this visit.
        #[arg(long)]
        share_contact: bool,
    },
    /// Check out of where you are.
    Out {
        /// When, if not now.
        #[arg(long)]
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
    /// Delete a visit.
    Forget {
        /// The visit's id from `checkin diary`.
        id: String,
    },
    /// Download new notices and check them against your diary, on this device.
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
        /// Your phone number.
        #[arg(long)]
        phone: String,
        /// Your e-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// People in your party.
        #[arg(long, default_value_t = 1)]
        party: u8,
    },
    /// When to share: always, ask (only with --share-contact), or never.
    Consent {
        /// The standing choice.
        #[arg(value_enum)]
        mode: Consent,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Consent {
    Always,
    Ask,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("checkin: {e}");
            ExitCode::FAILURE
        }
    }
}

fn passphrase(file: Option<&PathBuf>, confirm: bool) -> Result<Zeroizing<String>, Error> {
    if let Some(f) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(f)
                .map_err(|e| Error::File(format!("cannot read {}: {e}", f.display())))?,
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
    let p = Zeroizing::new(
        rpassword::prompt_password("Diary passphrase: ").map_err(|e| Error::File(e.to_string()))?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Again: ").map_err(|e| Error::File(e.to_string()))?,
        );
        if *again != *p {
            return Err(Error::Invalid(
                "the passphrases differ; nothing was created".into(),
            ));
        }
    }
    Ok(p)
}

fn when(at: Option<&str>, tz: &jiff::tz::TimeZone) -> Result<u64, Error> {
    match at {
        None => Ok(time::now()),
        Some(t) => time::parse(t, tz).map_err(|e| Error::Invalid(e.to_string())),
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let dir = client::diary_dir(cli.diary);
    let tz = time::zone(None).map_err(|e| Error::Invalid(e.to_string()))?;
    if let Command::Init {
        trust,
        server,
        passphrase: with,
    } = &cli.command
    {
        let p = if *with {
            Some(passphrase(cli.passphrase_file.as_ref(), true)?)
        } else {
            None
        };
        let t = client::init(&dir, server, trust, p.as_ref().map(|p| p.as_bytes()))?;
        println!("Your diary is ready in {}.", dir.display());
        println!(
            "It trusts notices from \"{}\" and syncs with {server}.",
            t.authority
        );
        if !with {
            println!(
                "It is protected by a device key ({}); keep it private.",
                dir.join("device.key").display()
            );
        }
        return Ok(());
    }
    let p = if client::needs_passphrase(&dir)? {
        Some(passphrase(cli.passphrase_file.as_ref(), false)?)
    } else {
        None
    };
    let s = client::open(&dir, p.as_ref().map(|p| p.as_bytes()))?;
    let now = time::now();
    let is_sync = matches!(cli.command, Command::Sync { .. });
    // A check-in or check-out the user makes now, even back-dated with --at, takes precedence
    // over the automatic check-out; every other command first applies it.
    let acts_first = matches!(cli.command, Command::Scan { .. } | Command::Out { .. });
    // Only an explicit check-out sends at once: after a (possibly back-dated) scan, a following
    // `out` may still correct an automatic check-out time before anything leaves the device.
    let upload_now = matches!(cli.command, Command::Out { .. });
    // With --json, stdout carries only the JSON: notes go to stderr.
    let json_out = matches!(
        cli.command,
        Command::Diary { json: true } | Command::Alerts { json: true }
    );
    let mut hk = client::Housekeeping::default();
    if !acts_first {
        hk = s.housekeeping(now, is_sync)?;
        report_auto_out(&hk, &tz, json_out);
    }
    match cli.command {
        Command::Init { .. } => {}
        Command::Scan {
            poster,
            at,
            share_contact,
        } => {
            let at = when(at.as_deref(), &tz)?;
            let poster = tracer::read_poster(&poster).map_err(|e| Error::Poster(e.to_string()))?;
            match s.scan(&poster, at, share_contact)? {
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
                        "Checked in at {} ({}) at {}. [{id}]",
                        info.name,
                        info.address,
                        time::show(at, &tz)
                    );
                    println!(
                        "Expected stay {stay_minutes} minutes: you will be checked out automatically at {}.",
                        time::show(at + stay_minutes * 60, &tz)
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
                ScanOutcome::CheckedOut(name) => {
                    println!("Checked out of {name} at {}.", time::show(at, &tz))
                }
            }
        }
        Command::Out { at } => {
            let at = when(at.as_deref(), &tz)?;
            match s.check_out(at)? {
                Some(name) => println!("Checked out of {name} at {}.", time::show(at, &tz)),
                None => println!("You are not checked in anywhere."),
            }
        }
        Command::Diary { json } => {
            let visits = s.visits()?;
            if json {
                let rows: Vec<serde_json::Value> = visits.iter().map(|(k, r)| {
                    let p = protocol::Poster::from_payload(&r.poster).ok();
                    serde_json::json!({"id": client::short_id(k), "venue": p.as_ref().map(|p| p.info().name.clone()), "address": p.as_ref().map(|p| p.info().address.clone()),
                        "arrival": r.arrival, "departure": r.departure, "shared": r.share})
                }).collect();
                println!("{}", serde_json::Value::Array(rows));
            } else if visits.is_empty() {
                println!("Your diary is empty.");
            } else {
                for (k, r) in visits {
                    let name = protocol::Poster::from_payload(&r.poster)
                        .map(|p| p.info().name.clone())
                        .unwrap_or_default();
                    let until = r
                        .departure
                        .map(|d| time::show(d, &tz))
                        .unwrap_or_else(|| "now (checked in)".into());
                    println!(
                        "{}  {}  {} – {}{}",
                        client::short_id(&k),
                        name,
                        time::show(r.arrival, &tz),
                        until,
                        if r.share { "  (contact shared)" } else { "" }
                    );
                }
            }
        }
        Command::Edit { id, arrive, leave } => {
            let (a, l) = (when(Some(&arrive), &tz)?, when(Some(&leave), &tz)?);
            s.edit(&id, a, l)?;
            println!(
                "Changed visit {id} to {} – {}.",
                time::show(a, &tz),
                time::show(l, &tz)
            );
        }
        Command::Forget { id } => println!("Deleted your visit to {}.", s.forget(&id)?),
        Command::Sync { server } => sync(&s, server.as_deref(), now, &tz, hk.uploaded)?,
        Command::Alerts { json } => {
            let alerts = s.alerts()?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&alerts).map_err(|e| Error::Store(e.to_string()))?
                );
            } else if alerts.is_empty() {
                println!("No alerts.");
            } else {
                for a in alerts {
                    print_alert(&a, &tz);
                }
            }
        }
        Command::Contact(ContactCmd::Set {
            name,
            phone,
            email,
            party,
        }) => {
            s.set_contact(ContactIn {
                name,
                phone,
                email,
                party_size: party,
            })?;
            println!(
                "Saved your contact details, sealed in your diary. They are shared only for visits you choose."
            );
        }
        Command::Contact(ContactCmd::Consent { mode }) => {
            let m = match mode {
                Consent::Always => "always",
                Consent::Ask => "ask",
                Consent::Never => "never",
            };
            s.set_consent(m)?;
            println!("Contact sharing: {m}.");
        }
        Command::ShareCase { out, yes } => {
            let visits = s.visits()?;
            println!(
                "This shares {} visit(s) — venue, address and times — with \"{}\", sealed so only they can read it:",
                visits.len(),
                s.trust.authority
            );
            for (_, r) in &visits {
                let name = protocol::Poster::from_payload(&r.poster)
                    .map(|p| p.info().name.clone())
                    .unwrap_or_default();
                println!("  {name}  {}", time::show(r.arrival, &tz));
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
            let (n, file) = s.case_file(now)?;
            client::write_new_file(&out, &file)?;
            println!(
                "Wrote {n} visit(s) to {}. Give this file to your contact tracer.",
                out.display()
            );
        }
    }
    if acts_first {
        // A visit that just ended with consent is uploaded now; if that fails it stays queued.
        hk = s.housekeeping(now, upload_now)?;
        report_auto_out(&hk, &tz, false);
        if hk.uploaded > 0 {
            println!("Sent {} sealed contact upload(s).", hk.uploaded);
        }
    }
    if hk.pending > 0 && !is_sync {
        note(
            json_out,
            &format!(
                "{} contact upload(s) are waiting; they are sent on the next sync.",
                hk.pending
            ),
        );
    }
    Ok(())
}

/// A note for the user: on stdout, or on stderr when stdout carries JSON.
fn note(to_stderr: bool, text: &str) {
    if to_stderr {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}

fn report_auto_out(hk: &client::Housekeeping, tz: &jiff::tz::TimeZone, to_stderr: bool) {
    for (venue, at) in &hk.auto_out {
        note(
            to_stderr,
            &format!(
                "Checked you out of {venue} automatically at {}.",
                time::show(*at, tz)
            ),
        );
    }
}

fn print_alert(a: &client::AlertRec, tz: &jiff::tz::TimeZone) {
    println!(
        "ALERT ({} risk): you were at {} ({}) {} – {}, overlapping a reported exposure {} – {} by {} minutes.\n  {}",
        a.severity,
        a.venue,
        a.address,
        time::show(a.arrival, tz),
        time::show(a.departure, tz),
        time::show(a.start, tz),
        time::show(a.end, tz),
        a.overlap_minutes,
        a.message
    );
}

fn sync(
    s: &Session,
    server: Option<&str>,
    now: u64,
    tz: &jiff::tz::TimeZone,
    uploaded: usize,
) -> Result<(), Error> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("syncing notices");
    let progress = |n: u64, cursor: u64| {
        if n >= 100 {
            bar.set_message(format!("{n} notice bundles checked (up to {cursor})"));
            bar.tick();
        }
    };
    let result = s.sync(server, now, &progress);
    bar.finish_and_clear();
    let alerts = result?;
    if uploaded > 0 {
        println!("Sent {uploaded} sealed contact upload(s).");
    }
    if alerts.is_empty() {
        println!("Sync complete: no new alerts.");
    } else {
        println!("Sync complete: {} new alert(s).", alerts.len());
        for a in &alerts {
            print_alert(a, tz);
        }
    }
    Ok(())
}

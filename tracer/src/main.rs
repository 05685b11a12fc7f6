//! `tracer`: the health authority's tool. Parses arguments, calls the library, shows each step.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use protocol::Severity;
use tracer::{Error, keys, time};

#[derive(Parser)]
#[command(
    name = "tracer",
    version,
    about = "Health authority tool: set up, notify venues, open consented contact records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set up the authority and certify tracers.
    #[command(subcommand)]
    Authority(AuthorityCmd),
    /// Make a tracer key pair (tracer.key, tracer.pub).
    Keygen {
        /// Directory for the key pair.
        #[arg(long)]
        out: PathBuf,
    },
    /// Review a case diary a citizen shared.
    #[command(subcommand)]
    Case(CaseCmd),
    /// Notify venues: ask each venue to approve, then publish what they approved.
    #[command(subcommand)]
    Notify(NotifyCmd),
    /// Fetch and open consented contact records.
    #[command(subcommand)]
    Vault(VaultCmd),
}

#[derive(Subcommand)]
enum AuthorityCmd {
    /// Make one emergency officer's key (officer.key, mode 0600, and officer.pub). Each
    /// officer runs this on their own machine and gives only officer.pub to the root's
    /// custodian.
    OfficerInit {
        /// The officer's own directory for the key pair.
        #[arg(long)]
        out: PathBuf,
    },
    /// Create the root, case and monthly sealing keys (mode 0600) and the public trust file
    /// that lists the emergency officers' public keys. The officers' secret keys never come
    /// here: each made theirs with `tracer authority officer-init`.
    Init {
        /// Directory for the authority's files (keep it offline).
        #[arg(long)]
        out: PathBuf,
        /// The authority's name, as phones show it.
        #[arg(long, default_value = "Health Authority")]
        name: String,
        /// Months of sealing keys to create, starting with the current month (1 to 60).
        #[arg(long, default_value_t = tracer::authority::DEFAULT_MONTHS)]
        months: u32,
        /// An emergency officer's officer.pub (repeat for each officer: 2 to 5).
        #[arg(long = "officer", value_name = "OFFICER_PUB", required = true)]
        officers: Vec<PathBuf>,
        /// How many officers must approve together (2 to the number of officers).
        #[arg(long, default_value_t = 2)]
        threshold: usize,
    },
    /// Rotate the sealing keys: destroy each month's key once its records' retention has
    /// passed, and add months so the trust file covers the months ahead. Run it monthly.
    Rotate {
        /// The authority directory holding sealing/, trust.txt and root.key (which signs the
        /// new trust file).
        #[arg(long)]
        authority: PathBuf,
        /// Months ahead the trust file must cover (1 to 60).
        #[arg(long, default_value_t = tracer::authority::DEFAULT_MONTHS)]
        ahead: u32,
    },
    /// Sign a release of the web app: the release key (release.key) signs the release's
    /// SHA256SUMS, and the signature is written beside it as SHA256SUMS.sig. Phones and
    /// `checkin verify-app` compare what a server serves with a signed release.
    ReleaseSign {
        /// The directory holding release.key and trust.txt (where releases are built).
        #[arg(long)]
        authority: PathBuf,
        /// The built release (web/dist, or `node build.mjs DIR`'s DIR), holding SHA256SUMS.
        #[arg(long)]
        dist: PathBuf,
        /// Replace an existing SHA256SUMS.sig.
        #[arg(long)]
        force: bool,
    },
    /// Give an authority made before trust files named a release key its release key
    /// (release.key, mode 0600): the root signs a new trust file with a `release` line.
    ReleaseKey {
        /// The authority directory holding root.key and trust.txt.
        #[arg(long)]
        authority: PathBuf,
    },
    /// Sign, as one emergency officer, a notice for a venue that cannot be reached. One
    /// officer's approval does not alert anyone: `tracer authority combine` joins it with
    /// the other officers' until the trust file's threshold is met.
    Approve {
        /// The officer's own directory holding officer.key.
        #[arg(long)]
        officer: PathBuf,
        /// The authority's trust file (trust.txt), which lists the officers.
        #[arg(long)]
        trust: PathBuf,
        /// The authority's newest revocation list (revocations.bin), to refuse a revoked
        /// tracer.
        #[arg(long)]
        revocations: Option<PathBuf>,
        /// The approval request file (from `tracer notify request`).
        #[arg(long = "in", value_name = "REQUEST")]
        input: PathBuf,
        /// Where to write the approval.
        #[arg(long, value_name = "APPROVAL")]
        out: PathBuf,
        /// Approve without asking (for scripts).
        #[arg(long)]
        yes: bool,
        /// Replace the approval file if it exists.
        #[arg(long)]
        force: bool,
        /// Time zone for showing times.
        #[arg(long)]
        tz: Option<String>,
    },
    /// Join emergency officers' approvals of one request into the approval a tracer
    /// publishes; refuses, in words, while fewer officers than the threshold have signed.
    Combine {
        /// The trust file (trust.txt), which lists the officers and the threshold.
        #[arg(long)]
        trust: PathBuf,
        /// An officer's approval file (repeat for each).
        #[arg(long = "in", value_name = "APPROVAL", required = true)]
        inputs: Vec<PathBuf>,
        /// Where to write the joined approval.
        #[arg(long, value_name = "APPROVAL")]
        out: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Revoke tracer keys: sign a new revocation list (revocations.bin in the authority
    /// directory) and post it, so that servers and phones refuse their notices and queries.
    Revoke {
        /// The authority directory.
        #[arg(long)]
        authority: PathBuf,
        /// The tracer.pub of a tracer whose key to revoke (repeat for several; leave out to
        /// post the current list again).
        #[arg(long = "tracer-pub")]
        tracer_pub: Vec<PathBuf>,
        /// The notify server to post the list to, such as https://notify.example.
        #[arg(long)]
        server: Option<String>,
    },
    /// Sign a certificate for a tracer's public key.
    Certify {
        /// The authority directory.
        #[arg(long)]
        authority: PathBuf,
        /// The tracer's tracer.pub.
        #[arg(long)]
        tracer_pub: PathBuf,
        /// The tracer's name, as it appears in every notice.
        #[arg(long)]
        name: String,
        /// Days the certificate is valid, 1 to 90: short, so that a lost or stolen tracer key
        /// stops working soon; certify again to renew.
        #[arg(long, default_value_t = tracer::DEFAULT_CERT_DAYS)]
        days: u64,
        /// What the tracer may do: publish (sign notices) or query (fetch consented contact
        /// records). Repeat for both; give each only to those who need it.
        #[arg(long = "role", value_enum, required = true)]
        roles: Vec<Role>,
        /// Where to write it (default: tracer.cert next to tracer.pub).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing certificate.
        #[arg(long)]
        force: bool,
        /// Certify this key although another live key is certified under the same name (the
        /// tracer replaces that key; revoke the old one).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
enum CaseCmd {
    /// Fetch a case file a citizen handed over as a code (the server deletes it once fetched).
    Fetch {
        /// The code the citizen's phone shows, such as ABCD-EFGH-JKLM-NPQR. It never goes to
        /// the server: the file is fetched by a digest of it, and refused unless the code
        /// proves it is the file the phone sent.
        code: String,
        /// The notify server, such as https://notify.example.
        #[arg(long)]
        server: String,
        /// Where to save the case file (mode 0600).
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Open a case file and list its check-ins.
    Open {
        /// The case file.
        file: PathBuf,
        /// The authority directory (its sealing key opens the file).
        #[arg(long)]
        authority: PathBuf,
        /// Time zone for showing times (default: $TZ or the system's).
        #[arg(long)]
        tz: Option<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Role {
    Publish,
    Query,
}

#[derive(Clone, Copy, ValueEnum)]
enum Level {
    Low,
    High,
}

#[derive(Subcommand)]
enum NotifyCmd {
    /// Check a notice and write one approval request per venue, for the venue owners (or
    /// the authority) to approve: phones alert only for approved notices.
    Request(NotifyArgs),
    /// Sign the approved notices into one bundle and post it.
    Publish {
        /// The tracer key: its directory (holding tracer.key and tracer.cert) or its tracer.key.
        #[arg(long)]
        key: PathBuf,
        /// The notify server, such as http://127.0.0.1:8000.
        #[arg(long)]
        server: String,
        /// The authority's trust file, to check the approvals.
        #[arg(long)]
        trust: PathBuf,
        /// An approval file from `venue-keygen approve` or `tracer authority approve`
        /// (repeat for several venues).
        #[arg(long, required = true)]
        approval: Vec<PathBuf>,
        /// Show the summary and stop.
        #[arg(long)]
        dry_run: bool,
        /// Publish even though this key's record (published.txt beside it) says a notice was
        /// already published or its post was started: phones would see it twice.
        #[arg(long)]
        again: bool,
        /// Time zone for showing times.
        #[arg(long)]
        tz: Option<String>,
    },
}

#[derive(Args)]
struct NotifyArgs {
    /// The tracer key: its directory (holding tracer.key and tracer.cert) or its tracer.key.
    #[arg(long)]
    key: PathBuf,
    /// Directory for the request files, one per venue.
    #[arg(long, required_unless_present = "dry_run")]
    out: Option<PathBuf>,
    /// Replace request files that exist.
    #[arg(long)]
    force: bool,
    /// A case file whose venues to notify (with --authority to open it).
    #[arg(long, conflicts_with = "poster", requires = "authority")]
    case: Option<PathBuf>,
    /// The authority directory, to open --case.
    #[arg(long)]
    authority: Option<PathBuf>,
    /// Check-in numbers from `tracer case open`, such as 1,3 (default: all).
    #[arg(long, requires = "case")]
    pick: Option<String>,
    /// A venue's poster: URL, payload or image (repeat for several venues).
    #[arg(long, required_unless_present = "case")]
    poster: Vec<String>,
    /// Start of the exposure window: 'YYYY-MM-DD HH:MM' (local, or followed by a zone as
    /// printed, such as UTC), 'YYYY-MM-DD', or RFC 3339. With --case, leave it out: each
    /// venue's window is then its own check-in with the margins below.
    #[arg(
        long,
        value_name = "TIME",
        required_unless_present = "case",
        requires = "to"
    )]
    from: Option<String>,
    /// End of the exposure window, in the same form.
    #[arg(
        long,
        value_name = "TIME",
        required_unless_present = "case",
        requires = "from"
    )]
    to: Option<String>,
    /// With --case: minutes before each check-in that its window starts.
    #[arg(long, value_name = "MINUTES", default_value_t = 30)]
    before: u64,
    /// With --case: minutes after each check-out that its window ends.
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    after: u64,
    /// How serious it is.
    #[arg(long, value_enum)]
    severity: Level,
    /// What phones show, at most 160 bytes.
    #[arg(long)]
    message: String,
    /// Allow windows longer than 24 hours per venue.
    #[arg(long)]
    long: bool,
    /// Show the summary and stop.
    #[arg(long)]
    dry_run: bool,
    /// Time zone for reading and showing times.
    #[arg(long)]
    tz: Option<String>,
}

#[derive(Subcommand)]
enum VaultCmd {
    /// Query the vault for a venue's hours and write a request for the venue owner.
    Fetch {
        /// The tracer key: its directory (holding tracer.key and tracer.cert) or its tracer.key.
        #[arg(long)]
        key: PathBuf,
        /// The notify server.
        #[arg(long)]
        server: String,
        /// The venue's poster: URL, payload or image.
        #[arg(long)]
        poster: String,
        /// Start of the hours to fetch: 'YYYY-MM-DD HH:MM' (local, or followed by a zone as
        /// printed, such as UTC), 'YYYY-MM-DD', or RFC 3339.
        #[arg(long, value_name = "TIME")]
        from: String,
        /// End of the hours to fetch, in the same form.
        #[arg(long, value_name = "TIME")]
        to: String,
        /// The request file to give the venue owner.
        #[arg(long)]
        out: PathBuf,
        /// Time zone for reading times.
        #[arg(long)]
        tz: Option<String>,
    },
    /// Open the inner layer of the records the venue owner unwrapped.
    Open {
        /// The authority directory (its sealing key opens the records).
        #[arg(long)]
        authority: PathBuf,
        /// The request file `vault fetch` wrote (to check the response answers it).
        #[arg(long)]
        request: PathBuf,
        /// The venue owner's response file.
        #[arg(long = "in")]
        input: PathBuf,
        /// Where to write the contacts.
        #[arg(long)]
        csv: PathBuf,
        /// Replace the CSV file if it exists.
        #[arg(long)]
        force: bool,
        /// Time zone for showing times.
        #[arg(long)]
        tz: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tracer: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cmd: Command) -> Result<(), Error> {
    let now = time::now();
    match cmd {
        Command::Authority(AuthorityCmd::OfficerInit { out }) => officer_init(out),
        Command::Authority(AuthorityCmd::Init {
            out,
            name,
            months,
            officers,
            threshold,
        }) => authority_init(out, name, months, officers, threshold),
        Command::Authority(AuthorityCmd::Combine {
            trust,
            inputs,
            out,
            force,
        }) => authority_combine(trust, inputs, out, force, now),
        Command::Authority(AuthorityCmd::ReleaseSign {
            authority,
            dist,
            force,
        }) => release_sign(authority, dist, force),
        Command::Authority(AuthorityCmd::ReleaseKey { authority }) => release_key(authority),
        Command::Authority(AuthorityCmd::Rotate { authority, ahead }) => {
            authority_rotate(authority, ahead)
        }
        Command::Authority(AuthorityCmd::Certify {
            authority,
            tracer_pub,
            name,
            days,
            roles,
            out,
            force,
            replace,
        }) => {
            let roles = protocol::Roles {
                publish: roles.contains(&Role::Publish),
                query: roles.contains(&Role::Query),
            };
            authority_certify(
                authority, tracer_pub, name, days, roles, out, force, replace, now,
            )
        }
        Command::Authority(AuthorityCmd::Revoke {
            authority,
            tracer_pub,
            server,
        }) => authority_revoke(authority, tracer_pub, server, now),
        Command::Keygen { out } => keygen(out),
        Command::Case(CaseCmd::Fetch {
            code,
            server,
            out,
            force,
        }) => case_fetch(&code, &server, &out, force),
        Command::Case(CaseCmd::Open {
            file,
            authority,
            tz,
        }) => case_open(file, authority, tz),
        Command::Notify(NotifyCmd::Request(a)) => notify_request(a, now),
        Command::Notify(NotifyCmd::Publish {
            key,
            server,
            trust,
            approval,
            dry_run,
            again,
            tz,
        }) => notify_publish(
            key,
            server,
            trust,
            approval,
            Publishing { dry_run, again },
            tz,
            now,
        ),
        Command::Authority(AuthorityCmd::Approve {
            officer,
            trust,
            revocations,
            input,
            out,
            yes,
            force,
            tz,
        }) => authority_approve(
            Approver {
                officer,
                trust,
                revocations,
            },
            input,
            out,
            yes,
            force,
            tz,
            now,
        ),
        Command::Vault(VaultCmd::Fetch {
            key,
            server,
            poster,
            from,
            to,
            out,
            tz,
        }) => vault_fetch(key, server, poster, from, to, out, tz, now),
        Command::Vault(VaultCmd::Open {
            authority,
            request,
            input,
            csv,
            force,
            tz,
        }) => vault_open(authority, request, input, csv, force, tz),
    }
}

/// `tracer authority officer-init`.
fn officer_init(out: PathBuf) -> Result<(), Error> {
    use tracer::authority::{OFFICER_KEY, OFFICER_PUB};
    tracer::authority::officer_init(&out)?;
    println!("Created an emergency officer's key in {}", out.display());
    println!(
        "  secret (mode 0600): {}: it stays on this machine, with this officer alone, never \
         with the root key, another officer's key or a tracer key",
        out.join(OFFICER_KEY).display()
    );
    println!(
        "  public: {}: give it to the root key's custodian, who lists it in the trust file \
         ('tracer authority init --officer {OFFICER_PUB} ...')",
        out.join(OFFICER_PUB).display()
    );
    Ok(())
}

/// `tracer authority init`.
fn authority_init(
    out: PathBuf,
    name: String,
    months: u32,
    officer_pubs: Vec<PathBuf>,
    threshold: usize,
) -> Result<(), Error> {
    use tracer::authority::{CASE_KEY, RELEASE_KEY, ROOT_KEY, SEALING_DIR};
    let keys = officer_pubs
        .iter()
        .map(|p| tracer::authority::read_officer_pub(p))
        .collect::<Result<Vec<_>, _>>()?;
    let officers = protocol::EmergencyOfficers::new(keys, threshold)
        .map_err(|e| Error::invalid(format!("the emergency officers given: {e}")))?;
    let t = tracer::authority::init_at(&out, &name, common::time::now(), months, officers)?;
    println!(
        "Created the authority \"{}\" in {}",
        t.authority,
        out.display()
    );
    println!(
        "  secret (mode 0600): {}, {}, {}",
        out.join(ROOT_KEY).display(),
        out.join(CASE_KEY).display(),
        out.join(RELEASE_KEY).display(),
    );
    let (first, last) = (&t.sealing[0], &t.sealing[t.sealing.len() - 1]);
    println!(
        "  sealing keys (mode 0600), one a month from {} to {}: {}",
        protocol::trust::format_day(first.from / 86_400),
        protocol::trust::format_day(last.until / 86_400 - 1),
        out.join(SEALING_DIR).display()
    );
    println!(
        "  {ROOT_KEY} certifies tracers and signs the trust file: keep it offline, on a \
         machine that holds no tracer key and no officer key. {CASE_KEY} opens case diaries; \
         the sealing keys open contact records; {RELEASE_KEY} signs each release of the web app \
         ('tracer authority release-sign'), where releases are built. Keep them with different \
         custodians: no tracer workstation needs {ROOT_KEY}. Run 'tracer authority rotate' monthly: it \
         destroys each month's sealing key once its records can no longer be asked for, and \
         adds months ahead."
    );
    println!(
        "  emergency officers listed: {} (each keeps their own officer.key on their own \
         machine); {} of them must approve together a notice for a venue that cannot be \
         reached, so that no one person can make phones alert",
        t.emergency.keys().len(),
        t.emergency.threshold()
    );
    println!(
        "  public, for servers and phones to pin: {}",
        out.join(tracer::authority::TRUST_FILE).display()
    );
    Ok(())
}

/// `tracer authority rotate`.
fn authority_rotate(authority: PathBuf, ahead: u32) -> Result<(), Error> {
    let r = tracer::authority::rotate(&authority, common::time::now(), ahead)?;
    for d in &r.destroyed {
        println!(
            "Destroyed the sealing key of the month from {d}: its records' retention has passed"
        );
    }
    for d in &r.added {
        println!("Added a sealing key for the month from {d}");
    }
    if r.trust_changed {
        let trust = tracer::authority::read_trust(&authority.join(tracer::authority::TRUST_FILE))?;
        println!(
            "{} changed (signed by the root, serial {}): give it to the server (trust_file) and \
             to the phones ('checkin trust FILE'; the web app takes it from the server), or \
             phones cannot seal contact records for the new months",
            authority.join(tracer::authority::TRUST_FILE).display(),
            trust.serial
        );
    } else {
        println!(
            "Nothing to rotate: every sealing key is still needed, and the months ahead are covered"
        );
    }
    Ok(())
}

/// `tracer authority release-sign`.
fn release_sign(authority: PathBuf, dist: PathBuf, force: bool) -> Result<(), Error> {
    let release = tracer::release_sign(&authority, &dist, force)?;
    let (_, trust) = tracer::authority::load_release(&authority)?;
    println!(
        "Signed the release in {} ({} files) with {}'s release key: wrote {}. Serve the \
         directory as it is; anyone can compare a server with it ('checkin verify-app').",
        dist.display(),
        release.files().len(),
        trust.authority,
        dist.join(protocol::release::SIGNATURE_FILE).display()
    );
    Ok(())
}

/// `tracer authority release-key`.
fn release_key(authority: PathBuf) -> Result<(), Error> {
    let trust = tracer::authority::add_release_key(&authority)?;
    println!(
        "Made the release key {} (mode 0600; keep it where releases are built, apart from the \
         root). {} now names it (signed by the root, serial {}): give it to the server \
         (trust_file) and to the phones ('checkin trust FILE').",
        authority.join(tracer::authority::RELEASE_KEY).display(),
        authority.join(tracer::authority::TRUST_FILE).display(),
        trust.serial
    );
    Ok(())
}

/// `tracer authority certify`.
#[allow(clippy::too_many_arguments, reason = "each is one command-line choice")]
fn authority_certify(
    authority: PathBuf,
    tracer_pub: PathBuf,
    name: String,
    days: u64,
    roles: protocol::Roles,
    out: Option<PathBuf>,
    force: bool,
    replace: bool,
    now: u64,
) -> Result<(), Error> {
    let cert = tracer::certify(&authority, &tracer_pub, &name, days, roles, replace, now)?;
    let out = out.unwrap_or_else(|| tracer_pub.with_file_name(keys::CERT_FILE));
    keys::write_cert(&out, &cert, force)?;
    println!(
        "Certified \"{name}\" for {days} days, role {}: {}",
        roles.describe(),
        out.display()
    );
    Ok(())
}

/// `tracer authority revoke`.
fn authority_revoke(
    authority: PathBuf,
    tracer_pub: Vec<PathBuf>,
    server: Option<String>,
    now: u64,
) -> Result<(), Error> {
    // Check everything that can be wrong before signing anything.
    let server = server.map(|s| common::http::server_url(&s)).transpose()?;
    let keys = tracer_pub
        .iter()
        .map(|p| keys::read_pub(p))
        .collect::<Result<Vec<_>, _>>()?;
    let r = tracer::revoke(&authority, &keys, now)?;
    let path = authority.join(tracer::authority::REVOCATIONS_FILE);
    if r.signed {
        println!(
            "Revoked {} new tracer key(s); the list names {} in all, signed {}: {}",
            r.added,
            r.list.keys().len(),
            time::show(r.list.issued_at(), &time::zone(None)?),
            path.display()
        );
    } else {
        println!(
            "Nothing new to revoke; the list names {} key(s): {}",
            r.list.keys().len(),
            path.display()
        );
    }
    match server {
        Some(server) => {
            let posted = tracer::post_revocations(&server, &r.list)?;
            if posted.replaced {
                println!(
                    "Posted to {server}: it now refuses their notices and queries, and phones \
                     learn of it at their next sync."
                );
            } else {
                println!("{server} already held this list.");
            }
        }
        None => println!(
            "Not posted yet: tracer authority revoke --authority {} --server URL",
            authority.display()
        ),
    }
    Ok(())
}

/// `tracer keygen`.
fn keygen(out: PathBuf) -> Result<(), Error> {
    keys::keygen(&out)?;
    println!("Made a tracer key pair in {}", out.display());
    println!(
        "  give {} to the authority to certify",
        out.join(keys::PUB_FILE).display()
    );
    Ok(())
}

/// `tracer case fetch`.
fn case_fetch(code: &str, server: &str, out: &std::path::Path, force: bool) -> Result<(), Error> {
    let server = common::http::server_url(server)?;
    if out.exists() && !force {
        return Err(Error::exists(out));
    }
    let file = tracer::fetch_case(&server, code)?;
    common::files::write(out, &file, 0o600, force)?;
    println!(
        "Saved the case file to {} ({} bytes); the server no longer holds it.\n\
         Open it with: tracer case open {} --authority DIR",
        out.display(),
        file.len(),
        out.display()
    );
    Ok(())
}

/// `tracer case open`.
fn case_open(file: PathBuf, authority: PathBuf, tz: Option<String>) -> Result<(), Error> {
    let tz = time::zone(tz.as_deref())?;
    let diary = tracer::open_case(&authority, &file)?;
    println!(
        "Case diary shared at {}: {} check-in(s)",
        time::show(diary.created_at, &tz),
        diary.visits.len()
    );
    for (i, v) in diary.visits.iter().enumerate() {
        let info = v.poster.info();
        println!(
            "{:>3}. {}  ({})\n     {} – {}   fingerprint {}",
            i + 1,
            info.name,
            if info.address.is_empty() {
                "no address"
            } else {
                &info.address
            },
            time::show(v.arrival, &tz),
            time::show(v.departure, &tz),
            v.poster.fingerprint()
        );
    }
    Ok(())
}

/// `tracer vault fetch`.
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per command-line option"
)]
fn vault_fetch(
    key: PathBuf,
    server: String,
    poster: String,
    from: String,
    to: String,
    out: PathBuf,
    tz: Option<String>,
    now: u64,
) -> Result<(), Error> {
    let server = common::http::server_url(&server)?;
    let tz = time::zone(tz.as_deref())?;
    let id = keys::load(&key)?;
    let poster = tracer::read_poster(&poster)?;
    let (from, to) = (time::parse(&from, &tz)?, time::parse(&to, &tz)?);
    if out.exists() {
        return Err(Error::exists(out));
    }
    println!(
        "Querying the vault for \"{}\", {} to {}",
        poster.info().name,
        time::show(from, &tz),
        time::show(to, &tz)
    );
    let req = tracer::vault_fetch(&id, &server, &poster, from, to, now)?;
    let json = serde_json::to_string_pretty(&req).map_err(|e| Error::invalid(e.to_string()))?;
    tracer::files::write_new(&out, format!("{json}\n").as_bytes(), 0o600)?;
    println!(
        "{} record(s) filed under the venue's bucket from the first day of {} hour(s) to today: \
         the venue can open only its own, for those hours. Give {} to the venue owner: venue-keygen unwrap \
         --key venue.key --trust trust.txt --in {} --out response.json",
        req.records.len(),
        req.hours.len(),
        out.display(),
        out.display()
    );
    Ok(())
}

/// `tracer vault open`.
fn vault_open(
    authority: PathBuf,
    request: PathBuf,
    input: PathBuf,
    csv: PathBuf,
    force: bool,
    tz: Option<String>,
) -> Result<(), Error> {
    let tz = time::zone(tz.as_deref())?;
    let opened = tracer::vault_open(&authority, &request, &input)?;
    tracer::write_contacts_csv(&csv, &opened.contacts, &tz, force)?;
    println!(
        "Opened {} contact(s) into {}; {} failed; {} outside the window; {} refused by the venue.",
        opened.contacts.len(),
        csv.display(),
        opened.failed.len(),
        opened.outside_window,
        opened.refused_by_venue
    );
    for f in &opened.failed {
        println!("  failed: {f}");
    }
    Ok(())
}

/// How far a window given with --case may reach beyond a check-in before the tracer is warned.
const FAR_FROM_CHECKIN_SECS: u64 = 2 * 3600;

fn notify_request(a: NotifyArgs, now: u64) -> Result<(), Error> {
    let tz = time::zone(a.tz.as_deref())?;
    let id = keys::load(&a.key)?;
    let window = match (&a.from, &a.to) {
        (Some(from), Some(to)) => Some((time::parse(from, &tz)?, time::parse(to, &tz)?)),
        _ => None,
    };
    let mut warnings = Vec::new();
    let windows: Vec<tracer::VenueWindow> = match (&a.case, &a.authority) {
        (Some(case), Some(authority)) => {
            let diary = tracer::open_case(authority, case)?;
            let (before, after) = (a.before * 60, a.after * 60);
            tracer::pick(&diary.visits, a.pick.as_deref())?
                .into_iter()
                .map(|v| {
                    let (from, to) = match window {
                        Some((from, to)) => {
                            if from + FAR_FROM_CHECKIN_SECS < v.arrival
                                || to > v.departure + FAR_FROM_CHECKIN_SECS
                            {
                                warnings.push(format!(
                                    "{}: the window {} to {} reaches more than 2 hours beyond \
                                     the check-in there ({} to {}); leave out --from and --to \
                                     to use each check-in with margins",
                                    v.poster.info().name,
                                    time::show(from, &tz),
                                    time::show(to, &tz),
                                    time::show(v.arrival, &tz),
                                    time::show(v.departure, &tz)
                                ));
                            }
                            (from, to)
                        }
                        None => (
                            v.arrival.saturating_sub(before),
                            (v.departure + after).min(now),
                        ),
                    };
                    tracer::VenueWindow {
                        poster: v.poster,
                        from,
                        to,
                    }
                })
                .collect()
        }
        _ => {
            let Some((from, to)) = window else {
                return Err(Error::invalid(
                    "--from and --to are needed with --poster".into(),
                ));
            };
            a.poster
                .iter()
                .map(|p| {
                    Ok(tracer::VenueWindow {
                        poster: tracer::read_poster(p)?,
                        from,
                        to,
                    })
                })
                .collect::<Result<_, Error>>()?
        }
    };
    let severity = match a.severity {
        Level::Low => Severity::Low,
        Level::High => Severity::High,
    };
    let plan = tracer::plan_notices(&id, windows, severity, &a.message, a.long, now)?;
    warnings.extend(plan.warnings.iter().cloned());
    println!("Notice by \"{}\":", id.cert.name());
    for v in &plan.venues {
        println!(
            "  venue    {}  ({})  fingerprint {}",
            v.poster.info().name,
            v.poster.info().address,
            v.poster.fingerprint()
        );
        println!(
            "           window {} to {}",
            time::show(v.from, &tz),
            time::show(v.to, &tz)
        );
    }
    println!(
        "  severity {}",
        if plan.severity == Severity::High {
            "high"
        } else {
            "low"
        }
    );
    println!("  message  {}", plan.message);
    println!("  covers   {} venue-hour(s)", plan.hours);
    for w in &warnings {
        eprintln!("tracer: warning: {w}");
    }
    let Some(out) = a.out.filter(|_| !a.dry_run) else {
        println!("Dry run: no request was written.");
        return Ok(());
    };
    tracer::files::create_dir(&out)?;
    println!("Approval requests, one per venue:");
    for (v, r) in plan.venues.iter().zip(&plan.requests) {
        let name = format!(
            "{}.request.json",
            v.poster.fingerprint().to_lowercase().replace('-', "")
        );
        let path = out.join(name);
        let text = serde_json::to_string_pretty(r).map_err(|e| Error::invalid(e.to_string()))?;
        tracer::files::write(&path, (text + "\n").as_bytes(), 0o644, a.force)?;
        println!("  {}  for {}", path.display(), v.poster.info().name);
    }
    println!(
        "Phones alert only for notices their venue approved. Send each file to its venue \
         owner, who runs `venue-keygen approve --key venue.key --trust trust.txt --in FILE \
         --out APPROVAL`; for a venue that cannot be reached, enough of the authority's \
         emergency officers each run `tracer authority approve`, and `tracer authority \
         combine` joins their approvals. Then: `tracer notify publish --approval \
         APPROVAL ...`."
    );
    Ok(())
}

/// `tracer notify publish`.
#[allow(clippy::too_many_arguments, reason = "each is one command-line choice")]
/// How `tracer notify publish` goes about it.
struct Publishing {
    /// Show the summary and stop.
    dry_run: bool,
    /// Publish although the record says it was done (or started) before.
    again: bool,
}

fn notify_publish(
    key: PathBuf,
    server: String,
    trust: PathBuf,
    approvals: Vec<PathBuf>,
    how: Publishing,
    tz: Option<String>,
    now: u64,
) -> Result<(), Error> {
    let server = common::http::server_url(&server)?;
    let tz = time::zone(tz.as_deref())?;
    let id = keys::load(&key)?;
    let trust = tracer::authority::read_trust(&trust)?;
    let p = tracer::publish(&id, &approvals, &trust, now)?;
    println!("Notice by \"{}\":", id.cert.name());
    for (c, a) in &p.notices {
        println!(
            "  venue    {}  ({})  fingerprint {}",
            c.poster.info().name,
            c.poster.info().address,
            c.poster.fingerprint()
        );
        println!(
            "           window {} to {}, {} severity, approved by the {}",
            time::show(c.statement.start, &tz),
            time::show(c.statement.end, &tz),
            common::approval::severity_word(c.statement.severity),
            a.by().name()
        );
        println!("           message  {}", c.statement.message);
    }
    println!(
        "  entries  {} for {} venue-hour(s) ({} bytes signed)",
        p.entries,
        p.hours,
        p.bundle.len()
    );
    // Two bundles sealed from one approval differ, so only this record stops a second post.
    let mut journal = tracer::journal::Journal::open(tracer::keys::dir_of(&key))?;
    let digests: Vec<String> = p
        .notices
        .iter()
        .map(|(c, _)| tracer::journal::digest(&c.statement.to_bytes()))
        .collect();
    for ((c, _), d) in p.notices.iter().zip(&digests) {
        use tracer::journal::State;
        let venue = &c.poster.info().name;
        let said = match journal.state(d)? {
            None => continue,
            Some(State::Posted { at, server, seq }) => format!(
                "the notice for {venue} was already published on {} to {server} as sequence \
                 number {seq}: phones have it",
                time::show(at, &tz)
            ),
            Some(State::Started { at, server }) => format!(
                "publishing the notice for {venue} to {server} was started on {} and its \
                 answer was never recorded: it may be on the server already (look for a \
                 bundle of this tracer posted then)",
                time::show(at, &tz)
            ),
        };
        if how.again {
            eprintln!("Publishing again although {said}.");
        } else if how.dry_run {
            println!("Note: {said}.");
        } else {
            return Err(Error::invalid(format!(
                "{said}. Publishing it again would show phones the same notice twice; if that \
                 is what you mean (for instance a second server), pass --again"
            )));
        }
    }
    if how.dry_run {
        println!("Dry run: nothing was posted.");
        return Ok(());
    }
    let started: Vec<String> = digests
        .iter()
        .map(|d| tracer::journal::Journal::started(d, now, &server))
        .collect();
    journal.append(&started)?;
    let (seq, new) = match tracer::post_bundle(&server, &p.bundle) {
        Ok(answer) => answer,
        Err(e) => {
            // Not reached, or refused: nothing was stored, so a later publish may go ahead.
            // Any other failure leaves the `started` line: the bundle may be on the server.
            if matches!(e, Error::Unreachable(_) | Error::Refused { .. }) {
                let lines: Vec<String> = digests
                    .iter()
                    .map(|d| tracer::journal::Journal::not_posted(d, now, &server))
                    .collect();
                journal.append(&lines)?;
            }
            return Err(e);
        }
    };
    let posted: Vec<String> = digests
        .iter()
        .map(|d| tracer::journal::Journal::posted(d, now, &server, seq))
        .collect();
    journal.append(&posted)?;
    if new {
        println!("Posted to {server}: sequence number {seq}.");
    } else {
        println!("Already posted to {server}: sequence number {seq}.");
    }
    Ok(())
}

/// Who approves on the emergency path: one officer, with the trust file that lists them.
struct Approver {
    officer: PathBuf,
    trust: PathBuf,
    revocations: Option<PathBuf>,
}

/// `tracer authority approve`: one officer's part of the emergency path.
fn authority_approve(
    who: Approver,
    input: PathBuf,
    out: PathBuf,
    yes: bool,
    force: bool,
    tz: Option<String>,
    now: u64,
) -> Result<(), Error> {
    let tz = time::zone(tz.as_deref())?;
    if out.exists() && !force {
        return Err(Error::exists(out));
    }
    let officer = tracer::authority::load_officer(&who.officer, &who.trust)?;
    let trust = &officer.trust;
    let request = common::approval::read_request(&input)?;
    let checked = common::approval::check(&input, request, trust, now)?;
    // The authority's list, where the officer has it: no approval for a revoked tracer.
    if let Some(list) = &who.revocations {
        let list = common::revocation::read(list, trust, now)?;
        common::revocation::refuse_revoked(
            &list,
            &checked.cert,
            &input,
            protocol::ApprovalError::CertificateRevoked.code(),
        )?;
    }
    print!("{}", checked.describe(&trust.authority, &tz));
    println!(
        "\nYou are approving as emergency officer {} of {}, in place of the venue. Do this only \
         when the venue cannot be reached and the case is confirmed. Your approval alone does \
         not alert anyone: {} of the {} officers must approve.",
        officer.index,
        trust.authority,
        trust.emergency.threshold(),
        trust.emergency.keys().len()
    );
    if !common::approval::confirm("Approve this notice?", yes)? {
        println!("Not approved: nothing was written.");
        return Err(Error::invalid("the notice was not approved".into()));
    }
    let approval = protocol::Approval::Authority(vec![
        checked
            .statement
            .sign_as_officer(officer.index, &officer.key),
    ]);
    let text = serde_json::to_string_pretty(&checked.approval_file(&approval, trust))
        .map_err(|e| Error::invalid(e.to_string()))?;
    tracer::files::write(&out, (text + "\n").as_bytes(), 0o644, force)?;
    println!(
        "Approved as officer {}: {}. Give it to whoever joins the officers' approvals \
         ('tracer authority combine --trust trust.txt --in APPROVAL --in APPROVAL ... --out \
         APPROVAL'); the tracer publishes the joined file.",
        officer.index,
        out.display()
    );
    Ok(())
}

/// `tracer authority combine`.
fn authority_combine(
    trust: PathBuf,
    inputs: Vec<PathBuf>,
    out: PathBuf,
    force: bool,
    now: u64,
) -> Result<(), Error> {
    if out.exists() && !force {
        return Err(Error::exists(out));
    }
    let trust = tracer::authority::read_trust(&trust)?;
    let files = inputs
        .into_iter()
        .map(|p| common::approval::read_approval(&p).map(|f| (p, f)))
        .collect::<Result<Vec<_>, _>>()?;
    let (checked, approval) = common::approval::combine(&files, &trust, now)?;
    let text = serde_json::to_string_pretty(&checked.approval_file(&approval, &trust))
        .map_err(|e| Error::invalid(e.to_string()))?;
    tracer::files::write(&out, (text + "\n").as_bytes(), 0o644, force)?;
    let count = match &approval {
        protocol::Approval::Authority(s) => s.len(),
        protocol::Approval::Venue(_) => 0,
    };
    println!(
        "Joined the approvals of {count} emergency officers of {} (the threshold is {}): {}. \
         Give it to the tracer, who publishes it with 'tracer notify publish --approval'.",
        trust.authority,
        trust.emergency.threshold(),
        out.display()
    );
    Ok(())
}

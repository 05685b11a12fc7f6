//! The health authority's tool: authority set-up, case review, notice publishing, and opening
//! consented contact records. Every step shows what it is about to do; the binary (`main.rs`)
//! only parses arguments and prints.
#![forbid(unsafe_code)]

pub mod error;
pub mod journal;
pub mod keys;

pub use common::qr::read_poster;
pub use common::{authority, files, time};

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::case::CaseDiary;
use protocol::notice::{seal_notices, sign_bundle};
use protocol::{
    Certificate, ContactRecord, Poster, Severity, Tag, TrustAnchor, VenueNotice, hours_covered,
    vault_tag,
};
use serde::Serialize;

pub use error::Error;
use keys::TracerIdentity;

/// How long a notice window may be without `--long`.
pub const MAX_WINDOW_WITHOUT_LONG: u64 = 24 * 3600;
/// How far back a notice may reach: the retention period of notices and diaries.
pub const RETENTION_SECS: u64 = 14 * 86_400;

/// Days a tracer certificate is valid unless `--days` says otherwise.
pub const DEFAULT_CERT_DAYS: u64 = 30;
/// Longest tracer certificate, in days.
pub const MAX_CERT_DAYS: u64 = 90;

/// `tracer authority certify`: the root signs a certificate for a tracer key.
/// File of the authority's register of certificates it issued (public facts): one line per
/// certificate, `name<TAB>tracer key base64url<TAB>not_after`.
pub const CERTIFIED_FILE: &str = "certified.txt";

/// A certificate the register names: a tracer key certified under a name until a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certified {
    /// The name.
    pub name: String,
    /// The tracer key, base64url.
    pub key: String,
    /// End of validity, Unix seconds.
    pub not_after: u64,
}

/// Reads the register of certificates in `authority_dir` (empty when there is none yet).
pub fn certified(authority_dir: &Path) -> Result<Vec<Certified>, Error> {
    let path = authority_dir.join(CERTIFIED_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read", &path, e)),
    };
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split('\t');
            match (
                parts.next(),
                parts.next(),
                parts.next().map(str::parse::<u64>),
                parts.next(),
            ) {
                (Some(name), Some(key), Some(Ok(not_after)), None) => Ok(Certified {
                    name: name.to_owned(),
                    key: key.to_owned(),
                    not_after,
                }),
                _ => Err(Error::bad_file(
                    path.clone(),
                    "a line is not 'NAME<TAB>KEY<TAB>NOT_AFTER'",
                )),
            }
        })
        .collect()
}

/// `tracer authority certify`: a certificate for the key in `tracer_pub` under `name`. A
/// name names one tracer: while another key certified under it is still valid and not
/// revoked, this refuses unless `replace` is given (the earlier key should then be revoked).
/// Every certificate issued is added to the register ([`CERTIFIED_FILE`]).
#[allow(clippy::too_many_arguments, reason = "each is one command-line choice")]
pub fn certify(
    authority_dir: &Path,
    tracer_pub: &Path,
    name: &str,
    days: u64,
    roles: protocol::Roles,
    replace: bool,
    now: u64,
) -> Result<Certificate, Error> {
    if !roles.publish && !roles.query {
        return Err(Error::invalid(
            "give at least one --role: publish (sign notices) or query (fetch vault records)"
                .into(),
        ));
    }
    if days == 0 || days > MAX_CERT_DAYS {
        return Err(Error::invalid(format!(
            "--days must be 1 to {MAX_CERT_DAYS}: a tracer certificate is short-lived, so that a \
             lost or stolen tracer key stops working soon (certify again to renew)"
        )));
    }
    let auth = authority::load(authority_dir)?;
    let key = keys::read_pub(tracer_pub)?;
    let key_b64 = URL_SAFE_NO_PAD.encode(key.as_bytes());
    let mut register = certified(authority_dir)?;
    let revoked = match std::fs::read(authority_dir.join(authority::REVOCATIONS_FILE)) {
        Ok(bytes) => protocol::RevocationList::verify(&auth.trust.root, &bytes, u64::MAX)
            .map(|l| l.keys().iter().map(|k| URL_SAFE_NO_PAD.encode(k)).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let live = register.iter().find(|c| {
        c.name == name && c.key != key_b64 && c.not_after >= now && !revoked.contains(&c.key)
    });
    if let (Some(other), false) = (live, replace) {
        return Err(Error::invalid(format!(
            "\"{name}\" already names another tracer key ({}), certified until {} UTC and not \
             revoked: a name must tell one tracer apart from every other. Certify this key \
             under another name, or, if this tracer replaces that key, give --replace (and \
             revoke the old key with 'tracer authority revoke')",
            protocol::cert::tracer_fingerprint(
                &protocol::VerifyingKey::from_bytes(
                    &URL_SAFE_NO_PAD
                        .decode(&other.key)
                        .ok()
                        .and_then(|b| <[u8; 32]>::try_from(b).ok())
                        .unwrap_or_default()
                )
                .unwrap_or(key)
            ),
            time::show(other.not_after, &jiff::tz::TimeZone::UTC)
        )));
    }
    let cert =
        Certificate::issue_with_roles(&auth.root, &key, name, now, now + days * 86_400, roles)
            .map_err(|e| Error::invalid(e.to_string()))?;
    register.push(Certified {
        name: name.to_owned(),
        key: key_b64,
        not_after: cert.not_after(),
    });
    let text: String = register
        .iter()
        .map(|c| format!("{}\t{}\t{}\n", c.name, c.key, c.not_after))
        .collect();
    files::write_replace(&authority_dir.join(CERTIFIED_FILE), text.as_bytes(), 0o644)?;
    Ok(cert)
}

/// What `tracer authority revoke` did.
pub struct Revoked {
    /// The list now in the authority directory.
    pub list: protocol::RevocationList,
    /// Keys it names that the previous list did not.
    pub added: usize,
    /// Whether a new list was signed (false: the keys were all revoked already).
    pub signed: bool,
}

/// `tracer authority revoke`: adds `keys` to the authority's revocation list
/// (`revocations.bin` in its directory), signing a new list only when something is added.
/// With no keys, returns the list as it is.
pub fn revoke(
    authority_dir: &Path,
    keys: &[protocol::VerifyingKey],
    now: u64,
) -> Result<Revoked, Error> {
    let auth = authority::load(authority_dir)?;
    let path = authority_dir.join(authority::REVOCATIONS_FILE);
    let held = match std::fs::read(&path) {
        Ok(bytes) => Some(
            protocol::RevocationList::verify(&auth.trust.root, &bytes, u64::MAX)
                .map_err(|e| Error::bad_file(path.clone(), e.to_string()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read", &path, e)),
    };
    let mut all: BTreeSet<[u8; 32]> = held
        .as_ref()
        .map(|l| l.keys().iter().copied().collect())
        .unwrap_or_default();
    let before = all.len();
    all.extend(keys.iter().map(|k| *k.as_bytes()));
    let added = all.len() - before;
    if let Some(list) = held.clone().filter(|_| added == 0) {
        return Ok(Revoked {
            list,
            added,
            signed: false,
        });
    }
    if all.is_empty() {
        return Err(Error::invalid(
            "nothing to revoke, and no revocation list yet: give --tracer-pub with the \
             tracer.pub of each tracer whose key to revoke"
                .into(),
        ));
    }
    // Each list must be newer than the last, even two in one second.
    let issued_at = held.map_or(now, |h| now.max(h.issued_at() + 1));
    let keys: Vec<[u8; 32]> = all.into_iter().collect();
    let list = protocol::RevocationList::sign(&auth.root, issued_at, &keys)
        .map_err(|e| Error::invalid(e.to_string()))?;
    files::write_replace(&path, list.to_bytes(), 0o644)?;
    Ok(Revoked {
        list,
        added,
        signed: true,
    })
}

/// Posts a revocation list; returns the server's answer.
pub fn post_revocations(
    server: &str,
    list: &protocol::RevocationList,
) -> Result<api::http::RevocationsPosted, Error> {
    post_json(
        server,
        "/v1/revocations",
        &api::http::Revocations {
            revocations: Some(URL_SAFE_NO_PAD.encode(list.to_bytes())),
        },
    )
}

/// `tracer case fetch`: the case file a citizen handed over by code (spec sections 16.1 and
/// 16b), which the server then deletes. The code never goes to the server: the file is
/// fetched by the code's id (in the body of a POST, so that no log keeps it), and refused (`case_code_mismatch`, nothing saved) unless the tag
/// the server answers with binds it to the code, so a server cannot swap the file. Checked for
/// its shape too; opening it is `open_case`'s.
pub fn fetch_case(server: &str, code: &str) -> Result<Vec<u8>, Error> {
    let code = protocol::CaseCode::parse(code).map_err(|e| Error::invalid(e.to_string()))?;
    let url = format!("{}/v1/cases/fetch", server.trim_end_matches('/'));
    let answer: api::http::CaseFile = post_json(
        server,
        "/v1/cases/fetch",
        &api::http::FetchCase {
            id: URL_SAFE_NO_PAD.encode(code.id()),
        },
    )?;
    let decode = |what: &str, value: &str| {
        URL_SAFE_NO_PAD.decode(value.as_bytes()).map_err(|e| {
            Error::Unreachable(format!(
                "{url} answered a case {what} that is not base64 ({e})"
            ))
        })
    };
    let file = decode("file", &answer.case)?;
    let tag = decode("tag", &answer.tag)?;
    code.verify(&file, &tag).map_err(Error::Case)?;
    CaseDiary::check_shape(&file).map_err(|e| {
        Error::Unreachable(format!(
            "{url} answered something that is not a case file ({e})"
        ))
    })?;
    Ok(file)
}

/// `tracer case open`: decrypts a shared case diary.
pub fn open_case(authority_dir: &Path, file: &Path) -> Result<CaseDiary, Error> {
    let (case_key, _) = authority::load_case(authority_dir)?;
    let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    // A file that is no case file at all (a poster, a request, a trust file) is named for
    // what it is, not reported as a case file of an unknown version.
    if CaseDiary::check_shape(&bytes).is_err()
        && let Some(given) = common::exchange::kind_of(&bytes)
    {
        let e = protocol::FileError::WrongKind {
            expected: "a case file",
            given,
        };
        return Err(common::Error::refused(file, e.code(), &e).into());
    }
    CaseDiary::open(&case_key, &bytes)
        .map_err(|e| common::Error::refused(file, e.code(), &e).into())
}

/// Picks visits by 1-based number from a "1,3,4" list (all when `None`).
pub fn pick<T: Clone>(items: &[T], spec: Option<&str>) -> Result<Vec<T>, Error> {
    let Some(spec) = spec else {
        return Ok(items.to_vec());
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let n: usize = part
            .parse()
            .map_err(|_| Error::invalid(format!("--pick: '{part}' is not a number")))?;
        if n == 0 || n > items.len() {
            return Err(Error::invalid(format!(
                "--pick: there is no check-in number {n} (the case has {})",
                items.len()
            )));
        }
        if seen.insert(n) {
            out.push(items[n - 1].clone());
        }
    }
    if out.is_empty() {
        return Err(Error::invalid("--pick names no check-in".into()));
    }
    Ok(out)
}

/// A moment for messages from this library, which knows no time zone: UTC, RFC 3339.
fn utc(t: u64) -> String {
    common::time::show(t, &jiff::tz::TimeZone::UTC)
}

/// One venue of a notice and the window phones that visited it are told about.
#[derive(Clone, Debug)]
pub struct VenueWindow {
    /// The venue's poster.
    pub poster: Poster,
    /// Start of the window, Unix seconds.
    pub from: u64,
    /// End of the window, Unix seconds.
    pub to: u64,
}

/// A notice checked and ready for the venues to approve, with what the summary shows.
pub struct NotifyPlan {
    /// The venues and their windows, one per venue (same venue, overlapping windows merged).
    pub venues: Vec<VenueWindow>,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// Venue-hours the notice covers, over all venues.
    pub hours: usize,
    /// One approval request per venue, in the order of `venues`.
    pub requests: Vec<api::files::ApprovalRequest>,
    /// What the tracer should look at before posting (a venue given twice, a window partly
    /// outside the poster's validity).
    pub warnings: Vec<String>,
}

/// Validates one window and builds the approval requests for every venue in `venues` with
/// the same window `from`..`to` (see [`plan_notices`]).
#[allow(clippy::too_many_arguments, reason = "each is one command-line choice")]
pub fn plan_notify(
    id: &TracerIdentity,
    venues: Vec<Poster>,
    from: u64,
    to: u64,
    severity: Severity,
    message: &str,
    long: bool,
    now: u64,
) -> Result<NotifyPlan, Error> {
    let windows = venues
        .into_iter()
        .map(|poster| VenueWindow { poster, from, to })
        .collect();
    plan_notices(id, windows, severity, message, long, now)
}

/// Checks every venue's window and builds one approval request per venue. Refuses what
/// cannot reach any phone (an empty message, a window in the future, older than phones keep
/// visits, or wholly outside the poster's validity); warns about a venue given twice and a
/// window partly outside the poster's validity.
pub fn plan_notices(
    id: &TracerIdentity,
    windows: Vec<VenueWindow>,
    severity: Severity,
    message: &str,
    long: bool,
    now: u64,
) -> Result<NotifyPlan, Error> {
    if windows.is_empty() {
        return Err(Error::invalid("no venue to notify".into()));
    }
    if message.trim().is_empty() {
        return Err(Error::invalid(
            "--message is empty: phones would alert with no words; say what to do, such as \
             'Watch for symptoms for 10 days and take a test if any appear.'"
                .into(),
        ));
    }
    if !id.cert.roles().publish {
        return Err(Error::invalid(
            "this tracer's certificate has the query role only: publishing notices needs a \
             certificate with the publish role (tracer authority certify --role publish)"
                .into(),
        ));
    }
    if !id.cert.is_valid_at(now) {
        return Err(Error::invalid(format!(
            "the tracer certificate is not valid now (valid {} to {} Unix time): ask the authority for a new one",
            id.cert.not_before(),
            id.cert.not_after()
        )));
    }
    let mut warnings = Vec::new();
    let mut merged: Vec<VenueWindow> = Vec::new();
    for w in windows {
        let name = &w.poster.info().name;
        if w.to <= w.from {
            return Err(Error::invalid(format!(
                "{name}: --from must be before --to (the window must end after it starts)"
            )));
        }
        if w.to > now + 300 {
            return Err(Error::invalid(format!(
                "{name}: --to is in the future: a notice can only cover time that has passed"
            )));
        }
        if w.from + RETENTION_SECS < now {
            return Err(Error::invalid(format!(
                "{name}: --from is more than 14 days ago: phones have already deleted visits \
                 that old"
            )));
        }
        if w.to - w.from > MAX_WINDOW_WITHOUT_LONG && !long {
            return Err(Error::invalid(format!(
                "{name}: the window is {} hours; more than 24 hours per venue needs --long",
                (w.to - w.from).div_ceil(3600)
            )));
        }
        if let Some(v) = w.poster.info().validity {
            if w.to <= v.from || w.from >= v.until {
                return Err(Error::invalid(format!(
                    "{name}: the window lies wholly outside the poster's validity ({} to {}): \
                     no phone can have checked in with it then",
                    utc(v.from),
                    utc(v.until)
                )));
            }
            if w.from < v.from || w.to > v.until {
                warnings.push(format!(
                    "{name}: part of the window lies outside the poster's validity; phones \
                     checked in only while it was valid"
                ));
            }
        }
        match merged
            .iter_mut()
            .find(|m| m.poster.venue_id() == w.poster.venue_id())
        {
            Some(m) if m.from == w.from && m.to == w.to => {
                warnings.push(format!("{name} was given twice; it is notified once"));
            }
            Some(m) if w.from <= m.to && m.from <= w.to => {
                warnings.push(format!(
                    "{name} has overlapping windows; they are joined into one"
                ));
                m.from = m.from.min(w.from);
                m.to = m.to.max(w.to);
            }
            _ => merged.push(w),
        }
    }
    let requests = merged
        .iter()
        .map(|w| {
            let r = common::approval::request(&w.poster, &id.cert, w.from, w.to, severity, message);
            // The same checks the venue and the phones make (window length, message rules).
            protocol::ApprovalStatement {
                venue_id: w.poster.venue_id(),
                cert_digest: protocol::approval::cert_digest(&id.cert),
                start: w.from,
                end: w.to,
                severity,
                message: message.to_owned(),
            }
            .validate()
            .map_err(|e| Error::invalid(format!("{}: {e}", w.poster.info().name)))?;
            Ok(r)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let hours = merged
        .iter()
        .map(|w| hours_covered(w.from, w.to).count())
        .sum();
    Ok(NotifyPlan {
        venues: merged,
        severity,
        message: message.to_owned(),
        hours,
        requests,
        warnings,
    })
}

/// A bundle built from approvals, ready to post.
pub struct Publication {
    /// The approved requests, checked.
    pub notices: Vec<(common::approval::Checked, protocol::Approval)>,
    /// Venue-hours covered.
    pub hours: usize,
    /// The signed bundle.
    pub bundle: Vec<u8>,
    /// Number of entries.
    pub entries: usize,
}

/// `tracer notify publish`: checks every approval (the venue's poster key, or the trust
/// file's emergency key) for this tracer's own certificate, and signs one bundle of them all.
pub fn publish(
    id: &TracerIdentity,
    approvals: &[std::path::PathBuf],
    trust: &TrustAnchor,
    now: u64,
) -> Result<Publication, Error> {
    if approvals.is_empty() {
        return Err(Error::invalid(
            "no approval given: pass --approval FILE".into(),
        ));
    }
    if !id.cert.is_valid_at(now) {
        return Err(Error::invalid(
            "the tracer certificate is not valid now: ask the authority for a new one, then \
             ask the venues to approve again"
                .into(),
        ));
    }
    let mut notices = Vec::new();
    for path in approvals {
        let file = common::approval::read_approval(path)?;
        let (checked, approval) = common::approval::check_approval(path, file, trust, now)?;
        common::approval::check_own_certificate(path, &checked, &id.cert)?;
        if notices
            .iter()
            .any(|(c, _): &(common::approval::Checked, protocol::Approval)| {
                c.poster.venue_id() == checked.poster.venue_id()
                    && c.statement.start < checked.statement.end
                    && checked.statement.start < c.statement.end
            })
        {
            return Err(Error::invalid(format!(
                "{}: another approval covers {} at overlapping times; publish them separately",
                path.display(),
                checked.poster.info().name
            )));
        }
        notices.push((checked, approval));
    }
    let venue_notices: Vec<VenueNotice> = notices
        .iter()
        .map(|(c, a)| VenueNotice {
            venue_id: c.poster.venue_id(),
            payload: c.statement.clone().into_payload(a.clone()),
        })
        .collect();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let sealed =
        seal_notices(&mut rng, &venue_notices).map_err(|e| Error::invalid(e.to_string()))?;
    let n = sealed.entries.len();
    let bundle =
        sign_bundle(&id.key, &id.cert, now, &sealed).map_err(|e| Error::invalid(e.to_string()))?;
    let hours = notices
        .iter()
        .map(|(c, _)| hours_covered(c.statement.start, c.statement.end).count())
        .sum();
    Ok(Publication {
        notices,
        hours,
        bundle,
        entries: n,
    })
}

fn agent() -> ureq::Agent {
    common::http::agent(Duration::from_secs(10), Duration::from_secs(60))
}

/// POSTs `body` as JSON and reads the typed answer, turning a refusal into
/// [`Error::Refused`] with the server's error name and explanation.
pub fn post_json<B: Serialize, A: serde::de::DeserializeOwned>(
    server: &str,
    path: &str,
    body: &B,
) -> Result<A, Error> {
    let url = format!("{}{path}", server.trim_end_matches('/'));
    let body = serde_json::to_string(body).map_err(|e| Error::invalid(e.to_string()))?;
    let res = agent()
        .post(&url)
        .header("content-type", "application/json")
        .send(body)
        .map_err(|e| Error::from_request(&url, &e))?;
    read_answer(&url, res)
}

/// Reads a JSON answer, turning a refusal into [`Error::Refused`] with the server's error name
/// and explanation.
fn read_answer<A: serde::de::DeserializeOwned>(
    url: &str,
    mut res: ureq::http::Response<ureq::Body>,
) -> Result<A, Error> {
    let status = res.status().as_u16();
    let text = res
        .body_mut()
        .read_to_string()
        .map_err(|e| Error::NoAnswer(format!("{url}: {e}")))?;
    if !(200..300).contains(&status) {
        let (error, detail) = match serde_json::from_str::<api::http::ErrorBody>(&text) {
            Ok(e) => (e.error, e.detail),
            Err(_) => ("unknown".to_owned(), text),
        };
        return Err(Error::Refused {
            status,
            error,
            detail,
        });
    }
    serde_json::from_str(&text).map_err(|e| {
        Error::Unreachable(format!(
            "{url} answered {status} with something this tracer cannot read ({e})"
        ))
    })
}

/// Posts a signed bundle; returns the server's sequence number and whether it was new.
pub fn post_bundle(server: &str, bundle: &[u8]) -> Result<(u64, bool), Error> {
    let posted: api::http::Posted = post_json(
        server,
        "/v1/bundles",
        &api::http::PostBundle {
            bundle: URL_SAFE_NO_PAD.encode(bundle),
        },
    )?;
    Ok((posted.seq, !posted.duplicate))
}

/// The file tags a vault query for `hours` of `poster`'s venue asks for at `now` (spec section
/// 15): the venue's bucket on each day from the first hour's through the later of the last
/// hour's and today's, since a record is filed under the day it was sent.
pub fn vault_fetch_tags(poster: &Poster, hours: &[u64], now: u64) -> Result<Vec<Tag>, Error> {
    let (Some(&first), Some(&last)) = (hours.first(), hours.last()) else {
        return Err(Error::invalid("the window covers no hour".into()));
    };
    let bucket = protocol::derive::vault_bucket(&poster.venue_id());
    let days = first / 24..=(last / 24).max(now / 86_400);
    if days.clone().count() > protocol::query::MAX_QUERY_TAGS {
        return Err(Error::invalid(format!(
            "records of this window may have been sent on any of {} days up to today; one \
             query may ask for {} at most: ask about a later window",
            days.count(),
            protocol::query::MAX_QUERY_TAGS
        )));
    }
    Ok(days
        .map(|d| protocol::derive::bucket_tag(bucket, d))
        .collect())
}

/// The request file `venue-keygen unwrap` reads.
pub use api::files::VaultRequest;

/// `tracer vault fetch`: signs a query for the venue's hours and collects the records.
pub fn vault_fetch(
    id: &TracerIdentity,
    server: &str,
    poster: &Poster,
    from: u64,
    to: u64,
    now: u64,
) -> Result<VaultRequest, Error> {
    if !id.cert.roles().query {
        return Err(Error::invalid(
            "this tracer's certificate has the publish role only: fetching vault records needs \
             a certificate with the query role (tracer authority certify --role query)"
                .into(),
        ));
    }
    if to <= from {
        return Err(Error::invalid("--from must be before --to".into()));
    }
    let hours: Vec<u64> = hours_covered(from, to).collect();
    if hours.len() > protocol::query::MAX_QUERY_TAGS {
        return Err(Error::invalid(format!(
            "the window covers {} hours; one query may ask for {} at most",
            hours.len(),
            protocol::query::MAX_QUERY_TAGS
        )));
    }
    // Records are filed by bucket and the day they were sent (spec sections 9 and 14.5),
    // which is the day of their hour or later: ask for the venue's bucket on every day from
    // the window's first through today. The answer holds the records of every venue in the
    // bucket; only this venue can open its own, and it keeps only those of the signed hours.
    let tags = vault_fetch_tags(poster, &hours, now)?;
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let query = protocol::query::sign_query(&mut rng, &id.key, &id.cert, now, &tags)
        .map_err(|e| Error::invalid(e.to_string()))?;
    let answer: api::http::QueryAnswer = post_json(
        server,
        "/v1/vault/query",
        &api::http::PostQuery {
            query: URL_SAFE_NO_PAD.encode(query),
        },
    )?;
    // A partial answer is refused, never passed on: the records it lacks could be the
    // venue's own, and nothing would tell the tracer or the venue they are missing.
    if answer.truncated {
        return Err(Error::Incomplete {
            sent: answer.records.len(),
        });
    }
    // The venue unwraps only what the tracer signed for: this venue, this window, these hours.
    let statement = protocol::unwrap_request::UnwrapStatement {
        venue_id: poster.venue_id(),
        from,
        to,
        signed_at: now,
        hours: hours.clone(),
    };
    let signature = statement.sign(&id.key);
    Ok(VaultRequest {
        format: api::files::REQUEST_FORMAT.into(),
        poster: poster.payload(),
        hours,
        records: answer.records,
        from,
        to,
        certificate: URL_SAFE_NO_PAD.encode(id.cert.to_bytes()),
        signed_at: now,
        signature: URL_SAFE_NO_PAD.encode(signature),
    })
}

/// What `vault open` found.
pub struct Opened {
    /// Contacts whose visit overlaps the window, one per visit.
    pub contacts: Vec<ContactRecord>,
    /// Records that did not open, with the reason.
    pub failed: Vec<String>,
    /// Records the venue refused (not this venue, or damaged).
    pub refused_by_venue: usize,
    /// Opened records whose visit lies outside the window.
    pub outside_window: usize,
}

/// `tracer vault open`: checks that the response answers the request, then opens each record.
pub fn vault_open(authority_dir: &Path, request: &Path, response: &Path) -> Result<Opened, Error> {
    let (sealing, _) = authority::load_sealing(authority_dir)?;
    let req_bytes = std::fs::read(request).map_err(|e| Error::io("read", request, e))?;
    let resp_bytes = std::fs::read(response).map_err(|e| Error::io("read", response, e))?;
    let common::exchange::CheckedVaultResponse {
        request: req,
        poster,
        response: resp,
    } = common::exchange::check_vault_response(request, &req_bytes, response, &resp_bytes)?;
    let allowed: Vec<(Tag, u64)> = req
        .hours
        .iter()
        .map(|&h| (vault_tag(&poster.venue_id(), h), h))
        .collect();
    let mut out = Opened {
        contacts: Vec::new(),
        failed: Vec::new(),
        refused_by_venue: 0,
        outside_window: 0,
    };
    out.refused_by_venue = resp.refused.len();
    let (from, to) = (req.from, req.to);
    for r in &resp.records {
        let index = r.index;
        let inner = URL_SAFE_NO_PAD.decode(&r.inner).unwrap_or_default();
        let tag = protocol::vault::inner_tag(&inner);
        let Some(&(_, hour)) = allowed.iter().find(|(t, _)| Some(*t) == tag) else {
            out.failed.push(format!(
                "record {index}: not for this venue and these hours"
            ));
            continue;
        };
        // Each hour's record is sealed to the key of the period the hour starts in.
        let key = match sealing.for_hour(hour) {
            Ok(k) => k,
            Err(why) => {
                out.failed.push(format!("record {index}: {why}"));
                continue;
            }
        };
        match protocol::vault::open_inner(key, &inner) {
            Ok(c) => {
                if c.departure <= from || c.arrival >= to {
                    out.outside_window += 1;
                } else if !out.contacts.contains(&c) {
                    // A visit spanning several hours was uploaded once per hour.
                    out.contacts.push(c);
                }
            }
            Err(e) => out.failed.push(format!("record {index}: {e}")),
        }
    }
    Ok(out)
}

/// A contact field made safe for a spreadsheet (OWASP "CSV injection"): a cell that begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula, so it gets a
/// leading apostrophe, which spreadsheets show as text. A phone number (only digits, spaces
/// and `+ - ( ) .`) is left as it is: it cannot be a formula that does anything.
pub fn csv_cell(field: &str) -> std::borrow::Cow<'_, str> {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let phone = field
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && field.chars().any(|c| c.is_ascii_digit());
    if risky && !phone {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// Writes the contacts as CSV: name, phone, email, party_size, arrival, departure; every text
/// cell through [`csv_cell`].
pub fn write_contacts_csv(
    path: &Path,
    contacts: &[ContactRecord],
    tz: &jiff::tz::TimeZone,
    replace: bool,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let row_err = |e: csv::Error| Error::invalid(format!("cannot write CSV: {e}"));
    w.write_record([
        "name",
        "phone",
        "email",
        "party_size",
        "arrival",
        "departure",
    ])
    .map_err(row_err)?;
    for c in contacts {
        w.write_record([
            csv_cell(&c.name).as_ref(),
            csv_cell(&c.phone).as_ref(),
            csv_cell(&c.email).as_ref(),
            &c.party_size.to_string(),
            &time::show(c.arrival, tz),
            &time::show(c.departure, tz),
        ])
        .map_err(row_err)?;
    }
    let data = w
        .into_inner()
        .map_err(|e| Error::invalid(format!("cannot write CSV: {e}")))?;
    let data = zeroize::Zeroizing::new(data);
    Ok(files::write(path, &data, 0o600, replace)?)
}

/// `tracer authority release-sign`: signs `dist/SHA256SUMS` with the authority's release key
/// and writes the signature beside it (`dist/SHA256SUMS.sig`, spec section 16d), after checking
/// that every file it lists is in `dist` with that hash and that `dist` holds no file it leaves
/// out (but the signature itself), so that what is signed is what was built. An existing
/// signature is replaced only with `force`. Returns the release as it verifies.
pub fn release_sign(
    authority_dir: &Path,
    dist: &Path,
    force: bool,
) -> Result<protocol::Release, Error> {
    use protocol::release::{SIGNATURE_FILE, SUMS_FILE};
    let (key, trust) = authority::load_release(authority_dir)?;
    let sums_path = dist.join(SUMS_FILE);
    let sums = std::fs::read(&sums_path).map_err(|e| Error::io("read", &sums_path, e))?;
    let sig_path = dist.join(SIGNATURE_FILE);
    if sig_path.exists() && !force {
        return Err(Error::exists(sig_path));
    }
    let signature = protocol::release::sign(&sums, &key);
    let release = protocol::Release::verify(&trust, &sums, signature.as_bytes())
        .map_err(|e| Error::bad_file(&sums_path, e.to_string()))?;
    let checks = release.compare(|name| std::fs::read(dist.join(name)).ok());
    if let Some(bad) = checks.iter().find(|c| !c.is_same()) {
        return Err(Error::bad_file(
            &sums_path,
            format!(
                "it does not match the files beside it ({bad}): build the release again \
                 (node build.mjs) and sign what was built"
            ),
        ));
    }
    let entries = std::fs::read_dir(dist).map_err(|e| Error::io("list", dist, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list", dist, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != SUMS_FILE
            && name != SIGNATURE_FILE
            && !release.files().iter().any(|f| f.name == name)
        {
            return Err(Error::bad_file(
                &sums_path,
                format!(
                    "it does not list {name}, which is in {}: build the release again into an \
                     empty directory and sign what was built",
                    dist.display()
                ),
            ));
        }
    }
    if force {
        files::write_replace(&sig_path, signature.as_bytes(), 0o644)?;
    } else {
        files::write_new(&sig_path, signature.as_bytes(), 0o644)?;
    }
    Ok(release)
}

#[cfg(test)]
mod csv_tests {
    use super::csv_cell;

    #[test]
    fn formulas_are_neutralised_and_phone_numbers_kept() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(
            csv_cell("-2+3"),
            "-2+3",
            "digits and operators only: a number, inert"
        );
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("+44 7700 900001"), "+44 7700 900001");
        assert_eq!(csv_cell("Alice"), "Alice");
    }
}

//! The health authority's tool: authority set-up, case review, notice publishing, and opening
//! consented contact records. Every step shows what it is about to do; the binary (`main.rs`)
//! only parses arguments and prints.
#![forbid(unsafe_code)]

pub mod authority;
pub mod error;
pub mod files;
pub mod keys;
pub mod time;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::case::CaseDiary;
use protocol::notice::{ENTRY_LEN, build_entries, sign_bundle};
use protocol::{
    Certificate, ContactRecord, NoticePayload, Poster, Severity, Tag, VenueNotice, hours_covered,
    vault_tag,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use error::Error;
use keys::TracerIdentity;

/// How long a notice window may be without `--long`.
pub const MAX_WINDOW_WITHOUT_LONG: u64 = 24 * 3600;
/// How far back a notice may reach: the retention period of notices and diaries.
pub const RETENTION_SECS: u64 = 14 * 86_400;

/// Reads a poster from a URL, a bare payload, or an image of its QR code.
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

/// `tracer authority certify`: the root signs a certificate for a tracer key.
pub fn certify(
    authority_dir: &Path,
    tracer_pub: &Path,
    name: &str,
    days: u64,
    now: u64,
) -> Result<Certificate, Error> {
    if days == 0 || days > 400 {
        return Err(Error::Invalid("--days must be 1 to 400".into()));
    }
    let auth = authority::load(authority_dir)?;
    let key = keys::read_pub(tracer_pub)?;
    Certificate::issue(&auth.root, &key, name, now, now + days * 86_400)
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// `tracer case open`: decrypts a shared case diary.
pub fn open_case(authority_dir: &Path, file: &Path) -> Result<CaseDiary, Error> {
    let auth = authority::load(authority_dir)?;
    let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    CaseDiary::open(&auth.sealing, &bytes)
        .map_err(|e| Error::BadFile(file.to_path_buf(), e.to_string()))
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
            .map_err(|_| Error::Invalid(format!("--pick: '{part}' is not a number")))?;
        if n == 0 || n > items.len() {
            return Err(Error::Invalid(format!(
                "--pick: there is no check-in number {n} (the case has {})",
                items.len()
            )));
        }
        if seen.insert(n) {
            out.push(items[n - 1].clone());
        }
    }
    if out.is_empty() {
        return Err(Error::Invalid("--pick names no check-in".into()));
    }
    Ok(out)
}

/// A notice ready to post, with what the summary shows.
pub struct NotifyPlan {
    /// The venues, deduplicated.
    pub venues: Vec<Poster>,
    /// The window.
    pub from: u64,
    /// The window's end.
    pub to: u64,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// Hours the window covers per venue.
    pub hours: usize,
    /// The signed bundle.
    pub bundle: Vec<u8>,
    /// Number of entries.
    pub entries: usize,
}

/// Validates the window and builds the signed bundle.
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
    if venues.is_empty() {
        return Err(Error::Invalid("no venue to notify".into()));
    }
    if to <= from {
        return Err(Error::Invalid("--from must be before --to".into()));
    }
    if to > now + 300 {
        return Err(Error::Invalid(
            "--to is in the future: a notice can only cover time that has passed".into(),
        ));
    }
    if from + RETENTION_SECS < now {
        return Err(Error::Invalid(
            "--from is more than 14 days ago: phones have already deleted visits that old".into(),
        ));
    }
    if to - from > MAX_WINDOW_WITHOUT_LONG && !long {
        return Err(Error::Invalid(format!(
            "the window is {} hours; more than 24 hours per venue needs --long",
            (to - from).div_ceil(3600)
        )));
    }
    if !id.cert.is_valid_at(now) {
        return Err(Error::Invalid(format!(
            "the tracer certificate is not valid now (valid {} to {} Unix time): ask the authority for a new one",
            id.cert.not_before(),
            id.cert.not_after()
        )));
    }
    let mut unique: Vec<Poster> = Vec::new();
    for v in venues {
        if !unique.iter().any(|u| u.venue_id() == v.venue_id()) {
            unique.push(v);
        }
    }
    let payload = NoticePayload {
        start: from,
        end: to,
        severity,
        message: message.to_owned(),
    };
    payload
        .validate()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let notices: Vec<VenueNotice> = unique
        .iter()
        .map(|p| VenueNotice {
            venue_id: p.venue_id(),
            payload: payload.clone(),
        })
        .collect();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let entries: Vec<[u8; ENTRY_LEN]> =
        build_entries(&mut rng, &notices).map_err(|e| Error::Invalid(e.to_string()))?;
    let n = entries.len();
    let bundle =
        sign_bundle(&id.key, &id.cert, now, entries).map_err(|e| Error::Invalid(e.to_string()))?;
    let hours = hours_covered(from, to).count();
    Ok(NotifyPlan {
        venues: unique,
        from,
        to,
        severity,
        message: message.to_owned(),
        hours,
        bundle,
        entries: n,
    })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// POSTs JSON and returns the JSON answer, turning a refusal into [`Error::Refused`].
pub fn post_json(server: &str, path: &str, body: &Value) -> Result<Value, Error> {
    let url = format!("{}{path}", server.trim_end_matches('/'));
    let mut res = agent()
        .post(&url)
        .header("content-type", "application/json")
        .send(body.to_string())
        .map_err(|e| Error::Unreachable(format!("{url}: {e}")))?;
    let status = res.status().as_u16();
    let text = res
        .body_mut()
        .read_to_string()
        .map_err(|e| Error::Unreachable(format!("{url}: {e}")))?;
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !(200..300).contains(&status) {
        return Err(Error::Refused {
            status,
            error: v["error"].as_str().unwrap_or("unknown").to_owned(),
            detail: v["detail"].as_str().unwrap_or(&text).to_owned(),
        });
    }
    Ok(v)
}

/// Posts a planned bundle; returns the server's sequence number and whether it was new.
pub fn post_bundle(server: &str, plan: &NotifyPlan) -> Result<(u64, bool), Error> {
    let v = post_json(
        server,
        "/v1/bundles",
        &serde_json::json!({ "bundle": URL_SAFE_NO_PAD.encode(&plan.bundle) }),
    )?;
    let seq = v["seq"]
        .as_u64()
        .ok_or_else(|| Error::Unreachable("the server's answer has no sequence number".into()))?;
    Ok((seq, !v["duplicate"].as_bool().unwrap_or(false)))
}

/// The request file `venue-keygen unwrap` reads (its `src/vault.rs` documents the format).
#[derive(Serialize, Deserialize)]
pub struct VaultRequest {
    /// `checkin-vault-request/v1`.
    pub format: String,
    /// The venue's poster payload.
    pub poster: String,
    /// Epoch hours asked about.
    pub hours: Vec<u64>,
    /// Records, base64url.
    pub records: Vec<String>,
    /// The exposure window's start (for `vault open` to keep only overlapping visits).
    pub from: u64,
    /// The window's end.
    pub to: u64,
}

/// `tracer vault fetch`: signs a query for the venue's hours and collects the records.
pub fn vault_fetch(
    id: &TracerIdentity,
    server: &str,
    poster: &Poster,
    from: u64,
    to: u64,
    now: u64,
) -> Result<VaultRequest, Error> {
    if to <= from {
        return Err(Error::Invalid("--from must be before --to".into()));
    }
    let hours: Vec<u64> = hours_covered(from, to).collect();
    if hours.len() > protocol::query::MAX_QUERY_TAGS {
        return Err(Error::Invalid(format!(
            "the window covers {} hours; one query may ask for {} at most",
            hours.len(),
            protocol::query::MAX_QUERY_TAGS
        )));
    }
    let tags: Vec<Tag> = hours
        .iter()
        .map(|&h| vault_tag(&poster.venue_id(), h))
        .collect();
    let mut rng = rand_core::UnwrapErr(rand::rngs::SysRng);
    let query = protocol::query::sign_query(&mut rng, &id.key, &id.cert, now, &tags)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let v = post_json(
        server,
        "/v1/vault/query",
        &serde_json::json!({ "query": URL_SAFE_NO_PAD.encode(query) }),
    )?;
    let records: Vec<String> = v["records"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Ok(VaultRequest {
        format: "checkin-vault-request/v1".into(),
        poster: poster.payload(),
        hours,
        records,
        from,
        to,
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
    let auth = authority::load(authority_dir)?;
    let req_bytes = std::fs::read(request).map_err(|e| Error::io("read", request, e))?;
    let req: VaultRequest = serde_json::from_slice(&req_bytes).map_err(|_| {
        Error::BadFile(
            request.to_path_buf(),
            "it is not a vault request file".into(),
        )
    })?;
    let resp_bytes = std::fs::read(response).map_err(|e| Error::io("read", response, e))?;
    let resp: Value = serde_json::from_slice(&resp_bytes).map_err(|_| {
        Error::BadFile(
            response.to_path_buf(),
            "it is not a vault response file".into(),
        )
    })?;
    if resp["format"] != "checkin-vault-response/v1" {
        return Err(Error::BadFile(
            response.to_path_buf(),
            "it is not a vault response file".into(),
        ));
    }
    if resp["request"].as_str() != Some(blake3::hash(&req_bytes).to_hex().as_str()) {
        return Err(Error::Invalid(format!(
            "{} does not answer {}: the venue unwrapped another request",
            response.display(),
            request.display()
        )));
    }
    let poster = Poster::from_payload(&req.poster)
        .map_err(|e| Error::BadFile(request.to_path_buf(), e.to_string()))?;
    let allowed: Vec<Tag> = req
        .hours
        .iter()
        .map(|&h| vault_tag(&poster.venue_id(), h))
        .collect();
    let mut out = Opened {
        contacts: Vec::new(),
        failed: Vec::new(),
        refused_by_venue: 0,
        outside_window: 0,
    };
    out.refused_by_venue = resp["refused"].as_array().map(Vec::len).unwrap_or(0);
    for r in resp["records"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let index = r["index"].as_u64().unwrap_or(0);
        let inner = r["inner"]
            .as_str()
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
            .unwrap_or_default();
        if protocol::vault::record_tag(&inner).is_none_or(|t| !allowed.contains(&t)) {
            out.failed.push(format!(
                "record {index}: not for this venue and these hours"
            ));
            continue;
        }
        match protocol::vault::open_inner(&auth.sealing, &inner) {
            Ok(c) => {
                if c.departure <= req.from || c.arrival >= req.to {
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

/// Writes the contacts as CSV: name, phone, email, party_size, arrival, departure.
pub fn write_contacts_csv(
    path: &Path,
    contacts: &[ContactRecord],
    tz: &jiff::tz::TimeZone,
    replace: bool,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let row_err = |e: csv::Error| Error::Invalid(format!("cannot write CSV: {e}"));
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
            c.name.as_str(),
            c.phone.as_str(),
            c.email.as_str(),
            &c.party_size.to_string(),
            &time::show(c.arrival, tz),
            &time::show(c.departure, tz),
        ])
        .map_err(row_err)?;
    }
    let data = w
        .into_inner()
        .map_err(|e| Error::Invalid(format!("cannot write CSV: {e}")))?;
    let data = zeroize::Zeroizing::new(data);
    if replace {
        files::write_replace(path, &data, 0o600)
    } else {
        files::write_new(path, &data, 0o600)
    }
}

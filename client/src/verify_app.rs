//! `checkin verify-app`: compares what a server serves as the web app with a release signed by
//! the authority (spec section 16d), for anyone (an auditor, a journalist, a venue) who holds
//! the authority's trust file. It needs no diary and sends nothing but the GETs of the app's
//! files, which every phone makes.

use std::path::Path;
use std::time::Duration;

use protocol::release::{FileCheck, SIGNATURE_FILE, SUMS_FILE};
use protocol::{Release, TrustAnchor};

use crate::Error;

/// Largest file of the app read.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// What `verify-app` found.
pub struct AppReport {
    /// The authority whose release key signed the release compared with.
    pub authority: String,
    /// Where the signed release came from: the server, or a release directory.
    pub release_from: String,
    /// Each file of the release, as the server serves it; with a release directory, also
    /// the server's `SHA256SUMS` and `SHA256SUMS.sig` compared with the directory's.
    pub checks: Vec<FileCheck>,
}

impl AppReport {
    /// The files the server serves otherwise than the release, or not at all.
    pub fn differing(&self) -> Vec<&FileCheck> {
        self.checks.iter().filter(|c| !c.is_same()).collect()
    }
}

/// The URL of a release file on a server whose app is at `app_url`: the page (`index.html`)
/// is the app's path itself, every other file is beside it (spec section 16b).
fn file_url(app_url: &str, name: &str) -> String {
    if name == "index.html" {
        app_url.to_owned()
    } else {
        format!("{app_url}/{name}")
    }
}

/// GETs `url`: `Ok(None)` on 404, the bytes on 200, an error otherwise.
fn fetch(agent: &ureq::Agent, url: &str) -> Result<Option<Vec<u8>>, Error> {
    let mut res = agent.get(url).call().map_err(|e| Error::Unreachable {
        what: url.to_owned(),
        source: Some(e.into()),
    })?;
    match res.status().as_u16() {
        200 => {}
        404 => return Ok(None),
        status => {
            return Err(Error::Unreachable {
                what: format!("{url} answered {status}"),
                source: None,
            });
        }
    }
    res.body_mut()
        .with_config()
        .limit(MAX_FILE_BYTES)
        .read_to_vec()
        .map(Some)
        .map_err(|e| Error::ServerMisbehaved(format!("{url} could not be read whole ({e})")))
}

/// Compares the app a server serves at `app_url` (such as `https://HOST/v1/c`) with the
/// release signed by the release key of the trust file at `trust_file`: the release the
/// server itself serves (its `SHA256SUMS` and `SHA256SUMS.sig`), or, with `release_dir`, the
/// release in that directory (a signed build, such as `web/dist`).
pub fn verify_app(
    app_url: &str,
    trust_file: &Path,
    release_dir: Option<&Path>,
) -> Result<AppReport, Error> {
    let text = std::fs::read_to_string(trust_file)
        .map_err(|e| common::Error::io("read the trust file", trust_file, e))?;
    let trust = TrustAnchor::parse(&text)
        .map_err(|e| Error::Invalid(format!("{}: {e}", trust_file.display())))?;
    let app_url = app_url.trim_end_matches('/');
    let agent = common::http::agent(Duration::from_secs(10), Duration::from_secs(60));
    let served = |name: &str| fetch(&agent, &file_url(app_url, name));
    let (sums, signature, release_from) = match release_dir {
        Some(dir) => {
            let read = |name: &str| {
                std::fs::read(dir.join(name))
                    .map_err(|e| Error::File(common::Error::io("read", dir.join(name), e)))
            };
            (
                read(SUMS_FILE)?,
                read(SIGNATURE_FILE)?,
                format!("the release in {}", dir.display()),
            )
        }
        None => {
            let missing = |name: &str| {
                Error::ServerMisbehaved(format!(
                    "{app_url} serves no {name}: it publishes no signed release to compare with; \
                     give the release to compare with (--release DIR)"
                ))
            };
            (
                served(SUMS_FILE)?.ok_or_else(|| missing(SUMS_FILE))?,
                served(SIGNATURE_FILE)?.ok_or_else(|| missing(SIGNATURE_FILE))?,
                format!("the release {app_url} serves ({SUMS_FILE}, {SIGNATURE_FILE})"),
            )
        }
    };
    let release = Release::verify(&trust, &sums, &signature)
        .map_err(|e| Error::ServerMisbehaved(format!("{release_from}: {e}")))?;
    let mut failure = None;
    let mut checks = release.compare(|name| match served(name) {
        Ok(bytes) => bytes,
        Err(e) => {
            failure.get_or_insert(e);
            None
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if release_dir.is_some() {
        // The server's own hashes and signature, compared with the release's as files.
        for (name, ours) in [(SUMS_FILE, &sums), (SIGNATURE_FILE, &signature)] {
            checks.push(match served(name)? {
                None => FileCheck::Missing(name.to_owned()),
                Some(theirs) if theirs == *ours => FileCheck::Same(name.to_owned()),
                Some(theirs) => FileCheck::Differs {
                    name: name.to_owned(),
                    served: protocol::release::sha256(&theirs),
                },
            });
        }
    }
    Ok(AppReport {
        authority: trust.authority,
        release_from,
        checks,
    })
}

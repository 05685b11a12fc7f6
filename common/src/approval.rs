//! Approval requests and approvals, the files between a tracer and a venue (or the authority)
//! that make a notice able to alert (spec section 11a, "Approval"): reading them strictly,
//! checking what they ask, and saying it in plain words before anyone signs.

use std::path::Path;

use api::files::{APPROVAL_FORMAT, APPROVAL_REQUEST_FORMAT, Approval, ApprovalRequest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::tz::TimeZone;
use protocol::approval::{self as pa, Approver, Statement};
use protocol::{Certificate, Poster, Severity, TrustAnchor, VerifyingKey};

use crate::Error;

/// Oldest window start a notice may have: phones keep visits 14 days.
const RETENTION_SECS: u64 = 14 * 86_400;

/// A request, decoded and checked.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file as read.
    pub request: ApprovalRequest,
    /// The venue's poster.
    pub poster: Poster,
    /// The tracer's certificate, verified under the pinned root.
    pub cert: Certificate,
    /// What an approval signs.
    pub statement: Statement,
}

/// The request for one venue's notice.
pub fn request(
    poster: &Poster,
    cert: &Certificate,
    start: u64,
    end: u64,
    severity: Severity,
    message: &str,
) -> ApprovalRequest {
    ApprovalRequest {
        format: APPROVAL_REQUEST_FORMAT.to_owned(),
        poster: poster.payload(),
        certificate: URL_SAFE_NO_PAD.encode(cert.to_bytes()),
        start,
        end,
        severity: severity_word(severity).to_owned(),
        message: message.to_owned(),
    }
}

/// `low` or `high`.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::High => "high",
    }
}

fn bad(path: &Path, why: impl Into<String>) -> Error {
    Error::BadFile(path.to_path_buf(), why.into())
}

/// Reads a JSON file of type `T`, naming the file and the problem.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    serde_json::from_str(&text).map_err(|e| bad(path, format!("it is not {what} ({e})")))
}

/// Checks a request against the pinned `trust` at `now`: the poster decodes, the certificate
/// verifies under the root and is valid now, and the window and message are ones phones
/// accept (spec sections 11.1 and 11a).
pub fn check(
    path: &Path,
    request: ApprovalRequest,
    trust: &TrustAnchor,
    now: u64,
) -> Result<Checked, Error> {
    if request.format != APPROVAL_REQUEST_FORMAT {
        return Err(bad(
            path,
            format!(
                "its format is '{}', not '{APPROVAL_REQUEST_FORMAT}'",
                request.format
            ),
        ));
    }
    let poster = Poster::from_payload(&request.poster)
        .map_err(|e| bad(path, format!("its poster does not verify: {e}")))?;
    let cert_bytes = URL_SAFE_NO_PAD
        .decode(request.certificate.as_bytes())
        .map_err(|_| bad(path, "its certificate is not base64url"))?;
    let cert = Certificate::decode(&cert_bytes)
        .map_err(|e| bad(path, format!("its certificate does not decode: {e}")))?;
    cert.verify(&trust.root).map_err(|e| {
        bad(
            path,
            format!(
                "its tracer certificate was not issued by {} (the trust file's root): {e}; \
                 do not approve it",
                trust.authority
            ),
        )
    })?;
    if !cert.is_valid_at(now) {
        return Err(bad(
            path,
            format!(
                "the tracer's certificate is not valid now (it is valid {} to {} UTC)",
                crate::time::show(cert.not_before(), &TimeZone::UTC),
                crate::time::show(cert.not_after(), &TimeZone::UTC)
            ),
        ));
    }
    let severity = match request.severity.as_str() {
        "low" => Severity::Low,
        "high" => Severity::High,
        other => {
            return Err(bad(
                path,
                format!("its severity is '{other}', not low or high"),
            ));
        }
    };
    let statement = Statement {
        venue_id: poster.venue_id(),
        cert_digest: pa::cert_digest(&cert),
        start: request.start,
        end: request.end,
        severity,
        message: request.message.clone(),
    };
    statement.validate().map_err(|e| bad(path, e.to_string()))?;
    if request.end > now + 300 {
        return Err(bad(path, "its window ends in the future"));
    }
    if request.start + RETENTION_SECS < now {
        return Err(bad(
            path,
            "its window starts more than 14 days ago: phones no longer hold visits that old",
        ));
    }
    Ok(Checked {
        request,
        poster,
        cert,
        statement,
    })
}

impl Checked {
    /// What is asked, in plain words, for the person about to approve it.
    pub fn describe(&self, authority: &str, tz: &TimeZone) -> String {
        let info = self.poster.info();
        let sev = match self.statement.severity {
            Severity::High => "HIGH (act now)",
            Severity::Low => "low (watch for symptoms)",
        };
        format!(
            "Tracer \"{tracer}\", certified by {authority} until {until}, asks to notify:\n\
             \n  Venue      {name} ({address}), fingerprint {fp}\n\
             \x20 Window     {from} to {to}\n\
             \x20 Severity   {sev}\n\
             \x20 Message    {msg}\n\
             \nEvery phone that checked in at {name} during that window will show this \
             message.\n",
            tracer = self.cert.name(),
            until = crate::time::show(self.cert.not_after(), tz),
            name = info.name,
            address = if info.address.is_empty() {
                "no address"
            } else {
                &info.address
            },
            fp = self.poster.fingerprint(),
            from = crate::time::show(self.statement.start, tz),
            to = crate::time::show(self.statement.end, tz),
            msg = self.statement.message,
        )
    }

    /// The approval file for `approval`.
    pub fn approval_file(&self, approval: &pa::Approval) -> Approval {
        Approval {
            format: APPROVAL_FORMAT.to_owned(),
            request: self.request.clone(),
            approver: approval.by.name().to_owned(),
            signature: URL_SAFE_NO_PAD.encode(approval.signature),
        }
    }
}

/// An approval, checked: the request it approves and the signature, verified with the
/// venue's poster key or the emergency key of `trust`.
pub fn check_approval(
    path: &Path,
    file: Approval,
    trust: &TrustAnchor,
    now: u64,
) -> Result<(Checked, pa::Approval), Error> {
    if file.format != APPROVAL_FORMAT {
        return Err(bad(
            path,
            format!("its format is '{}', not '{APPROVAL_FORMAT}'", file.format),
        ));
    }
    let by = Approver::from_name(&file.approver).ok_or_else(|| {
        bad(
            path,
            format!(
                "its approver is '{}', not venue or authority",
                file.approver
            ),
        )
    })?;
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(file.signature.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad(path, "its signature is not 64 bytes of base64url"))?;
    let checked = check(path, file.request, trust, now)?;
    let approval = pa::Approval { by, signature };
    let venue_key: &VerifyingKey = checked.poster.verifying_key();
    checked
        .statement
        .verify(&approval, venue_key, &trust.emergency)
        .map_err(|_| {
            bad(
                path,
                match by {
                    Approver::Venue => format!(
                        "the signature is not {}'s venue key's: ask the venue to approve it again",
                        checked.poster.info().name
                    ),
                    Approver::Authority => format!(
                        "the signature is not the emergency key of {}",
                        trust.authority
                    ),
                },
            )
        })?;
    Ok((checked, approval))
}

/// Asks `question` and reads the answer from standard input: only `y` or `yes` (any case)
/// approves; anything else, or no input at all, refuses. `yes` answers for scripts.
pub fn confirm(question: &str, yes: bool) -> Result<bool, Error> {
    use std::io::Write as _;
    if yes {
        return Ok(true);
    }
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("read the answer from", "standard input", e))?;
    Ok(matches!(line.trim().to_lowercase().as_str(), "y" | "yes"))
}

//! Approval requests and approvals, the files between a tracer and a venue (or the authority)
//! that make a notice able to alert (spec section 11a, "Approval"): reading them strictly,
//! checking what they ask, and saying it in plain words before anyone signs.

use std::path::Path;

use api::files::{
    APPROVAL_FORMAT, APPROVAL_REQUEST_FORMAT, Approval, ApprovalRequest, OfficerSignature,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::tz::TimeZone;
use protocol::approval::{self as pa, Approver, Statement};
use protocol::{
    ApprovalError, CertError, Certificate, FileError, Poster, Severity, TrustAnchor, VerifyingKey,
};

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

/// Reads an approval request file (`tracer notify request` writes them), refusing a file of
/// another kind or a damaged one under the spec's names.
pub fn read_request(path: &Path) -> Result<ApprovalRequest, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    crate::exchange::read_json(path, &bytes, APPROVAL_REQUEST_FORMAT, "an approval request")
}

/// Reads an approval file (`venue-keygen approve` and `tracer authority approve` write them).
pub fn read_approval(path: &Path) -> Result<Approval, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    crate::exchange::read_json(path, &bytes, APPROVAL_FORMAT, "an approval")
}

/// Checks a request against the pinned `trust` at `now`, in the order of spec section 11a.1:
/// the poster decodes and verifies, the certificate verifies under the root and is valid now,
/// the severity, window and message are ones phones accept (section 11.1), and the window
/// ends by now + 300 seconds and starts at most 14 days ago. `path` names the file in errors.
pub fn check(
    path: &Path,
    request: ApprovalRequest,
    trust: &TrustAnchor,
    now: u64,
) -> Result<Checked, Error> {
    if request.format != APPROVAL_REQUEST_FORMAT {
        let e = FileError::WrongKind {
            expected: "an approval request",
            given: format!("a file of format '{}'", request.format.escape_debug()),
        };
        return Err(Error::refused(path, e.code(), &e));
    }
    let poster = Poster::from_payload(&request.poster)
        .map_err(|e| Error::refused(path, e.code(), format!("its poster does not verify: {e}")))?;
    let cert = crate::exchange::certificate(path, &request.certificate, trust)?;
    if !cert.is_valid_at(now) {
        return Err(Error::refused(
            path,
            CertError::NotValidAt { at: now }.code(),
            format!(
                "the tracer's certificate is not valid now (it is valid {} to {} UTC)",
                crate::time::show(cert.not_before(), &TimeZone::UTC),
                crate::time::show(cert.not_after(), &TimeZone::UTC)
            ),
        ));
    }
    let refuse = |e: ApprovalError| Error::refused(path, e.code(), &e);
    let severity = match request.severity.as_str() {
        "low" => Severity::Low,
        "high" => Severity::High,
        _ => return Err(refuse(ApprovalError::InvalidSeverity)),
    };
    let statement = Statement {
        venue_id: poster.venue_id(),
        cert_digest: pa::cert_digest(&cert),
        start: request.start,
        end: request.end,
        severity,
        message: request.message.clone(),
    };
    statement
        .validate()
        .map_err(|e| Error::refused(path, e.code(), &e))?;
    if request.end > now.saturating_add(300) {
        return Err(refuse(ApprovalError::WindowInFuture));
    }
    if request.start.saturating_add(RETENTION_SECS) < now {
        return Err(refuse(ApprovalError::WindowTooOld));
    }
    Ok(Checked {
        request,
        poster,
        cert,
        statement,
    })
}

/// What a venue checks besides [`check`]: that the request's poster carries its own Ed25519
/// key (`own`, from its key file), so that it approves notices for itself only.
pub fn check_own_venue(path: &Path, checked: &Checked, own: &Poster) -> Result<(), Error> {
    if checked.poster.verifying_key() != own.verifying_key() {
        let e = ApprovalError::NotOwnVenue;
        return Err(Error::refused(
            path,
            e.code(),
            format!(
                "{e} (the request is for {}, fingerprint {}; this key is {}'s, fingerprint {})",
                checked.poster.info().name,
                checked.poster.fingerprint(),
                own.info().name,
                own.fingerprint()
            ),
        ));
    }
    Ok(())
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

    /// The approval file for `approval`; an authority approval names its officers by their
    /// keys in `trust`.
    pub fn approval_file(&self, approval: &pa::Approval, trust: &TrustAnchor) -> Approval {
        let (signature, officers) = match approval {
            pa::Approval::Venue(sig) => (Some(URL_SAFE_NO_PAD.encode(sig)), None),
            pa::Approval::Authority(sigs) => (
                None,
                Some(
                    sigs.iter()
                        .filter_map(|s| {
                            let key = trust.emergency.keys().get(usize::from(s.officer))?;
                            Some(OfficerSignature {
                                key: URL_SAFE_NO_PAD.encode(key.as_bytes()),
                                signature: URL_SAFE_NO_PAD.encode(s.signature),
                            })
                        })
                        .collect(),
                ),
            ),
        };
        Approval {
            format: APPROVAL_FORMAT.to_owned(),
            request: self.request.clone(),
            approver: approval.by().name().to_owned(),
            signature,
            officers,
        }
    }
}

/// An approval file, checked up to the threshold: the request it approves and its
/// signatures, each verified (the venue's poster key, or each officer's key of `trust`). An
/// authority approval may still carry fewer officers than the threshold: [`check_approval`]
/// refuses that, [`combine`] adds the missing ones.
pub fn check_signatures(
    path: &Path,
    file: Approval,
    trust: &TrustAnchor,
    now: u64,
) -> Result<(Checked, pa::Approval), Error> {
    if file.format != APPROVAL_FORMAT {
        let e = FileError::WrongKind {
            expected: "an approval",
            given: format!("a file of format '{}'", file.format.escape_debug()),
        };
        return Err(Error::refused(path, e.code(), &e));
    }
    let refuse = |e: ApprovalError, detail: String| {
        Error::refused(path, e.code(), format!("{e} ({detail})"))
    };
    let by = Approver::from_name(&file.approver).ok_or_else(|| {
        refuse(
            ApprovalError::InvalidApprover,
            format!("it says '{}'", file.approver.escape_debug()),
        )
    })?;
    let malformed = |why: &'static str| {
        let e = FileError::Malformed(why.to_owned());
        Error::refused(path, e.code(), &e)
    };
    let approval = match (by, &file.signature, &file.officers) {
        (Approver::Venue, Some(sig), None) => {
            pa::Approval::Venue(crate::exchange::value(path, "signature", sig)?)
        }
        (Approver::Venue, _, _) => {
            return Err(malformed(
                "a venue's approval carries one 'signature' and no 'officers'",
            ));
        }
        (Approver::Authority, None, Some(officers)) => {
            let mut sigs: Vec<pa::OfficerSignature> = Vec::with_capacity(officers.len());
            for o in officers {
                let key: [u8; 32] = crate::exchange::value(path, "officer key", &o.key)?;
                let signature = crate::exchange::value(path, "signature", &o.signature)?;
                let officer = VerifyingKey::from_bytes(&key)
                    .ok()
                    .and_then(|k| trust.emergency.index_of(&k))
                    .ok_or_else(|| {
                        refuse(
                            ApprovalError::UnknownOfficer,
                            format!(
                                "key {} is not one of {}'s emergency officers in the trust file",
                                o.key, trust.authority
                            ),
                        )
                    })?;
                if sigs.iter().any(|s| s.officer == officer) {
                    return Err(refuse(
                        ApprovalError::DuplicateOfficer,
                        format!("officer key {} signed twice", o.key),
                    ));
                }
                sigs.push(pa::OfficerSignature { officer, signature });
            }
            sigs.sort_by_key(|s| s.officer);
            pa::Approval::Authority(sigs)
        }
        (Approver::Authority, _, _) => {
            return Err(malformed(
                "an authority approval carries 'officers' and no 'signature'",
            ));
        }
    };
    let checked = check(path, file.request, trust, now)?;
    let bad = |detail: String| refuse(ApprovalError::BadSignature, detail);
    match &approval {
        pa::Approval::Venue(_) => checked
            .statement
            .verify(&approval, checked.poster.verifying_key(), &trust.emergency)
            .map_err(|_| {
                bad(format!(
                    "it is not {}'s venue key's signature",
                    checked.poster.info().name
                ))
            })?,
        pa::Approval::Authority(sigs) => {
            for s in sigs {
                checked
                    .statement
                    .verify_officer(s, &trust.emergency)
                    .map_err(|_| {
                        bad(format!(
                            "emergency officer {} of {} did not sign this request",
                            s.officer, trust.authority
                        ))
                    })?;
            }
        }
    }
    Ok((checked, approval))
}

/// An approval, checked: [`check_signatures`], and for an authority approval at least the
/// trust file's threshold of officers.
pub fn check_approval(
    path: &Path,
    file: Approval,
    trust: &TrustAnchor,
    now: u64,
) -> Result<(Checked, pa::Approval), Error> {
    let (checked, approval) = check_signatures(path, file, trust, now)?;
    if let pa::Approval::Authority(sigs) = &approval
        && sigs.len() < trust.emergency.threshold()
    {
        let e = ApprovalError::TooFewOfficers;
        return Err(Error::refused(
            path,
            e.code(),
            format!(
                "{e} ({} of the {} the trust file requires: each further officer signs with \
                 'tracer authority approve', then 'tracer authority combine' joins them)",
                sigs.len(),
                trust.emergency.threshold()
            ),
        ));
    }
    Ok((checked, approval))
}

/// Joins authority approvals of one request, each signed by one or more officers, into one
/// approval that carries every officer's signature once: what the tracer publishes once it
/// holds the threshold. Refuses, in words, files of different requests, a venue's approval,
/// an officer who signed twice, and fewer officers in all than the threshold.
pub fn combine(
    files: &[(std::path::PathBuf, Approval)],
    trust: &TrustAnchor,
    now: u64,
) -> Result<(Checked, pa::Approval), Error> {
    let mut all: Vec<pa::OfficerSignature> = Vec::new();
    let mut first: Option<Checked> = None;
    for (path, file) in files {
        let (checked, approval) = check_signatures(path, file.clone(), trust, now)?;
        let pa::Approval::Authority(sigs) = approval else {
            let e = ApprovalError::InvalidApprover;
            return Err(Error::refused(
                path,
                e.code(),
                "it is a venue's approval: only the emergency officers' approvals are combined",
            ));
        };
        if let Some(f) = &first
            && f.request != checked.request
        {
            return Err(Error::Invalid(format!(
                "{} approves another request than {}: officers must sign the same request file",
                path.display(),
                files[0].0.display()
            )));
        }
        for s in sigs {
            if all.iter().any(|t| t.officer == s.officer) {
                let e = ApprovalError::DuplicateOfficer;
                return Err(Error::refused(
                    path,
                    e.code(),
                    format!("{e} (officer {} signed in an earlier file too)", s.officer),
                ));
            }
            all.push(s);
        }
        first.get_or_insert(checked);
    }
    let Some(checked) = first else {
        return Err(Error::Invalid(
            "give the officers' approval files to combine".into(),
        ));
    };
    if all.len() < trust.emergency.threshold() {
        let e = ApprovalError::TooFewOfficers;
        return Err(Error::Invalid(format!(
            "{e}: these files carry {} officer signature(s), and {} requires {}; ask another \
             emergency officer to run 'tracer authority approve' on the request",
            all.len(),
            trust.authority,
            trust.emergency.threshold()
        )));
    }
    all.sort_by_key(|s| s.officer);
    Ok((checked, pa::Approval::Authority(all)))
}

/// What a tracer checks besides [`check_approval`] before publishing: that the approval is
/// of a request made with its own certificate (`own`).
pub fn check_own_certificate(
    path: &Path,
    checked: &Checked,
    own: &Certificate,
) -> Result<(), Error> {
    if checked.cert.to_bytes() != own.to_bytes() {
        let e = ApprovalError::NotOwnCertificate;
        return Err(Error::refused(
            path,
            e.code(),
            format!(
                "{e}: it approves a notice by \"{}\"; only the tracer who asked can publish it \
                 (after a new certificate, ask for the approval again)",
                checked.cert.name()
            ),
        ));
    }
    Ok(())
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

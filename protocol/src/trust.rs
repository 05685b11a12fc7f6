//! The authority's public trust file, which servers and clients pin (spec section 16a, "Trust file").
//!
//! ```text
//! checkin-trust v1
//! authority: Example Health Board
//! serial: 3
//! root: <base64url Ed25519 public key>
//! emergency: <base64url Ed25519 public key of officer 0>
//! emergency: <base64url Ed25519 public key of officer 1>
//! emergency: <base64url Ed25519 public key of officer 2>
//! emergency_threshold: 2
//! case: <base64url X25519 public key>
//! release: <base64url Ed25519 public key that signs releases of the web app (optional)>
//! sealing: 2026-12-01 2027-01-01 <base64url X25519 public key>
//! sealing: 2027-01-01 2027-02-01 <base64url X25519 public key>
//! signature: <base64url Ed25519 signature by the root over every byte before this line>
//! ```
//!
//! Lines starting with `#` and blank lines are ignored; every field but `sealing`,
//! `emergency` and `release` appears exactly once; `release` at most once. The root signs the file as a whole, so that a server that serves it cannot
//! swap one of its keys; the serial only grows, so that an older file of the same authority
//! cannot be served again in place of a newer one ([`TrustAnchor::check_replaces`]). Each `sealing` line names a period of UTC days, from its first day up to (not
//! including) its second; the periods follow one another without gaps or overlaps.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, VerifyingKey};

use crate::approval::EmergencyOfficers;
use crate::domain;
use crate::error::TrustError;
use crate::keys::{Ed25519Secret, SealingPublicKey};
use crate::wire::check_text;

/// First line of a trust file.
pub const TRUST_HEADER: &str = "checkin-trust v1";
/// Longest authority name, bytes.
pub const MAX_AUTHORITY_NAME: usize = 64;
/// Most sealing periods a trust file may list.
pub const MAX_SEALING_PERIODS: usize = 64;
/// Seconds in a day.
const DAY: u64 = 86_400;
/// The last day a period may end on: 9999-12-31, day 2,932,896 after 1970-01-01.
const LAST_DAY: u64 = 2_932_896;

/// Checks an authority name against the text rules (1 to 64 bytes).
pub fn check_authority_name(name: &str) -> Result<(), crate::TextProblem> {
    check_text(name, MAX_AUTHORITY_NAME, true)
}

/// One sealing key and the period of time it seals (spec section 16a): vault records for an
/// hour that starts in `[from, until)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealingPeriod {
    /// First second of the period (a UTC midnight), Unix time.
    pub from: u64,
    /// First second after the period (a UTC midnight), Unix time.
    pub until: u64,
    /// The authority's public sealing key for this period.
    pub key: SealingPublicKey,
}

impl SealingPeriod {
    /// Whether Unix time `t` falls in this period.
    pub fn contains(&self, t: u64) -> bool {
        self.from <= t && t < self.until
    }
}

/// What clients and servers pin: the authority's name and public keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The authority's name, for people.
    pub authority: String,
    /// The file's serial number: each file the authority issues has a higher one.
    pub serial: u64,
    /// The root key that certifies tracers.
    pub root: VerifyingKey,
    /// The emergency officers: a threshold of them together approves notices in place of a
    /// venue the authority could not reach (spec section 11a). Each key is kept by one
    /// officer, apart from the root and from every tracer.
    pub emergency: EmergencyOfficers,
    /// The key case diaries are sealed to (spec section 15); no sealing period uses it.
    pub case: SealingPublicKey,
    /// The key that signs releases of the web app (spec section 16d), if the authority
    /// publishes signed releases; neither the root nor an officer's key.
    pub release: Option<VerifyingKey>,
    /// The keys that receive the inner layer of vault records, one per period, in order.
    pub sealing: Vec<SealingPeriod>,
}

/// `days` after 1970-01-01 as `YYYY-MM-DD` (days up to 9999-12-31).
pub fn format_day(days: u64) -> String {
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses a strict `YYYY-MM-DD` date (1970-01-01 to 9999-12-31) to days after 1970-01-01.
pub fn parse_day(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = &text[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if y < 1970 || d < 1 || d > month_len {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u64::try_from(era * 146_097 + doe - 719_468).ok()
}

/// Trims a line, a field name or a value of a trust file (spec section 16a): ASCII spaces,
/// tabs and carriage returns, and nothing else, so that every reader trims alike (Unicode's
/// white space differs between languages' `trim`, and a byte order mark is not white space).
fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r'])
}

impl TrustAnchor {
    /// The sealing key for vault records of the hour that starts at Unix time `t`, if a
    /// period covers it.
    pub fn sealing_key_at(&self, t: u64) -> Option<&SealingPublicKey> {
        self.sealing.iter().find(|p| p.contains(t)).map(|p| &p.key)
    }

    /// The end of the last sealing period, Unix time: no vault record can be sealed for an
    /// hour from then on.
    pub fn sealing_until(&self) -> u64 {
        self.sealing.last().map_or(0, |p| p.until)
    }

    /// The file's text, signed by `root` (which must be the secret key of `self.root`, or the
    /// file will not verify).
    pub fn sign(&self, root: &Ed25519Secret) -> String {
        sign_text(&self.body_text(), root)
    }

    /// Whether this file may replace `pinned`: only a file of the same root key, with a serial
    /// not older than the pinned one's (spec section 16a, "Pinning").
    pub fn check_replaces(&self, pinned: &TrustAnchor) -> Result<(), TrustError> {
        if self.root != pinned.root {
            return Err(TrustError::DifferentRoot);
        }
        if self.serial < pinned.serial {
            return Err(TrustError::OlderSerial {
                pinned: pinned.serial,
                offered: self.serial,
            });
        }
        Ok(())
    }

    /// The root key as people compare it: base64url in groups of four characters, as the
    /// web client's Settings show it.
    pub fn root_fingerprint(&self) -> String {
        crate::pin::root_fingerprint(&self.root)
    }

    /// The file's text without its `signature` line: what the root signs.
    pub fn body_text(&self) -> String {
        let mut out = format!(
            "{TRUST_HEADER}\n# Public. Servers and phones pin this file to know which authority to trust.\n\
             authority: {}\nserial: {}\nroot: {}\n",
            self.authority,
            self.serial,
            URL_SAFE_NO_PAD.encode(self.root.as_bytes()),
        );
        for k in self.emergency.keys() {
            out.push_str(&format!(
                "emergency: {}\n",
                URL_SAFE_NO_PAD.encode(k.as_bytes())
            ));
        }
        out.push_str(&format!(
            "emergency_threshold: {}\ncase: {}\n",
            self.emergency.threshold(),
            URL_SAFE_NO_PAD.encode(self.case.0)
        ));
        if let Some(release) = &self.release {
            out.push_str(&format!(
                "release: {}\n",
                URL_SAFE_NO_PAD.encode(release.as_bytes())
            ));
        }
        for p in &self.sealing {
            out.push_str(&format!(
                "sealing: {} {} {}\n",
                format_day(p.from / DAY),
                format_day(p.until / DAY),
                URL_SAFE_NO_PAD.encode(p.key.0)
            ));
        }
        out
    }

    /// Parses a trust file strictly and verifies its signature under the root key it names.
    /// Whether it may replace a pinned file is [`TrustAnchor::check_replaces`]'s question.
    pub fn parse(text: &str) -> Result<TrustAnchor, TrustError> {
        let mut lines = text
            .split('\n')
            .map(trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        if lines.next() != Some(TRUST_HEADER) {
            return Err(TrustError::NotATrustFile);
        }
        // The last line is the signature; it covers every byte before it.
        let end = text.trim_end_matches([' ', '\t', '\r', '\n']);
        let start = end.rfind('\n').map_or(0, |i| i + 1);
        let (body, last) = (&text[..start], &end[start..]);
        let signature = match last.split_once(':') {
            Some((k, v)) if trim(k) == "signature" => trim(v),
            _ => return Err(TrustError::Unsigned),
        };
        let anchor = Self::parse_body(body)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature.as_bytes())
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .ok_or(TrustError::BadSignature)?;
        anchor
            .root
            .verify_strict(
                &domain::signed_message(domain::TRUST_FILE, body.as_bytes()),
                &Signature::from_bytes(&signature),
            )
            .map_err(|_| TrustError::BadSignature)?;
        Ok(anchor)
    }

    fn parse_body(text: &str) -> Result<TrustAnchor, TrustError> {
        let lines = text
            .split('\n')
            .map(trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .skip(1);
        let (mut authority, mut root, mut threshold, mut case) = (None, None, None, None);
        let mut release = None;
        let mut serial = None;
        let mut sealing_lines = Vec::new();
        let mut emergency_lines = Vec::new();
        for line in lines {
            let (key, value) = line
                .split_once(':')
                .ok_or(TrustError::Malformed("a line has no ':'"))?;
            let value = trim(value);
            let slot = match trim(key) {
                "authority" => &mut authority,
                "serial" => &mut serial,
                "root" => &mut root,
                "emergency_threshold" => &mut threshold,
                "case" => &mut case,
                "release" => &mut release,
                "emergency" => {
                    emergency_lines.push(value);
                    continue;
                }
                "sealing" => {
                    sealing_lines.push(value);
                    continue;
                }
                _ => return Err(TrustError::Malformed("unknown field")),
            };
            if slot.replace(value.to_owned()).is_some() {
                return Err(TrustError::Malformed("a field appears twice"));
            }
        }
        let authority = authority.ok_or(TrustError::Malformed("the authority field is missing"))?;
        check_authority_name(&authority).map_err(TrustError::InvalidName)?;
        let serial = serial.ok_or(TrustError::Malformed("the serial field is missing"))?;
        let serial = (serial.bytes().all(|c| c.is_ascii_digit()) && !serial.starts_with('0'))
            .then(|| serial.parse::<u64>().ok())
            .flatten()
            .ok_or(TrustError::Malformed(
                "the serial is not a whole number from 1 to 18446744073709551615 in decimal \
                 without leading zeros",
            ))?;
        let key32 = |v: Option<&str>, what: &'static str| -> Result<[u8; 32], TrustError> {
            let v = v.ok_or(TrustError::Malformed(what))?;
            URL_SAFE_NO_PAD
                .decode(v.as_bytes())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .ok_or(TrustError::InvalidKey)
        };
        let root = key32(root.as_deref(), "the root field is missing")?;
        if emergency_lines.is_empty() {
            return Err(TrustError::Malformed("the emergency field is missing"));
        }
        let threshold = threshold.ok_or(TrustError::Malformed(
            "the emergency_threshold field is missing",
        ))?;
        let case = key32(case.as_deref(), "the case field is missing")?;
        let root = crate::keys::ed25519_public_key(&root).ok_or(TrustError::InvalidKey)?;
        let mut officers = Vec::with_capacity(emergency_lines.len());
        for line in &emergency_lines {
            let key = key32(Some(line), "")?;
            let key = crate::keys::ed25519_public_key(&key).ok_or(TrustError::InvalidKey)?;
            if key == root || officers.contains(&key) {
                return Err(TrustError::Malformed(
                    "an emergency key appears twice, or is the root key",
                ));
            }
            officers.push(key);
        }
        // A threshold is a small decimal number; anything else reads as 0, which is refused.
        let threshold = (threshold.len() <= 2
            && threshold.bytes().all(|c| c.is_ascii_digit())
            && !threshold.starts_with('0'))
        .then(|| threshold.parse::<usize>().ok())
        .flatten()
        .unwrap_or(0);
        let emergency = EmergencyOfficers::new(officers, threshold)?;
        if !crate::keys::x25519_public_key_ok(&case) {
            return Err(TrustError::InvalidKey);
        }
        let release = match release.as_deref() {
            None => None,
            Some(line) => {
                let key = key32(Some(line), "")?;
                let key = crate::keys::ed25519_public_key(&key).ok_or(TrustError::InvalidKey)?;
                if key == root || emergency.index_of(&key).is_some() {
                    return Err(TrustError::Malformed(
                        "the release key is the root key or an emergency key",
                    ));
                }
                Some(key)
            }
        };
        if sealing_lines.is_empty() {
            return Err(TrustError::Malformed("the sealing field is missing"));
        }
        if sealing_lines.len() > MAX_SEALING_PERIODS {
            return Err(TrustError::InvalidPeriod("more than 64 sealing periods"));
        }
        let mut sealing: Vec<SealingPeriod> = Vec::with_capacity(sealing_lines.len());
        for line in sealing_lines {
            let mut parts = line.split(' ');
            let (Some(from), Some(until), Some(key), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(TrustError::Malformed(
                    "a sealing line is not 'FROM UNTIL KEY', separated by single spaces",
                ));
            };
            let day = |d: &str| {
                parse_day(d).ok_or(TrustError::InvalidPeriod(
                    "a sealing period's day is not a date YYYY-MM-DD from 1970-01-01 to 9999-12-31",
                ))
            };
            let (from, until) = (day(from)?, day(until)?);
            if from >= until || until > LAST_DAY {
                return Err(TrustError::InvalidPeriod(
                    "a sealing period does not end after it starts",
                ));
            }
            if sealing.last().is_some_and(|p| p.until != from * DAY) {
                return Err(TrustError::InvalidPeriod(
                    "a sealing period does not start the day the one before it ends",
                ));
            }
            let key = key32(Some(key), "")?;
            if !crate::keys::x25519_public_key_ok(&key) {
                return Err(TrustError::InvalidKey);
            }
            if key == case || sealing.iter().any(|p| p.key.0 == key) {
                return Err(TrustError::Malformed(
                    "a sealing key appears twice, or is the case key",
                ));
            }
            sealing.push(SealingPeriod {
                from: from * DAY,
                until: until * DAY,
                key: SealingPublicKey(key),
            });
        }
        Ok(TrustAnchor {
            authority,
            serial,
            root,
            emergency,
            case: SealingPublicKey(case),
            release,
            sealing,
        })
    }
}

/// `body` followed by the root's `signature` line over every byte of it (spec section 16a).
/// `body` must end with a line break.
pub fn sign_text(body: &str, root: &Ed25519Secret) -> String {
    let sig = root
        .0
        .sign(&domain::signed_message(domain::TRUST_FILE, body.as_bytes()));
    format!(
        "{body}signature: {}\n",
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2000-03-01"), Some(11_017));
        assert_eq!(parse_day("9999-12-31"), Some(LAST_DAY));
        for bad in [
            "1969-12-31",
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "+2026-01-01",
            "2026-01-00",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        assert_eq!(parse_day("2024-02-29"), Some(19_782));
        for d in (0..=LAST_DAY).step_by(997).chain([LAST_DAY]) {
            assert_eq!(parse_day(&format_day(d)), Some(d));
        }
    }
}

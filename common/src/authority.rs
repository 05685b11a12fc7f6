//! The authority's directory: its secret keys and its public trust file; and the emergency
//! officers' directories, one per officer, apart from it.
//!
//! ```text
//! DIR/root.key                secret, mode 0600: "checkin-authority-root v1\nsecret: <base64url>\n"
//! DIR/case.key                secret, mode 0600: "checkin-authority-case v1\nsecret: <base64url>\n"
//! DIR/release.key             secret, mode 0600: "checkin-authority-release v1\nsecret: <base64url>\n"
//! DIR/sealing/YYYY-MM-DD.key  secret, mode 0600: "checkin-authority-sealing v1\nsecret: <base64url>\n",
//!                             one per sealing period, named by the period's first day
//! DIR/trust.txt               public: the trust file servers and phones pin (spec section 16a)
//!
//! OFFICER/officer.key         secret, mode 0600: "checkin-emergency-officer v1\nsecret: <base64url>\n"
//! OFFICER/officer.pub         public: "checkin-emergency-officer-pub v1\npublic: <base64url>\n"
//! ```
//!
//! Key files are created with mode 0600 and never replaced: `init` refuses a directory that
//! already holds any of them. Each key is meant for a different custodian (spec section 16a):
//! the root certifies tracers and signs the trust file, and stays offline; each emergency
//! officer makes their own key on their own machine ([`officer_init`]) and hands the root's
//! custodian only its public file, so that the root directory never holds an officer's key; a
//! threshold of officers together approves notices for venues that cannot be reached (section
//! 11a), and no officer may also hold a tracer key; the case key
//! opens case diaries; the release key signs each release of the web app (its `SHA256SUMS`,
//! spec section 16d) and is kept where releases are built, apart from the root; the sealing keys open contact records, one month each, and
//! [`rotate`] destroys each once no record sealed to it may still be asked for.

use std::path::{Path, PathBuf};

use jiff::ToSpan as _;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use protocol::trust::{SealingPeriod, format_day, parse_day};
use protocol::{Ed25519Secret, EmergencyOfficers, SealingSecretKey, TrustAnchor, VerifyingKey};
use rand_core::UnwrapErr;
use zeroize::Zeroizing;

use crate::Error;
use crate::files::write_new;

/// File name of the root signing key.
pub const ROOT_KEY: &str = "root.key";
/// File name of the case diary key.
pub const CASE_KEY: &str = "case.key";
/// File name of the key that signs releases of the web app.
pub const RELEASE_KEY: &str = "release.key";
/// Directory of the sealing keys, one file per period.
pub const SEALING_DIR: &str = "sealing";
/// File name of an emergency officer's secret key, in the officer's own directory.
pub const OFFICER_KEY: &str = "officer.key";
/// File name of an emergency officer's public key, in the officer's own directory.
pub const OFFICER_PUB: &str = "officer.pub";
/// Where [`init`] puts the officers of a development authority, inside its directory.
pub const DEV_OFFICERS_DIR: &str = "officers";
/// File name of the public trust file.
pub const TRUST_FILE: &str = "trust.txt";
/// File name of the authority's newest signed revocation list (public).
pub const REVOCATIONS_FILE: &str = "revocations.bin";
/// Months of sealing periods `init` creates, starting with the current one.
pub const DEFAULT_MONTHS: u32 = 12;
/// Days after a sealing period ends during which its records may still be asked for: the
/// server keeps a record 21 days (spec section 17.1), so its key must live as long.
pub const SEALING_RETENTION_DAYS: u64 = 21;

const ROOT_HEADER: &str = "checkin-authority-root v1";
const CASE_HEADER: &str = "checkin-authority-case v1";
const RELEASE_HEADER: &str = "checkin-authority-release v1";
const SEALING_HEADER: &str = "checkin-authority-sealing v1";
/// First line of an officer's secret key file.
pub const OFFICER_HEADER: &str = "checkin-emergency-officer v1";
/// First line of an officer's public key file.
pub const OFFICER_PUB_HEADER: &str = "checkin-emergency-officer-pub v1";
const DAY: u64 = 86_400;

/// The root key, loaded with the trust file it matches.
pub struct Authority {
    /// Root signing key.
    pub root: Ed25519Secret,
    /// Public trust anchor.
    pub trust: TrustAnchor,
}

fn key_text(header: &str, secret: &[u8; 32]) -> Zeroizing<String> {
    crate::keyfile::text(header, "secret", secret)
}

fn read_key(path: &Path, header: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
    crate::keyfile::read32(path, header, "secret")
}

/// The file of the sealing key for the period starting at Unix time `from`.
pub fn sealing_key_path(dir: &Path, from: u64) -> PathBuf {
    dir.join(SEALING_DIR)
        .join(format!("{}.key", format_day(from / DAY)))
}

/// The UTC date holding Unix time `t`.
fn utc_date(t: u64) -> Result<Date, Error> {
    let ts = jiff::Timestamp::from_second(i64::try_from(t).unwrap_or(i64::MAX))
        .map_err(|e| Error::Invalid(format!("the clock reads an impossible time: {e}")))?;
    Ok(ts.to_zoned(TimeZone::UTC).date())
}

/// The first day of the UTC month holding Unix time `t`.
fn month_start(t: u64) -> Result<Date, Error> {
    Ok(utc_date(t)?.first_of_month())
}

fn unix(d: Date) -> Result<u64, Error> {
    parse_day(&d.to_string())
        .map(|days| days * DAY)
        .ok_or_else(|| Error::Invalid(format!("{d} is outside 1970 to 9999")))
}

/// Creates a new sealing key for the month starting on `start`, writes it (0600, never
/// replacing) and returns its period.
fn new_period(dir: &Path, start: Date) -> Result<SealingPeriod, Error> {
    let next = start
        .checked_add(1.month())
        .map_err(|e| Error::Invalid(format!("cannot add a month to {start}: {e}")))?;
    let key = SealingSecretKey::generate(&mut UnwrapErr(rand::rngs::SysRng));
    let period = SealingPeriod {
        from: unix(start)?,
        until: unix(next)?,
        key: key.public_key(),
    };
    write_new(
        &sealing_key_path(dir, period.from),
        key_text(SEALING_HEADER, &key.to_bytes()).as_bytes(),
        0o600,
    )?;
    Ok(period)
}

/// Creates an emergency officer's key in `dir` (its own directory, on the officer's own
/// machine): `officer.key` (0600) and `officer.pub`, the public file the officer hands to the
/// root's custodian. Returns the public key.
pub fn officer_init(dir: &Path) -> Result<VerifyingKey, Error> {
    for f in [OFFICER_KEY, OFFICER_PUB] {
        if dir.join(f).exists() {
            return Err(Error::Exists(dir.join(f)));
        }
    }
    crate::files::create_dir(dir)?;
    let key = Ed25519Secret::generate(&mut UnwrapErr(rand::rngs::SysRng));
    write_new(
        &dir.join(OFFICER_KEY),
        key_text(OFFICER_HEADER, &key.to_bytes()).as_bytes(),
        0o600,
    )?;
    let public = key.verifying_key();
    write_new(
        &dir.join(OFFICER_PUB),
        crate::keyfile::text(OFFICER_PUB_HEADER, "public", public.as_bytes()).as_bytes(),
        0o644,
    )?;
    Ok(public)
}

/// Reads an officer's public file (`officer.pub`).
pub fn read_officer_pub(path: &Path) -> Result<VerifyingKey, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    crate::keyfile::ed25519_public(path, &bytes, OFFICER_PUB_HEADER, "public")
}

/// An emergency officer's key, with the trust file that lists it.
pub struct Officer {
    /// The officer's signing key.
    pub key: Ed25519Secret,
    /// Its position among the trust file's `emergency` keys.
    pub index: u8,
    /// The trust file.
    pub trust: TrustAnchor,
}

/// Loads an officer's key (`officer.key` in `dir`) and checks that the trust file at `trust`
/// lists it among its emergency officers.
pub fn load_officer(dir: &Path, trust: &Path) -> Result<Officer, Error> {
    let key = Ed25519Secret::from_bytes(*read_key(&dir.join(OFFICER_KEY), OFFICER_HEADER)?);
    let anchor = read_trust(trust)?;
    let index = anchor
        .emergency
        .index_of(&key.verifying_key())
        .ok_or_else(|| {
            Error::BadFile(
                trust.to_path_buf(),
                format!(
                    "it does not list the officer key in {} among {}'s emergency officers",
                    dir.join(OFFICER_KEY).display(),
                    anchor.authority
                ),
            )
        })?;
    Ok(Officer {
        key,
        index,
        trust: anchor,
    })
}

/// Creates a development authority in `dir`: [`init_at`] with three emergency officers, two of
/// whom must approve together, whose directories are `dir/officers/1` to `3`. One directory
/// then holds every key, which is for trying things out and for tests only: a real authority
/// runs [`officer_init`] on each officer's machine and [`init_at`] with their public files.
pub fn init(dir: &Path, name: &str) -> Result<TrustAnchor, Error> {
    let mut keys = Vec::new();
    for i in 1..=3 {
        keys.push(officer_init(&dev_officer_dir(dir, i))?);
    }
    let officers = EmergencyOfficers::new(keys, 2)
        .map_err(|e| Error::Invalid(format!("the development officers: {e}")))?;
    init_at(dir, name, crate::time::now(), DEFAULT_MONTHS, officers)
}

/// The development authority's root key seed. It is public (it is here), and fixed so that
/// the committed build of the web app (`web/dist`) can carry this root's fingerprint, which the
/// app checks its pinned trust file against (spec section 16d): the main command's server
/// makes its development authority with it, and a deployment builds the app for its own root.
pub const DEV_ROOT_SEED: [u8; 32] = *b"checkin development root, public";
/// The development authority's release key seed, public and fixed like [`DEV_ROOT_SEED`], so
/// that `web/dist/SHA256SUMS.sig` is a release signed for the development authority.
pub const DEV_RELEASE_SEED: [u8; 32] = *b"checkin development release key!";

/// Creates the development authority of the main command's server in `dir`: as [`init`], but
/// with the public, fixed root and release keys ([`DEV_ROOT_SEED`], [`DEV_RELEASE_SEED`]), for
/// which the committed web app is built and signed. Anyone can sign as this authority: it is
/// for trying things out only.
pub fn init_development(dir: &Path, name: &str) -> Result<TrustAnchor, Error> {
    let mut keys = Vec::new();
    for i in 1..=3 {
        keys.push(officer_init(&dev_officer_dir(dir, i))?);
    }
    let officers = EmergencyOfficers::new(keys, 2)
        .map_err(|e| Error::Invalid(format!("the development officers: {e}")))?;
    init_with(
        dir,
        name,
        crate::time::now(),
        DEFAULT_MONTHS,
        officers,
        (
            Ed25519Secret::from_bytes(DEV_ROOT_SEED),
            Ed25519Secret::from_bytes(DEV_RELEASE_SEED),
        ),
    )
}

/// The directory of officer `i` (from 1) of a development authority made by [`init`].
pub fn dev_officer_dir(dir: &Path, i: usize) -> PathBuf {
    dir.join(DEV_OFFICERS_DIR).join(i.to_string())
}

/// Creates an authority in `dir` at Unix time `now`: root, release and case keys, sealing keys
/// for `months` months (1 to 60) from the current one (all 0600), and the trust file, which
/// lists `officers` (their public keys only: each officer keeps their secret key).
pub fn init_at(
    dir: &Path,
    name: &str,
    now: u64,
    months: u32,
    officers: EmergencyOfficers,
) -> Result<TrustAnchor, Error> {
    let mut rng = UnwrapErr(rand::rngs::SysRng);
    let keys = (
        Ed25519Secret::generate(&mut rng),
        Ed25519Secret::generate(&mut rng),
    );
    init_with(dir, name, now, months, officers, keys)
}

/// [`init_at`] with the given root and release keys.
fn init_with(
    dir: &Path,
    name: &str,
    now: u64,
    months: u32,
    officers: EmergencyOfficers,
    (root, release): (Ed25519Secret, Ed25519Secret),
) -> Result<TrustAnchor, Error> {
    protocol::trust::check_authority_name(name)
        .map_err(|p| Error::Invalid(format!("the authority name {p}")))?;
    if !(1..=60).contains(&months) {
        return Err(Error::Invalid(format!(
            "{months} months of sealing keys: give 1 to 60"
        )));
    }
    for f in [ROOT_KEY, RELEASE_KEY, CASE_KEY, SEALING_DIR, TRUST_FILE] {
        if dir.join(f).exists() {
            return Err(Error::Exists(dir.join(f)));
        }
    }
    let mut rng = UnwrapErr(rand::rngs::SysRng);
    let case = SealingSecretKey::generate(&mut rng);
    if officers.index_of(&root.verifying_key()).is_some()
        || officers.index_of(&release.verifying_key()).is_some()
    {
        return Err(Error::Invalid(
            "an officer's key is the new root or release key: make each officer's key apart".into(),
        ));
    }
    crate::files::create_dir(&dir.join(SEALING_DIR))?;
    let mut sealing = Vec::new();
    let mut start = month_start(now)?;
    for _ in 0..months {
        let p = new_period(dir, start)?;
        start = start
            .checked_add(1.month())
            .map_err(|e| Error::Invalid(e.to_string()))?;
        sealing.push(p);
    }
    let trust = TrustAnchor {
        authority: name.to_owned(),
        serial: 1,
        root: root.verifying_key(),
        emergency: officers,
        case: case.public_key(),
        release: Some(release.verifying_key()),
        sealing,
    };
    for (file, header, secret) in [
        (ROOT_KEY, ROOT_HEADER, root.to_bytes()),
        (RELEASE_KEY, RELEASE_HEADER, release.to_bytes()),
        (CASE_KEY, CASE_HEADER, case.to_bytes()),
    ] {
        write_new(&dir.join(file), key_text(header, &secret).as_bytes(), 0o600)?;
    }
    write_new(&dir.join(TRUST_FILE), trust.sign(&root).as_bytes(), 0o644)?;
    Ok(trust)
}

/// Reads a trust file, verifying its signature under the root it names.
pub fn read_trust(path: &Path) -> Result<TrustAnchor, Error> {
    read_trust_text(path).map(|(t, _)| t)
}

/// Reads a trust file as [`read_trust`] does, with its text (to serve it as signed).
pub fn read_trust_text(path: &Path) -> Result<(TrustAnchor, String), Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let trust =
        TrustAnchor::parse(&text).map_err(|e| Error::BadFile(path.to_path_buf(), e.to_string()))?;
    Ok((trust, text))
}

/// Loads the root key from an authority directory, checking it against the trust file.
pub fn load(dir: &Path) -> Result<Authority, Error> {
    let root = Ed25519Secret::from_bytes(*read_key(&dir.join(ROOT_KEY), ROOT_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.root != root.verifying_key() {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "its root key is not the one in root.key".into(),
        ));
    }
    Ok(Authority { root, trust })
}

/// Loads the release key (`release.key`), checking it against the trust file's `release` line.
pub fn load_release(dir: &Path) -> Result<(Ed25519Secret, TrustAnchor), Error> {
    let path = dir.join(RELEASE_KEY);
    if !path.exists() {
        return Err(Error::Invalid(format!(
            "{} does not exist: this authority has no release key yet; make one with \
             'tracer authority release-key --authority {}'",
            path.display(),
            dir.display()
        )));
    }
    let key = Ed25519Secret::from_bytes(*read_key(&path, RELEASE_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.release != Some(key.verifying_key()) {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "its release key is not the one in release.key".into(),
        ));
    }
    Ok((key, trust))
}

/// Gives an authority made before trust files named a release key its release key: writes
/// `release.key` (0600, never replacing one) and the trust file with a `release` line, signed
/// by the root with the next serial. Returns the new trust file.
pub fn add_release_key(dir: &Path) -> Result<TrustAnchor, Error> {
    let path = dir.join(RELEASE_KEY);
    if path.exists() {
        return Err(Error::Exists(path));
    }
    let auth = load(dir)?;
    let mut trust = auth.trust;
    if trust.release.is_some() {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "it already names a release key, but release.key is missing: restore release.key \
             from where releases are signed"
                .into(),
        ));
    }
    let key = Ed25519Secret::generate(&mut UnwrapErr(rand::rngs::SysRng));
    trust.release = Some(key.verifying_key());
    trust.serial = trust
        .serial
        .checked_add(1)
        .ok_or_else(|| Error::Invalid("the trust file's serial cannot grow any further".into()))?;
    let text = trust.sign(&auth.root);
    TrustAnchor::parse(&text)
        .map_err(|e| Error::Invalid(format!("the new trust file does not read back: {e}")))?;
    write_new(
        &path,
        key_text(RELEASE_HEADER, &key.to_bytes()).as_bytes(),
        0o600,
    )?;
    crate::files::write_replace(&dir.join(TRUST_FILE), text.as_bytes(), 0o644)?;
    Ok(trust)
}

/// The sealing keys an authority directory still holds, by period.
pub struct SealingKeys {
    /// The trust file's periods, each with its secret key unless it was destroyed.
    pub periods: Vec<(SealingPeriod, Option<SealingSecretKey>)>,
}

impl SealingKeys {
    /// The secret key for vault records of `hour` (Unix time / 3600), or why there is none.
    pub fn for_hour(&self, hour: u64) -> Result<&SealingSecretKey, String> {
        let t = hour.saturating_mul(3600);
        if self.periods.first().is_some_and(|(p, _)| t < p.from) {
            return Err(format!(
                "the sealing key for {} was destroyed after its retention (the trust file's \
                 periods start later)",
                format_day(hour / 24)
            ));
        }
        match self.periods.iter().find(|(p, _)| p.contains(t)) {
            Some((_, Some(k))) => Ok(k),
            Some((p, None)) => Err(format!(
                "the sealing key for {} to {} was destroyed after its retention",
                format_day(p.from / DAY),
                format_day(p.until / DAY)
            )),
            None => Err(format!(
                "the trust file has no sealing period for {}",
                format_day(hour / 24)
            )),
        }
    }
}

/// Loads the sealing keys (`sealing/*.key`) the trust file names, checking each against it:
/// what opening contact records needs. A period whose key was destroyed has none.
pub fn load_sealing(dir: &Path) -> Result<(SealingKeys, TrustAnchor), Error> {
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    let mut periods = Vec::new();
    for p in &trust.sealing {
        let path = sealing_key_path(dir, p.from);
        let key = if path.exists() {
            let k = SealingSecretKey::from_bytes(*read_key(&path, SEALING_HEADER)?);
            if k.public_key() != p.key {
                return Err(Error::BadFile(
                    path,
                    "it is not the sealing key the trust file names for its period".into(),
                ));
            }
            Some(k)
        } else {
            None
        };
        periods.push((p.clone(), key));
    }
    Ok((SealingKeys { periods }, trust))
}

/// Loads the case diary key (`case.key`), checking it against the trust file.
pub fn load_case(dir: &Path) -> Result<(SealingSecretKey, TrustAnchor), Error> {
    let key = SealingSecretKey::from_bytes(*read_key(&dir.join(CASE_KEY), CASE_HEADER)?);
    let trust = read_trust(&dir.join(TRUST_FILE))?;
    if trust.case != key.public_key() {
        return Err(Error::BadFile(
            dir.join(TRUST_FILE),
            "its case key is not the one in case.key".into(),
        ));
    }
    Ok((key, trust))
}

/// What [`rotate`] did.
#[derive(Debug, Default)]
pub struct Rotated {
    /// Periods added (their first days).
    pub added: Vec<String>,
    /// Periods whose secret key was destroyed (their first days).
    pub destroyed: Vec<String>,
    /// Periods dropped from the trust file, their keys already gone (their first days).
    pub dropped: Vec<String>,
    /// Whether trust.txt was rewritten (it must then be given to servers and phones again).
    pub trust_changed: bool,
}

/// Rotates the sealing keys at Unix time `now`: adds monthly periods until the trust file
/// covers the next `ahead` months (1 to 60), destroys the secret key of every period that
/// ended more than [`SEALING_RETENTION_DAYS`] days ago, and drops such periods from the trust
/// file. A changed trust file is signed by the root key (`root.key`) with the next serial.
pub fn rotate(dir: &Path, now: u64, ahead: u32) -> Result<Rotated, Error> {
    if !(1..=60).contains(&ahead) {
        return Err(Error::Invalid(format!(
            "{ahead} months ahead: give 1 to 60"
        )));
    }
    let trust_path = dir.join(TRUST_FILE);
    let (keys, mut trust) = load_sealing(dir)?;
    // Checked first, so that a rotation that could not sign its trust file changes nothing.
    let root = load(dir)?.root;
    let mut out = Rotated::default();
    let expired = |p: &SealingPeriod| p.until + SEALING_RETENTION_DAYS * DAY <= now;
    for (p, key) in &keys.periods {
        if expired(p) && key.is_some() {
            let path = sealing_key_path(dir, p.from);
            std::fs::remove_file(&path).map_err(|e| Error::io("delete", &path, e))?;
            crate::files::sync_parent(&path)?;
            out.destroyed.push(format_day(p.from / DAY));
        }
    }
    // Keep at least one period, so that the trust file stays valid.
    while trust.sealing.len() > 1 && expired(&trust.sealing[0]) {
        out.dropped
            .push(format_day(trust.sealing.remove(0).from / DAY));
    }
    let target = unix(
        month_start(now)?
            .checked_add(i64::from(ahead).months())
            .map_err(|e| Error::Invalid(e.to_string()))?,
    )?;
    // New periods follow on from the last, so that there is no gap. Only when every period
    // has expired (the file lapsed long ago) do they start afresh at the current month; a
    // period whose records may still be asked for is never dropped, or its key could no
    // longer be found.
    let mut start = if trust.sealing.iter().all(expired) {
        out.dropped
            .extend(trust.sealing.drain(..).map(|p| format_day(p.from / DAY)));
        month_start(now)?
    } else {
        utc_date(trust.sealing_until())?
    };
    while unix(start)? < target && trust.sealing.len() < protocol::trust::MAX_SEALING_PERIODS {
        let p = new_period(dir, start)?;
        out.added.push(format_day(p.from / DAY));
        start = utc_date(p.until)?;
        trust.sealing.push(p);
    }
    if !out.added.is_empty() || !out.dropped.is_empty() {
        trust.serial = trust.serial.checked_add(1).ok_or_else(|| {
            Error::Invalid("the trust file's serial cannot grow any further".into())
        })?;
        crate::files::write_replace(&trust_path, trust.sign(&root).as_bytes(), 0o644)?;
        out.trust_changed = true;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// 2026-12-03 12:00 UTC.
    const NOW: u64 = 1_796_299_200;

    fn officers() -> EmergencyOfficers {
        let keys = [1u8, 2, 3]
            .map(|i| Ed25519Secret::from_bytes([i; 32]).verifying_key())
            .to_vec();
        EmergencyOfficers::new(keys, 2).unwrap()
    }

    #[test]
    fn an_officer_key_is_made_apart_and_found_in_the_trust_file() {
        let t = tempfile::TempDir::new().unwrap();
        let a = officer_init(&t.path().join("o1")).unwrap();
        let b = officer_init(&t.path().join("o2")).unwrap();
        assert_eq!(
            read_officer_pub(&t.path().join("o1").join(OFFICER_PUB)).unwrap(),
            a
        );
        assert!(matches!(
            officer_init(&t.path().join("o1")),
            Err(Error::Exists(_))
        ));
        let dir = t.path().join("root");
        let officers = EmergencyOfficers::new(vec![a, b], 2).unwrap();
        init_at(&dir, "Board", NOW, 1, officers).unwrap();
        for f in std::fs::read_dir(&dir).unwrap() {
            let name = f.unwrap().file_name();
            assert!(!name.to_string_lossy().contains("officer"), "{name:?}");
        }
        let o = load_officer(&t.path().join("o2"), &dir.join(TRUST_FILE)).unwrap();
        assert_eq!(o.index, 1);
        let stranger = t.path().join("o3");
        officer_init(&stranger).unwrap();
        assert!(load_officer(&stranger, &dir.join(TRUST_FILE)).is_err());
    }

    #[test]
    fn init_covers_months_and_rotate_destroys_expired_keys() {
        let t = tempfile::TempDir::new().unwrap();
        let dir = t.path().join("a");
        let trust = init_at(&dir, "Board", NOW, 3, officers()).unwrap();
        let days: Vec<String> = trust
            .sealing
            .iter()
            .map(|p| format_day(p.from / DAY))
            .collect();
        assert_eq!(days, ["2026-12-01", "2027-01-01", "2027-02-01"]);
        assert_eq!(format_day(trust.sealing[2].until / DAY), "2027-03-01");
        assert!(trust.sealing_key_at(NOW).is_some());
        // A second init refuses the directory.
        assert!(matches!(
            init_at(&dir, "Board", NOW, 3, officers()),
            Err(Error::Exists(_))
        ));

        // Nothing expired yet; rotating 3 months ahead from now needs nothing new.
        let r = rotate(&dir, NOW, 3).unwrap();
        assert!(r.added.is_empty() && r.destroyed.is_empty() && !r.trust_changed);

        // 2027-01-22: December ended 21 days ago, so its key goes, and 3 months ahead
        // (to 2027-04-01) needs March.
        let later = NOW + 50 * DAY;
        let r = rotate(&dir, later, 3).unwrap();
        assert_eq!(r.destroyed, ["2026-12-01"]);
        assert_eq!(r.dropped, ["2026-12-01"]);
        assert_eq!(r.added, ["2027-03-01"]);
        assert!(!sealing_key_path(&dir, trust.sealing[0].from).exists());
        let (keys, trust2) = load_sealing(&dir).unwrap();
        assert_eq!(trust2.sealing.len(), 3);
        let hour = trust.sealing[1].from / 3600 + 5;
        assert!(keys.for_hour(hour).is_ok());
        let old = keys.for_hour(trust.sealing[0].from / 3600).unwrap_err();
        assert!(old.contains("destroyed"), "{old}");
        let future = keys.for_hour(trust2.sealing[2].until / 3600).unwrap_err();
        assert!(future.contains("no sealing period"), "{future}");
        // The root, case and emergency keys still match the rewritten trust file.
        load(&dir).unwrap();
        load_case(&dir).unwrap();
        assert_eq!(trust2.emergency, trust.emergency);
    }

    #[test]
    fn a_lapsed_trust_file_keeps_the_keys_still_needed() {
        let t = tempfile::TempDir::new().unwrap();
        let trust = init_at(t.path(), "Board", NOW, 1, officers()).unwrap();
        // 2027-01-10: December has ended, but its records may be asked for until 01-22.
        let later = NOW + 38 * DAY;
        let r = rotate(t.path(), later, 2).unwrap();
        assert!(r.destroyed.is_empty() && r.dropped.is_empty(), "{r:?}");
        assert_eq!(r.added, ["2027-01-01", "2027-02-01"]);
        let (keys, rotated) = load_sealing(t.path()).unwrap();
        assert!(keys.for_hour(trust.sealing[0].from / 3600).is_ok());
        assert!(rotated.sealing_key_at(later).is_some());
    }

    #[test]
    fn a_destroyed_key_is_named_when_a_record_needs_it() {
        let t = tempfile::TempDir::new().unwrap();
        let trust = init_at(t.path(), "Board", NOW, 2, officers()).unwrap();
        std::fs::remove_file(sealing_key_path(t.path(), trust.sealing[0].from)).unwrap();
        let (keys, _) = load_sealing(t.path()).unwrap();
        let why = keys.for_hour(NOW / 3600).unwrap_err();
        assert!(why.contains("destroyed"), "{why}");
    }
}

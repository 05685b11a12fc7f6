//! Time input and output in an explicit time zone: `--tz`, else `$TZ`, else the system's.
//! Input is RFC 3339, or "YYYY-MM-DD HH:MM" read in that zone.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::Error;

/// The zone to read and show times in.
pub fn zone(name: Option<&str>) -> Result<TimeZone, Error> {
    match name {
        Some(n) => TimeZone::get(n).map_err(|_| {
            Error::Invalid(format!(
                "unknown time zone '{n}': use an IANA name such as Europe/London or UTC"
            ))
        }),
        None => Ok(TimeZone::system()),
    }
}

/// Parses a time in `tz`.
pub fn parse(text: &str, tz: &TimeZone) -> Result<u64, Error> {
    let t = text.trim();
    let bad = || {
        Error::Invalid(format!(
            "'{text}' is not a time: use RFC 3339 such as 2026-03-01T12:00:00Z, or 'YYYY-MM-DD HH:MM'"
        ))
    };
    let ts = match t.parse::<Timestamp>() {
        Ok(ts) => ts,
        Err(_) => DateTime::strptime("%Y-%m-%d %H:%M", t)
            .map_err(|_| bad())?
            .to_zoned(tz.clone())
            .map_err(|_| bad())?
            .timestamp(),
    };
    u64::try_from(ts.as_second()).map_err(|_| bad())
}

/// Shows Unix seconds in `tz`.
pub fn show(unix: u64, tz: &TimeZone) -> String {
    match i64::try_from(unix)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
    {
        Some(ts) => {
            let z: Zoned = ts.to_zoned(tz.clone());
            z.strftime("%Y-%m-%d %H:%M %Z").to_string()
        }
        None => format!("{unix} (Unix time)"),
    }
}

/// Now, Unix seconds.
pub fn now() -> u64 {
    u64::try_from(Timestamp::now().as_second()).unwrap_or(0)
}

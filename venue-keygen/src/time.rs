//! Time input: RFC 3339, or a local "YYYY-MM-DD HH:MM" (or "YYYY-MM-DD") in the system's time
//! zone, turned into Unix seconds; and time output in the system's time zone.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::Error;

/// Parses a time given on the command line or in a CSV file.
pub fn parse_time(text: &str) -> Result<u64, Error> {
    let t = text.trim();
    let bad = || {
        Error::Invalid(format!(
            "'{text}' is not a time: use RFC 3339 such as 2026-03-01T09:00:00Z, \
             or local time as 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD'"
        ))
    };
    let ts = if let Ok(ts) = t.parse::<Timestamp>() {
        ts
    } else if let Ok(dt) = DateTime::strptime("%Y-%m-%d %H:%M", t) {
        dt.to_zoned(TimeZone::system())
            .map_err(|_| bad())?
            .timestamp()
    } else if let Ok(d) = Date::strptime("%Y-%m-%d", t) {
        d.to_zoned(TimeZone::system())
            .map_err(|_| bad())?
            .timestamp()
    } else {
        return Err(bad());
    };
    u64::try_from(ts.as_second())
        .map_err(|_| Error::Invalid(format!("'{text}' is before 1970, which no poster can use")))
}

/// Shows Unix seconds as local time, for people.
pub fn show_time(unix: u64) -> String {
    match i64::try_from(unix)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
    {
        Some(ts) => {
            let z: Zoned = ts.to_zoned(TimeZone::system());
            z.strftime("%Y-%m-%d %H:%M %Z").to_string()
        }
        None => format!("{unix} (Unix time)"),
    }
}

/// Now, in Unix seconds.
pub fn now() -> u64 {
    u64::try_from(Timestamp::now().as_second()).unwrap_or(0)
}

//! Time input and output in an explicit time zone: `--tz`, else `$TZ`, else the system's.
//! Input is RFC 3339, "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (midnight) read in that zone; every
//! program reads times this one way.

use jiff::civil::{Date, DateTime};
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
            "'{text}' is not a time: use RFC 3339 such as 2026-03-01T12:00:00Z, or \
             'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD' in local time"
        ))
    };
    let ts = if let Ok(ts) = t.parse::<Timestamp>() {
        ts
    } else if let Ok(dt) = DateTime::strptime("%Y-%m-%d %H:%M", t) {
        dt.to_zoned(tz.clone()).map_err(|_| bad())?.timestamp()
    } else if let Ok(d) = Date::strptime("%Y-%m-%d", t) {
        d.to_zoned(tz.clone()).map_err(|_| bad())?.timestamp()
    } else {
        return Err(bad());
    };
    u64::try_from(ts.as_second())
        .map_err(|_| Error::Invalid(format!("'{text}' is before 1970: no time here can be")))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn the_three_forms() {
        let utc = TimeZone::UTC;
        assert_eq!(parse("2026-03-01T12:00:00Z", &utc).unwrap(), 1_772_366_400);
        assert_eq!(parse("2026-03-01 12:00", &utc).unwrap(), 1_772_366_400);
        assert_eq!(parse("2026-03-01", &utc).unwrap(), 1_772_323_200);
        assert!(parse("yesterday", &utc).is_err());
        assert!(parse("1969-12-31", &utc).is_err());
        assert_eq!(show(1_772_366_400, &utc), "2026-03-01 12:00 UTC");
    }
}

//! Time input and output in an explicit time zone: `--tz`, else `$TZ`, else the system's.
//! Input is RFC 3339, "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (midnight) read in that zone; every
//! program reads times this one way.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::Error;

/// The zone to read and show times in: `name` (from `--tz`), else `$TZ`, else the system's
/// (`/etc/localtime`), else UTC. An unknown `--tz` or `$TZ` is an error, never a silent UTC:
/// times read in the wrong zone would be hours off.
pub fn zone(name: Option<&str>) -> Result<TimeZone, Error> {
    match name {
        Some(n) => TimeZone::get(n).map_err(|_| {
            Error::Invalid(format!(
                "unknown time zone '{n}' (--tz): use an IANA name such as Europe/London or UTC"
            ))
        }),
        None => TimeZone::try_system().or_else(|_| match std::env::var("TZ") {
            Ok(tz) if !tz.is_empty() => Err(Error::Invalid(format!(
                "the TZ environment variable ('{tz}') is not a time zone: set it to an \
                 IANA name such as Europe/London, or unset it, or give --tz"
            ))),
            // No TZ and no readable system zone: UTC, as the C library does.
            _ => Ok(TimeZone::UTC),
        }),
    }
}

/// Parses a time in `tz`: RFC 3339; or "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (midnight) local
/// time, optionally followed by a zone as [`show`] prints it (an IANA name such as
/// `Europe/London`, or `tz`'s own abbreviation at that time, such as `UTC` or `BST`): what a
/// tool prints, it accepts. A local time that a daylight-saving change skips or repeats is
/// refused rather than shifted.
pub fn parse(text: &str, tz: &TimeZone) -> Result<u64, Error> {
    let t = text.trim();
    let bad = || {
        Error::Invalid(format!(
            "'{text}' is not a time: use RFC 3339 such as 2026-03-01T12:00:00Z, or \
             'YYYY-MM-DD HH:MM' (optionally with a zone, such as 'UTC' or 'Europe/London') or \
             'YYYY-MM-DD' in local time"
        ))
    };
    if let Ok(ts) = t.parse::<Timestamp>() {
        return unix(ts, text);
    }
    // "date time zone": the zone is an IANA name, or the abbreviation `tz` uses then.
    let mut zone = tz.clone();
    let mut local = t;
    if let Some((rest, last)) = t.rsplit_once(' ')
        && DateTime::strptime("%Y-%m-%d %H:%M", rest).is_ok()
    {
        local = rest;
        zone = match TimeZone::get(last) {
            Ok(z) => z,
            Err(_) => {
                let dt = DateTime::strptime("%Y-%m-%d %H:%M", rest).map_err(|_| bad())?;
                let abbreviation = dt
                    .to_zoned(tz.clone())
                    .map(|z| z.strftime("%Z").to_string())
                    .unwrap_or_default();
                if abbreviation != last {
                    return Err(Error::Invalid(format!(
                        "'{text}': unknown time zone '{last}' (use an IANA name such as \
                         Europe/London, or leave it out for local time)"
                    )));
                }
                tz.clone()
            }
        };
    }
    let dt = if let Ok(dt) = DateTime::strptime("%Y-%m-%d %H:%M", local) {
        dt
    } else if let Ok(d) = Date::strptime("%Y-%m-%d", local) {
        d.to_datetime(jiff::civil::Time::midnight())
    } else {
        return Err(bad());
    };
    let zoned = zone.to_ambiguous_zoned(dt).unambiguous().map_err(|_| {
        Error::Invalid(format!(
            "'{text}' does not name one moment: a daylight-saving change skips or repeats that \
             local time; give it in RFC 3339 with an offset, such as 2026-03-29T01:30:00+00:00"
        ))
    })?;
    unix(zoned.timestamp(), text)
}

fn unix(ts: Timestamp, text: &str) -> Result<u64, Error> {
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
        // What is printed is accepted.
        assert_eq!(parse("2026-03-01 12:00 UTC", &utc).unwrap(), 1_772_366_400);
        let london = TimeZone::get("Europe/London").unwrap();
        let summer = parse("2026-07-01 12:00", &london).unwrap();
        assert_eq!(parse(&show(summer, &london), &london).unwrap(), summer);
        assert_eq!(
            parse("2026-07-01 12:00 Europe/London", &utc).unwrap(),
            summer
        );
        assert!(parse("2026-07-01 12:00 Mars/Olympus", &utc).is_err());
        // 01:30 on 2026-03-29 does not exist in London; 01:30 on 2026-10-25 happens twice.
        assert!(parse("2026-03-29 01:30", &london).is_err());
        assert!(parse("2026-10-25 01:30", &london).is_err());
    }
}

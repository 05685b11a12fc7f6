//! Times as a venue owner types and reads them: the shared reader and printer
//! (`common::time`: RFC 3339, "YYYY-MM-DD HH:MM" or "YYYY-MM-DD"), in the zone `--tz` names,
//! else `$TZ`, else the system's.

use std::sync::OnceLock;

use jiff::tz::TimeZone;

use crate::Error;

/// The zone chosen at start (`set_zone`); the system's if none was set.
static ZONE: OnceLock<TimeZone> = OnceLock::new();

/// Chooses the zone for this run: `--tz`, else `$TZ`, else the system's. An unknown zone is
/// an error, never a silent UTC.
pub fn set_zone(name: Option<&str>) -> Result<(), Error> {
    let tz = common::time::zone(name)?;
    let _ = ZONE.set(tz);
    Ok(())
}

/// The zone of this run.
pub fn zone() -> &'static TimeZone {
    ZONE.get_or_init(|| common::time::zone(None).unwrap_or(TimeZone::UTC))
}

/// Parses a time given on the command line or in a CSV file.
pub fn parse_time(text: &str) -> Result<u64, Error> {
    common::time::parse(text, zone()).map_err(|e| Error::invalid(e.to_string()))
}

/// Shows Unix seconds as local time, for people.
pub fn show_time(unix: u64) -> String {
    common::time::show(unix, zone())
}

/// Now, in Unix seconds.
pub fn now() -> u64 {
    common::time::now()
}

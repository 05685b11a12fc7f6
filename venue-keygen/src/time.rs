//! Times as a venue owner types and reads them: the shared reader and printer
//! (`common::time`: RFC 3339, "YYYY-MM-DD HH:MM" or "YYYY-MM-DD"), in the system's time zone.

use jiff::tz::TimeZone;

use crate::Error;

/// Parses a time given on the command line or in a CSV file.
pub fn parse_time(text: &str) -> Result<u64, Error> {
    common::time::parse(text, &TimeZone::system()).map_err(|e| Error::invalid(e.to_string()))
}

/// Shows Unix seconds as local time, for people.
pub fn show_time(unix: u64) -> String {
    common::time::show(unix, &TimeZone::system())
}

/// Now, in Unix seconds.
pub fn now() -> u64 {
    common::time::now()
}

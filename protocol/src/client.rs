//! The rules every phone client follows when it syncs and keeps its diary (spec sections 12.3,
//! 13 and 13a): which hours a sync fetches, when an hour counts as closed, when a held hour is
//! looked at again, what identifies an alert, and when an open visit ends by itself.
//!
//! Both clients (the `checkin` CLI and the web client) call these functions, or their mirror in
//! `web/src/protocol/client.ts`, and both run `spec/vectors/client.json` against them, so the two
//! cannot drift apart. Everything here is pure: the clock, the server's `Date` and the random
//! draw are passed in.

use crate::batch::is_closed;
use crate::notice::Severity;

pub use crate::matching::DEFAULT_THRESHOLD_SECS;

/// How many hours back from the current one a sync looks: the 14 days of retention and one day
/// more (the notice cache keeps bundles a day beyond retention).
pub const SYNC_HOURS: u64 = 360;
/// How many hours back a held hour is looked at again: the servers' retention (older hours
/// answer `410`, so a second look there learns nothing).
pub const RECHECK_HOURS: u64 = 336;
/// Earliest second look at a held hour, after it was held: a glitch of a moment (a proxy, a
/// cache edge, a server restarting) has passed by then.
pub const RECHECK_MIN_SECS: u64 = 3600;
/// The second look falls at a uniformly random moment this long after the earliest, so that
/// whoever answered the first look cannot tell which later request is the second.
pub const RECHECK_SPREAD_SECS: u64 = 23 * 3600;
/// Syncs that fetch a closed hour whose batch failed verification before it is held anyway,
/// with the failure reported.
pub const FETCH_TRIES: u8 = 3;
/// Longest automatic stay: 12 hours, whatever the poster's default stay.
pub const MAX_AUTO_STAY_SECS: u64 = 12 * 3600;

/// The hours a sync at `now` looks at, oldest first.
pub fn sync_window(now: u64) -> std::ops::RangeInclusive<u64> {
    let now_hour = now / 3600;
    now_hour.saturating_sub(SYNC_HOURS)..=now_hour
}

/// What a client knows of one hour of its sync window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HourState {
    /// Not held: fetched at every sync. `tries` counts the syncs whose closed answer failed
    /// verification.
    Wanted {
        /// Syncs that fetched it closed and found a bundle or the batch bad.
        tries: u8,
    },
    /// Held: its closed batch was read. `recheck_at` is when it is to be fetched once more
    /// (`None`: it was, or it is past the servers' retention).
    Held {
        /// The earliest time of the second look, Unix seconds.
        recheck_at: Option<u64>,
    },
}

/// What the server answered for an hour's batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `200`: `whole` when the batch decoded and every bundle in it verified, or failed only
    /// with a final error (`bundle_too_old`, `bundle_certificate_revoked`).
    Batch {
        /// Nothing in it failed.
        whole: bool,
    },
    /// `410`: the server purged the hour.
    Gone,
    /// `404`: the hour has not begun by the server's clock.
    NotYet,
}

/// Whether a sync at `now` fetches `hour` (of [`sync_window`]) in state `state`.
pub fn is_due(hour: u64, state: HourState, now: u64) -> bool {
    match state {
        HourState::Wanted { .. } => true,
        HourState::Held { recheck_at } => {
            recheck_at.is_some_and(|at| at <= now) && hour + RECHECK_HOURS >= now / 3600
        }
    }
}

/// The hours a sync at `now` fetches, oldest first.
pub fn hours_to_fetch(now: u64, state: impl Fn(u64) -> HourState) -> Vec<u64> {
    sync_window(now)
        .filter(|&h| is_due(h, state(h), now))
        .collect()
}

/// One request of a sync: a closed day's file, or one hour's batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// `GET /v1/days/{day}`: the day file of a closed UTC day (spec section 12.3), standing
    /// for every hour of that day in the window that is due.
    Day(u64),
    /// `GET /v1/batches/{hour}`: one hour's batch.
    Hour(u64),
}

/// Whether a held `hour` is past its second look for good at `now` (older than
/// [`RECHECK_HOURS`]): a day file may bring it again, but nothing is lost by not asking.
fn settled_by_age(hour: u64, state: HourState, now: u64) -> bool {
    matches!(state, HourState::Held { .. }) && hour + RECHECK_HOURS < now / 3600
}

/// The requests a sync at `now` makes, oldest first (spec section 12.3, rule 1): a closed UTC
/// day whose last hour lies in the window is fetched as one day file when every hour of it in
/// the window is due, or held and older than [`RECHECK_HOURS`], and at least one is due;
/// otherwise its due hours are fetched one by one. So a phone fetches the closed days it lacks
/// as files, then the hours of today, the open hour last; a day file never stands for an hour
/// held and waiting for its second look, whose bytes the phone has.
pub fn sync_plan(now: u64, state: impl Fn(u64) -> HourState) -> Vec<Fetch> {
    let window = sync_window(now);
    let (first, last) = (*window.start(), *window.end());
    let mut out = Vec::new();
    let mut day = crate::batch::day_of_hour(first);
    while day <= crate::batch::day_of_hour(last) {
        let hours = crate::batch::hours_of_day(day);
        let in_window = hours.start.max(first)..hours.end.min(last + 1);
        let due: Vec<u64> = in_window
            .clone()
            .filter(|&h| is_due(h, state(h), now))
            .collect();
        let whole = crate::batch::is_day_closed(day, now)
            && !due.is_empty()
            && in_window.clone().all(|h| {
                let s = state(h);
                is_due(h, s, now) || settled_by_age(h, s, now)
            });
        if whole {
            out.push(Fetch::Day(day));
        } else {
            out.extend(due.into_iter().map(Fetch::Hour));
        }
        day += 1;
    }
    out
}

/// The hours a day answer stands for in a sync at `now`: those of `day` in the window that are
/// due. Each gets the answer its own batch inside the file gave (or, when the file as a whole
/// was refused, a failed batch), through [`after_answer`], all with one random draw, so that
/// they share their second look and it is one day file again.
pub fn day_hours_due(day: u64, now: u64, state: impl Fn(u64) -> HourState) -> Vec<u64> {
    let window = sync_window(now);
    crate::batch::hours_of_day(day)
        .filter(|h| window.contains(h) && is_due(*h, state(*h), now))
        .collect()
}

/// Whether an answer produced at `server_date` (its `Date` header, Unix seconds; `None` when
/// it had none that [`parse_http_date`] reads) shows `hour` closed, for a client whose clock
/// reads `now`: the earlier of the two clocks must be past the hour's close. A phone whose
/// clock runs fast never holds the hour the server is still filling, and a server's `Date` never
/// closes an hour the phone's clock says is open.
pub fn closed_by_answer(hour: u64, now: u64, server_date: Option<u64>) -> bool {
    server_date.is_some_and(|date| is_closed(hour, date.min(now)))
}

/// The state of `hour` after a sync at `now` got `answer` for it, produced at `server_date`.
/// `random` is a uniformly random number the client draws for this hour (any 64 bits): it
/// places the second look.
pub fn after_answer(
    hour: u64,
    state: HourState,
    answer: Answer,
    now: u64,
    server_date: Option<u64>,
    random: u64,
) -> HourState {
    if answer == Answer::NotYet || !closed_by_answer(hour, now, server_date) {
        // Open (or the server's clock is behind): fetched again at the next sync.
        return state;
    }
    let first_look = || HourState::Held {
        recheck_at: (hour + RECHECK_HOURS >= now / 3600)
            .then(|| now + RECHECK_MIN_SECS + random % (RECHECK_SPREAD_SECS + 1)),
    };
    match (state, answer) {
        // The second look: whatever it says (anything new in it was matched), it is the last.
        (HourState::Held { .. }, _) => HourState::Held { recheck_at: None },
        (HourState::Wanted { .. }, Answer::Batch { whole: true } | Answer::Gone) => first_look(),
        (HourState::Wanted { tries }, _) => {
            let tries = tries.saturating_add(1);
            if tries >= FETCH_TRIES {
                first_look()
            } else {
                HourState::Wanted { tries }
            }
        }
    }
}

/// Reads an HTTP `Date` header in the IMF-fixdate form every server sends (RFC 9110 section
/// 5.6.7, `Sun, 06 Nov 1994 08:49:37 GMT`), as Unix seconds; `None` for anything else.
pub fn parse_http_date(text: &str) -> Option<u64> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let b = text.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' {
        return None;
    }
    if b[19] != b':' || b[22] != b':' || &b[25..] != b" GMT" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let s = &b[r];
        s.iter()
            .all(u8::is_ascii_digit)
            .then(|| s.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
    };
    DAYS.iter().position(|d| d.as_bytes() == &b[..3])?;
    let month = MONTHS.iter().position(|m| m.as_bytes() == &b[8..11])? as u64 + 1;
    let (day, year) = (num(5..7)?, num(12..16)?);
    let (hh, mm, ss) = (num(17..19)?, num(20..22)?, num(23..25)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if year < 1970 || day == 0 || day > month_days[(month - 1) as usize] {
        return None;
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days since 1970-01-01 (the civil-from-days inverse, H. Hinnant's algorithm).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// What identifies a notice for its alert: its window, severity and message, and nothing of
/// the bundle, entry or approval that carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertKey<'a> {
    /// The diary's own id of the visit.
    pub visit: &'a str,
    /// Start of the notice's window.
    pub start: u64,
    /// End of the notice's window.
    pub end: u64,
    /// Its severity.
    pub severity: Severity,
    /// Its message.
    pub message: &'a str,
}

/// An alert's identity (spec section 13): 16 bytes, lower-case hex. The same notice for the
/// same visit has the same id whichever bundle (or republication) brought it, so it alerts
/// once.
pub fn alert_id(key: &AlertKey<'_>) -> String {
    let mut input = Vec::with_capacity(4 + key.visit.len() + 18 + key.message.len());
    input.extend_from_slice(&(key.visit.len() as u32).to_be_bytes());
    input.extend_from_slice(key.visit.as_bytes());
    input.extend_from_slice(&key.start.to_be_bytes());
    input.extend_from_slice(&key.end.to_be_bytes());
    input.push(key.severity.to_byte());
    input.extend_from_slice(&(key.message.len() as u16).to_be_bytes());
    input.extend_from_slice(key.message.as_bytes());
    let digest = blake3::derive_key(crate::domain::ALERT_ID, &input);
    crate::hex(&digest[..16])
}

/// When a visit that began at `arrival`, at a venue whose poster says `default_stay_minutes`,
/// ends by itself if the user does not check out.
pub fn auto_departure(arrival: u64, default_stay_minutes: u16) -> u64 {
    arrival.saturating_add((u64::from(default_stay_minutes) * 60).min(MAX_AUTO_STAY_SECS))
}

/// The departure a visit is matched with at `now`: its own if it ended; while it is open, `now`
/// or its automatic check-out, whichever comes first, never before its arrival.
pub fn matched_departure(arrival: u64, departure: Option<u64>, auto: u64, now: u64) -> u64 {
    departure.unwrap_or_else(|| now.min(auto).max(arrival))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn an_http_date_reads_as_unix_seconds() {
        assert_eq!(
            parse_http_date("Thu, 01 Jan 2026 00:00:00 GMT"),
            Some(1_767_225_600)
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"),
            Some(1_709_208_000)
        );
        assert_eq!(parse_http_date("Thu, 29 Feb 2025 12:00:00 GMT"), None);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), None);
    }

    #[test]
    fn a_fast_phone_clock_never_closes_the_open_hour() {
        let hour = 500_000;
        let server = hour * 3600 + 3000; // 10 minutes before the hour ends
        let phone = server + 25 * 60;
        assert!(is_closed(hour, phone));
        assert!(!closed_by_answer(hour, phone, Some(server)));
        assert!(!closed_by_answer(hour, phone, None));
        let state = HourState::Wanted { tries: 0 };
        let got = after_answer(
            hour,
            state,
            Answer::Batch { whole: true },
            phone,
            Some(server),
            0,
        );
        assert_eq!(got, state);
    }

    #[test]
    fn a_held_hour_is_looked_at_once_more() {
        let hour = 500_000;
        let now = (hour + 2) * 3600;
        let held = after_answer(
            hour,
            HourState::Wanted { tries: 0 },
            Answer::Batch { whole: true },
            now,
            Some(now),
            7,
        );
        assert_eq!(
            held,
            HourState::Held {
                recheck_at: Some(now + 3600 + 7)
            }
        );
        assert!(!is_due(hour, held, now + 3600));
        assert!(is_due(hour, held, now + 3607));
        let done = after_answer(hour, held, Answer::Gone, now + 3607, Some(now + 3607), 0);
        assert_eq!(done, HourState::Held { recheck_at: None });
        assert!(!is_due(hour, done, now + 86_400));
    }
}

//! `client.json`: the rules both phone clients follow (spec sections 12.3, 13 and 13a), as
//! inputs and the answers [`protocol::client`] gives; both clients' test suites run the file.

use protocol::Severity;
use protocol::batch::CLOSE_GRACE_SECS;
use protocol::client::*;
use serde_json::{Value, json};

use super::{Fixture, T0, h, rng, unh};

/// One transition vector: hour, state, answer, client clock, Date, random draw, note.
type Transition = (u64, HourState, Answer, u64, Option<u64>, u64, &'static str);

/// An hour of the vector clock: 2026-01-01 10:00 UTC.
const HOUR: u64 = T0 / 3600 + 10;
/// When that hour closes.
const CLOSES: u64 = (HOUR + 1) * 3600 + CLOSE_GRACE_SECS;

fn state_json(s: HourState) -> Value {
    match s {
        HourState::Wanted { tries } => json!({"held": false, "tries": tries}),
        HourState::Held { recheck_at } => json!({"held": true, "recheck_at": recheck_at}),
    }
}

fn state_of(v: &Value) -> HourState {
    if v["held"].as_bool().unwrap() {
        HourState::Held {
            recheck_at: v["recheck_at"].as_u64(),
        }
    } else {
        HourState::Wanted {
            tries: v["tries"].as_u64().unwrap() as u8,
        }
    }
}

fn answer_name(a: Answer) -> &'static str {
    match a {
        Answer::Batch { whole: true } => "batch_whole",
        Answer::Batch { whole: false } => "batch_failed",
        Answer::Gone => "gone",
        Answer::NotYet => "not_yet",
    }
}

fn answer_of(v: &Value) -> Answer {
    match v.as_str().unwrap() {
        "batch_whole" => Answer::Batch { whole: true },
        "batch_failed" => Answer::Batch { whole: false },
        "gone" => Answer::Gone,
        "not_yet" => Answer::NotYet,
        other => panic!("unknown answer {other}"),
    }
}

fn severity_of(v: &Value) -> Severity {
    Severity::from_byte(v.as_u64().unwrap() as u8).unwrap()
}

/// notice.json's venue-approved notice alone, sealed again under another salt and published
/// later: another bundle, the same notice.
fn republished(f: &Fixture) -> Value {
    use protocol::notice::{seal_notices_with_salt, sign_bundle};
    let id = f.poster.venue_id();
    let s1 = super::statement(
        id,
        f,
        T0 + 12 * 3600,
        T0 + 14 * 3600,
        Severity::High,
        "You may have been exposed. Please book a test and watch for symptoms.",
    );
    let payload = s1
        .clone()
        .into_payload(s1.approve_as_venue(&f.venue.keys()));
    let mut salt = [0u8; 16];
    rand::Rng::fill_bytes(&mut rng(40), &mut salt);
    let sealed = seal_notices_with_salt(
        salt,
        &[protocol::VenueNotice {
            venue_id: id,
            payload: payload.clone(),
        }],
    )
    .unwrap();
    // 40 minutes into its hour: a sync earlier in that hour finds the hour without it.
    let created = T0 + 21 * 3600 + 2400;
    let bundle = sign_bundle(&f.tracer, &f.cert, created, &sealed).unwrap();
    let visit = "3f0c5a2e9b7d41c6a8e2f1d0c9b8a7e6";
    let alert = alert_id(&AlertKey {
        visit,
        start: payload.start,
        end: payload.end,
        severity: payload.severity,
        message: &payload.message,
    });
    json!({
        "bundle": h(&bundle),
        "created_at": created,
        "now": created + 60,
        "matching_visit": 2,
        "visit_id": visit,
        "alert_id": alert,
    })
}

pub fn generate(f: &Fixture) -> Value {
    let dates = [
        (
            "Thu, 01 Jan 2026 00:00:00 GMT",
            "IMF-fixdate: the vector clock's start",
        ),
        ("Thu, 01 Jan 2026 10:59:59 GMT", "IMF-fixdate"),
        (
            "Thu, 29 Feb 2024 23:59:60 GMT",
            "a leap second reads as the next second",
        ),
        ("Sun, 06 Nov 1994 08:49:37 GMT", "RFC 9110's example"),
        (
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "the obsolete RFC 850 form: no date",
        ),
        (
            "Sun Nov  6 08:49:37 1994",
            "the obsolete asctime form: no date",
        ),
        (
            "Thu, 01 Jan 2026 00:00:00 UTC",
            "a zone other than GMT: no date",
        ),
        (
            "Sat, 29 Feb 2025 00:00:00 GMT",
            "a day the month does not have: no date",
        ),
        ("Thu, 01 Jan 2026 24:00:00 GMT", "hour 24: no date"),
        ("Thu, 1 Jan 2026 00:00:00 GMT", "a one-digit day: no date"),
        ("", "empty: no date"),
    ];
    let closed = [
        (CLOSES, Some(CLOSES), "both clocks at the close: closed"),
        (
            CLOSES - 1,
            Some(CLOSES),
            "the phone's clock a second before the close: open",
        ),
        (
            CLOSES + 1500,
            Some(CLOSES - 1380),
            "the phone's clock 25 minutes fast, the server's a little before the close: open",
        ),
        (
            CLOSES + 1500,
            Some(CLOSES + 60),
            "the phone's clock 25 minutes fast, the server's past the close: closed",
        ),
        (
            CLOSES + 3600,
            None,
            "no Date the client reads: open, whatever the phone's clock says",
        ),
        (
            CLOSES - 600,
            Some(CLOSES + 86_400),
            "a server's Date a day ahead, the phone's clock before the close: open",
        ),
    ];
    let now = CLOSES + 600;
    let old = (now / 3600 - RECHECK_HOURS - 5) * 3600;
    let transitions: Vec<Transition> = vec![
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::Batch { whole: true },
            now,
            Some(now),
            0,
            "a closed hour read whole is held, with its second look an hour later at the earliest",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::Batch { whole: true },
            now,
            Some(now),
            u64::MAX,
            "the second look falls RECHECK_MIN_SECS + random % (RECHECK_SPREAD_SECS + 1) after",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::Gone,
            now,
            Some(now),
            1234,
            "410 within the servers' retention: held, and looked at again",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::Batch { whole: true },
            now,
            Some(HOUR * 3600 + 3000),
            0,
            "the server's Date says the hour is open: nothing changes",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::Batch { whole: true },
            now,
            None,
            0,
            "no Date: nothing changes",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::NotYet,
            now,
            Some(now),
            0,
            "404: nothing changes",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 0 },
            Answer::Batch { whole: false },
            now,
            Some(now),
            0,
            "a bundle failed: one try counted",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 1 },
            Answer::Batch { whole: false },
            now,
            Some(now),
            0,
            "failed at the second sync too",
        ),
        (
            HOUR,
            HourState::Wanted { tries: 2 },
            Answer::Batch { whole: false },
            now,
            Some(now),
            99,
            "failed at the third: held, failure reported, and looked at again",
        ),
        (
            HOUR,
            HourState::Held {
                recheck_at: Some(now),
            },
            Answer::Batch { whole: true },
            now,
            Some(now),
            5,
            "the second look: held for good",
        ),
        (
            HOUR,
            HourState::Held {
                recheck_at: Some(now),
            },
            Answer::Gone,
            now,
            Some(now),
            5,
            "the second look answered 410: held for good",
        ),
        (
            HOUR,
            HourState::Held {
                recheck_at: Some(now),
            },
            Answer::Batch { whole: false },
            now,
            Some(now),
            5,
            "the second look failed verification: held for good, failure reported",
        ),
        (
            HOUR,
            HourState::Held {
                recheck_at: Some(now),
            },
            Answer::NotYet,
            now,
            Some(now),
            5,
            "the second look answered 404: still due",
        ),
        (
            old / 3600,
            HourState::Wanted { tries: 0 },
            Answer::Gone,
            now,
            Some(now),
            5,
            "410 past the servers' retention: held, no second look",
        ),
    ];
    let transitions: Vec<Value> = transitions
        .into_iter()
        .map(|(hour, state, answer, now, date, random, note)| {
            json!({"note": note, "hour": hour, "state": state_json(state), "answer": answer_name(answer),
                   "now": now, "date": date, "random": random.to_string(),
                   "next": state_json(after_answer(hour, state, answer, now, date, random))})
        })
        .collect();
    // Which hours a sync fetches: the window, less the held hours whose second look is not due.
    let now_hour = now / 3600;
    let first = now_hour - SYNC_HOURS;
    let held: Vec<(u64, Option<u64>)> = vec![
        (first, None),
        (first + 10, Some(now - 1)),
        (now_hour - RECHECK_HOURS - 1, Some(now - 1)),
        (now_hour - RECHECK_HOURS, Some(now - 1)),
        (now_hour - 5, Some(now)),
        (now_hour - 4, Some(now + 1)),
        (now_hour - 3, None),
        (now_hour - 2, Some(now + 86_400)),
    ];
    let state = |h: u64| {
        held.iter()
            .find(|(x, _)| *x == h)
            .map(|&(_, recheck_at)| HourState::Held { recheck_at })
            .unwrap_or(HourState::Wanted { tries: 0 })
    };
    let fetched = hours_to_fetch(now, state);
    let window: Vec<u64> = sync_window(now).collect();
    let not_fetched: Vec<u64> = window
        .iter()
        .copied()
        .filter(|h| !fetched.contains(h))
        .collect();
    let alerts = [
        (
            "3f0c5a2e9b7d41c6a8e2f1d0c9b8a7e6",
            T0 + 12 * 3600,
            T0 + 14 * 3600,
            2,
            "Please get tested.",
        ),
        (
            "3f0c5a2e9b7d41c6a8e2f1d0c9b8a7e6",
            T0 + 12 * 3600,
            T0 + 14 * 3600,
            1,
            "Please get tested.",
        ),
        (
            "3f0c5a2e9b7d41c6a8e2f1d0c9b8a7e6",
            T0 + 12 * 3600,
            T0 + 14 * 3600 + 1,
            2,
            "Please get tested.",
        ),
        (
            "6b1f5a9c-2d3e-4f70-8a9b-0c1d2e3f4a5b",
            T0 + 12 * 3600,
            T0 + 14 * 3600,
            2,
            "Please get tested.",
        ),
        (
            "6b1f5a9c-2d3e-4f70-8a9b-0c1d2e3f4a5b",
            T0 + 12 * 3600,
            T0 + 14 * 3600,
            2,
            "",
        ),
        (
            "6b1f5a9c-2d3e-4f70-8a9b-0c1d2e3f4a5b",
            T0,
            T0 + 900,
            1,
            "Café Zürich: bitte testen 🧪",
        ),
    ];
    let stays = [
        (T0, 90, "90 minutes"),
        (T0, 720, "the longest a poster may say: 12 hours"),
        (T0 + 59, 1, "one minute"),
    ];
    let departures = [
        (
            T0,
            Some(T0 + 600),
            T0 + 5400,
            T0 + 7200,
            "closed: its own departure",
        ),
        (
            T0,
            None,
            T0 + 5400,
            T0 + 1800,
            "open, before its automatic check-out: now",
        ),
        (
            T0,
            None,
            T0 + 5400,
            T0 + 9000,
            "open, past its automatic check-out: that",
        ),
        (
            T0,
            None,
            T0 + 5400,
            T0 - 60,
            "open, the clock behind the arrival: the arrival",
        ),
    ];
    json!({
        "description": "Client rules (spec sections 12.3, 13 and 13a), which both phone clients run. `republished`: notice.json's venue-approved notice alone in another bundle (another salt, created 40 minutes into the hour after notice.json's, verified at `now`); matched as matching.json's visit `matching_visit` with the id `visit_id`, both this bundle and notice.json's give one alert, `alert_id`. `constants` are the spec's numbers. `http_dates`: a Date header's text and the Unix time a client reads from it (null: it reads none). `closed`: whether an answer produced at `date` (null: no Date) shows `hour` closed to a client whose clock reads `now`. `transitions`: an hour's state before a sync, the answer (`batch_whole`: 200 and every bundle verified or failed finally; `batch_failed`: 200 with a bundle or the batch failing; `gone`: 410; `not_yet`: 404), the client's clock, the answer's Date, the client's random draw (decimal u64, as a string) and the state after. `fetch`: at `now`, with `held` hours (and when each one's second look is due; null: none), the hours of the window a sync does not fetch (every other hour of `window` is fetched, oldest first). `plans`: at `now`, with `hours` in the states given (every other hour of the window wanted, no tries), the requests a sync makes in order: `{\"day\": D}` is `GET /v1/days/D`, `{\"hour\": H}` is `GET /v1/batches/H`. `alert_ids`: an alert's id from the visit id and the notice's window, severity and message. `auto_departure`: when an open visit ends by itself. `matched_departure`: the departure a visit is matched with.",
        "constants": {
            "sync_hours": SYNC_HOURS,
            "recheck_hours": RECHECK_HOURS,
            "recheck_min_secs": RECHECK_MIN_SECS,
            "recheck_spread_secs": RECHECK_SPREAD_SECS,
            "fetch_tries": FETCH_TRIES,
            "close_grace_secs": CLOSE_GRACE_SECS,
            "max_auto_stay_secs": MAX_AUTO_STAY_SECS,
            "default_threshold_secs": DEFAULT_THRESHOLD_SECS,
        },
        "http_dates": dates.iter().map(|(t, note)| json!({"text": t, "unix": parse_http_date(t), "note": note})).collect::<Vec<_>>(),
        "closed": closed.iter().map(|&(now, date, note)| json!({"hour": HOUR, "now": now, "date": date, "closed": closed_by_answer(HOUR, now, date), "note": note})).collect::<Vec<_>>(),
        "transitions": transitions,
        "fetch": {
            "now": now,
            "window": {"first": window[0], "last": window[window.len() - 1]},
            "held": held.iter().map(|(h, at)| json!({"hour": h, "recheck_at": at})).collect::<Vec<_>>(),
            "not_fetched": not_fetched,
        },
        "plans": plans(),
        "alert_ids": alerts.iter().map(|&(visit, start, end, severity, message)| {
            let key = AlertKey { visit, start, end, severity: Severity::from_byte(severity).unwrap(), message };
            json!({"visit": visit, "start": start, "end": end, "severity": severity, "message": message, "id": alert_id(&key)})
        }).collect::<Vec<_>>(),
        "auto_departure": stays.iter().map(|&(arrival, stay, note)| json!({"arrival": arrival, "default_stay_minutes": stay, "auto": auto_departure(arrival, stay), "note": note})).collect::<Vec<_>>(),
        "republished": republished(f),
        "matched_departure": departures.iter().map(|&(arrival, departure, auto, now, note)| json!({"arrival": arrival, "departure": departure, "auto": auto, "now": now, "matched": matched_departure(arrival, departure, auto, now), "note": note})).collect::<Vec<_>>(),
    })
}

/// One state of an hour in a plan vector.
fn plan_state(hours: &[(u64, HourState)], h: u64) -> HourState {
    hours
        .iter()
        .find(|(x, _)| *x == h)
        .map(|&(_, s)| s)
        .unwrap_or(HourState::Wanted { tries: 0 })
}

fn fetch_json(f: Fetch) -> Value {
    match f {
        Fetch::Day(d) => json!({"day": d}),
        Fetch::Hour(h) => json!({"hour": h}),
    }
}

/// A plan vector: the clock, the hours not wanted (with their states), a note.
type PlanCase = (u64, Vec<(u64, HourState)>, &'static str);

/// `plans`: which requests a sync makes, days and hours, for diaries in several states.
fn plans() -> Vec<Value> {
    const DAY: u64 = T0 / 86_400 + 20;
    let at = |hh: u64, mm: u64| (DAY * 24 + hh) * 3600 + mm * 60;
    let held = |recheck_at: Option<u64>| HourState::Held { recheck_at };
    let mut cases: Vec<PlanCase> = vec![
        (
            at(12, 30),
            vec![],
            "a first sync at 12:30: the tail of the oldest day and 14 closed days as files, then today's 12 closed hours and the open hour",
        ),
        (
            at(23, 30),
            vec![],
            "a first sync at 23:30: one day file more than hours would be, 40 requests at most",
        ),
        (
            at(0, 30),
            vec![],
            "a first sync at 00:30: yesterday closed at 00:02, so it is a file too",
        ),
        (
            at(0, 1),
            vec![],
            "a first sync at 00:01: yesterday has not closed (120 seconds after its end), so its hours come one by one",
        ),
    ];
    // A diary that synced yesterday at 18:10 and now at 09:00: yesterday's hours 0..=17 held
    // with second looks pending, 18..=23 wanted: hours, not a file.
    let now = at(9, 0);
    let mut partial: Vec<(u64, HourState)> = (0..18)
        .map(|i| ((DAY - 1) * 24 + i, held(Some(now + 3600))))
        .collect();
    // Every day before that held from day files, one shared second look: due for the day
    // before yesterday (a file again), not yet for the one before it (nothing).
    partial.extend((0..24).map(|i| ((DAY - 2) * 24 + i, held(Some(now - 60)))));
    partial.extend((0..24).map(|i| ((DAY - 3) * 24 + i, held(Some(now + 60)))));
    for d in DAY - 16..DAY - 3 {
        partial.extend((0..24).map(|i| (d * 24 + i, held(None))));
    }
    // Today's hours 0..=5 held, 6..=8 wanted.
    partial.extend((0..6).map(|i| (DAY * 24 + i, held(None))));
    cases.push((now, partial, "a diary that syncs twice a day: yesterday's six missing hours one by one, the day before yesterday as a file for its second look, nothing of the day before that, today's three hours"));
    // A day file's hour that failed: held hours of that day wait for their second look, the
    // failed one is fetched alone.
    let now = at(10, 0);
    let mut failed: Vec<(u64, HourState)> = (0..24)
        .map(|i| ((DAY - 1) * 24 + i, held(Some(now + 7200))))
        .collect();
    failed[5].1 = HourState::Wanted { tries: 1 };
    for d in DAY - 16..DAY - 1 {
        failed.extend((0..24).map(|i| (d * 24 + i, held(None))));
    }
    failed.extend((0..10).map(|i| (DAY * 24 + i, held(None))));
    cases.push((
        now,
        failed,
        "one hour of yesterday's file failed: it alone is fetched again, with the open hour",
    ));
    // The oldest day in the window: hours past the servers' retention held for good do not
    // keep a due hour of the same day from coming as a file.
    let now = at(12, 0);
    let mut tail: Vec<(u64, HourState)> = (0..24)
        .map(|i| {
            let h = (DAY - 14) * 24 + i;
            (
                h,
                if h + RECHECK_HOURS < now / 3600 {
                    held(None)
                } else {
                    held(Some(now - 1))
                },
            )
        })
        .collect();
    for d in DAY - 13..DAY {
        tail.extend((0..24).map(|i| (d * 24 + i, held(None))));
    }
    tail.extend((0..12).map(|i| (DAY * 24 + i, held(None))));
    cases.push((
        now,
        tail,
        "the oldest day's second look: its hours past retention do not stop it coming as a file",
    ));
    cases
        .into_iter()
        .map(|(now, hours, note)| {
            let plan = sync_plan(now, |h| plan_state(&hours, h));
            json!({
                "note": note,
                "now": now,
                "hours": hours.iter().map(|&(h, s)| json!({"hour": h, "state": state_json(s)})).collect::<Vec<_>>(),
                "plan": plan.into_iter().map(fetch_json).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Reads `client.json` on its own terms, as an implementer would.
pub fn check(v: &Value) {
    republished_is_one_alert(v);
    let c = &v["constants"];
    assert_eq!(c["sync_hours"], SYNC_HOURS);
    assert_eq!(c["recheck_hours"], RECHECK_HOURS);
    assert_eq!(c["recheck_min_secs"], RECHECK_MIN_SECS);
    assert_eq!(c["recheck_spread_secs"], RECHECK_SPREAD_SECS);
    assert_eq!(c["fetch_tries"], FETCH_TRIES);
    assert_eq!(c["close_grace_secs"], CLOSE_GRACE_SECS);
    assert_eq!(c["max_auto_stay_secs"], MAX_AUTO_STAY_SECS);
    assert_eq!(c["default_threshold_secs"], DEFAULT_THRESHOLD_SECS);
    for d in v["http_dates"].as_array().unwrap() {
        assert_eq!(
            parse_http_date(d["text"].as_str().unwrap()),
            d["unix"].as_u64(),
            "{}",
            d["note"]
        );
    }
    for d in v["closed"].as_array().unwrap() {
        let got = closed_by_answer(
            d["hour"].as_u64().unwrap(),
            d["now"].as_u64().unwrap(),
            d["date"].as_u64(),
        );
        assert_eq!(got, d["closed"].as_bool().unwrap(), "{}", d["note"]);
    }
    for t in v["transitions"].as_array().unwrap() {
        let got = after_answer(
            t["hour"].as_u64().unwrap(),
            state_of(&t["state"]),
            answer_of(&t["answer"]),
            t["now"].as_u64().unwrap(),
            t["date"].as_u64(),
            t["random"].as_str().unwrap().parse().unwrap(),
        );
        assert_eq!(got, state_of(&t["next"]), "{}", t["note"]);
    }
    let f = &v["fetch"];
    let now = f["now"].as_u64().unwrap();
    let held: Vec<(u64, Option<u64>)> = f["held"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["hour"].as_u64().unwrap(), h["recheck_at"].as_u64()))
        .collect();
    let got = hours_to_fetch(now, |h| {
        held.iter()
            .find(|(x, _)| *x == h)
            .map(|&(_, recheck_at)| HourState::Held { recheck_at })
            .unwrap_or(HourState::Wanted { tries: 0 })
    });
    let (first, last) = (
        f["window"]["first"].as_u64().unwrap(),
        f["window"]["last"].as_u64().unwrap(),
    );
    let skipped: Vec<u64> = f["not_fetched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (first..=last).filter(|h| !skipped.contains(h)).collect();
    assert_eq!(got, expected);
    for p in v["plans"].as_array().unwrap() {
        let hours: Vec<(u64, HourState)> = p["hours"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["hour"].as_u64().unwrap(), state_of(&x["state"])))
            .collect();
        let got: Vec<Value> = sync_plan(p["now"].as_u64().unwrap(), |h| plan_state(&hours, h))
            .into_iter()
            .map(fetch_json)
            .collect();
        assert_eq!(Value::from(got), p["plan"], "{}", p["note"]);
    }
    let mut ids = std::collections::BTreeSet::new();
    for a in v["alert_ids"].as_array().unwrap() {
        let key = AlertKey {
            visit: a["visit"].as_str().unwrap(),
            start: a["start"].as_u64().unwrap(),
            end: a["end"].as_u64().unwrap(),
            severity: severity_of(&a["severity"]),
            message: a["message"].as_str().unwrap(),
        };
        assert_eq!(alert_id(&key), a["id"].as_str().unwrap());
        assert!(
            ids.insert(alert_id(&key)),
            "every vector is a different alert"
        );
    }
    for a in v["auto_departure"].as_array().unwrap() {
        let got = auto_departure(
            a["arrival"].as_u64().unwrap(),
            a["default_stay_minutes"].as_u64().unwrap() as u16,
        );
        assert_eq!(got, a["auto"].as_u64().unwrap(), "{}", a["note"]);
    }
    for a in v["matched_departure"].as_array().unwrap() {
        let got = matched_departure(
            a["arrival"].as_u64().unwrap(),
            a["departure"].as_u64(),
            a["auto"].as_u64().unwrap(),
            a["now"].as_u64().unwrap(),
        );
        assert_eq!(got, a["matched"].as_u64().unwrap(), "{}", a["note"]);
    }
}

/// The same notice in two bundles is one alert.
fn republished_is_one_alert(v: &Value) {
    use protocol::{BundleVerifier, Matcher, ScanStats, Visit};
    let r = &v["republished"];
    let n = super::load("notice.json");
    let m = super::load("matching.json");
    let c = &m["visits"][r["matching_visit"].as_u64().unwrap() as usize];
    let poster = &super::posters()[c["poster"].as_u64().unwrap() as usize];
    let visit = Visit::new(
        poster,
        c["arrival"].as_u64().unwrap(),
        c["departure"].as_u64().unwrap(),
    )
    .unwrap();
    let matcher = Matcher::new(&[visit], DEFAULT_THRESHOLD_SECS, super::emergency()).unwrap();
    let mut ids = Vec::new();
    for (bytes, now) in [
        (
            unh(&n["bundle"]["encoding"]),
            n["bundle"]["now"].as_u64().unwrap(),
        ),
        (unh(&r["bundle"]), r["now"].as_u64().unwrap()),
    ] {
        let bundle = BundleVerifier::new(super::root())
            .verify(&bytes, now)
            .unwrap();
        let alerts = matcher.scan(&bundle, &mut ScanStats::default());
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        ids.push((
            bundle.id(),
            alert_id(&AlertKey {
                visit: r["visit_id"].as_str().unwrap(),
                start: a.notice.start,
                end: a.notice.end,
                severity: a.notice.severity,
                message: &a.notice.message,
            }),
        ));
    }
    assert_ne!(ids[0].0, ids[1].0, "two bundles");
    assert_eq!(ids[0].1, ids[1].1, "one alert");
    assert_eq!(ids[0].1, r["alert_id"].as_str().unwrap());
}

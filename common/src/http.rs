//! The HTTP agent the programs use to talk to the notify server: statuses are answers (the
//! caller reads the JSON error body), and every request has a deadline.

use std::time::Duration;

/// An agent that gives up connecting after `connect` and on the whole request after
/// `overall`.
pub fn agent(connect: Duration, overall: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(connect))
        .timeout_global(Some(overall))
        .build()
        .into()
}

//! The HTTP agent the programs use to talk to the notify server: statuses are answers (the
//! caller reads the JSON error body), and every request has a deadline.

use std::net::IpAddr;
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

/// Checks a notify server URL and returns it without a trailing `/`: `https://HOST[:PORT]`,
/// or `http://` only for this machine (127.0.0.0/8, ::1, `localhost`), where nothing crosses
/// a network.
pub fn server_url(url: &str) -> Result<String, crate::Error> {
    let url = url.trim_end_matches('/');
    let bad = || {
        crate::Error::Invalid(format!(
            "'{url}' is not a notify server URL: use https://HOST (http:// only for \
             127.0.0.1, ::1 or localhost)"
        ))
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']').map(|(h, _)| h).ok_or_else(bad)?
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    if host.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    match scheme {
        "https" => Ok(url.to_owned()),
        "http" => {
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(url.to_owned())
            } else {
                Err(crate::Error::Invalid(format!(
                    "'{url}' is not encrypted: a notify server on another machine must be \
                     reached with https:// (http:// is allowed only for 127.0.0.1, ::1 or \
                     localhost)"
                )))
            }
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn plain_http_only_on_this_machine() {
        for ok in [
            "https://checkin.example",
            "https://checkin.example:8443/",
            "http://127.0.0.1:8000",
            "http://127.5.0.1",
            "http://[::1]:8000",
            "http://localhost:8000",
        ] {
            assert!(server_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://checkin.example",
            "http://192.168.1.10:8000",
            "http://[fe80::1]:80",
            "http://127.0.0.1.evil.example",
            "http://localhost@evil.example",
            "ftp://127.0.0.1",
            "checkin.example",
            "127.0.0.1:8000",
            "https://",
        ] {
            assert!(server_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            server_url("https://checkin.example/").unwrap(),
            "https://checkin.example"
        );
    }
}

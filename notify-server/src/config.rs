//! Configuration, from `Rocket.toml` or `ROCKET_*` environment variables (Rocket's own
//! `address`, `port`, `limits`, … plus the keys below), with defaults that need no set-up.

use std::path::PathBuf;

use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

use crate::guard::GuardSettings;

/// Where the server keeps what it stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// One redb file in `data_dir`: no set-up, one instance.
    Redb,
    /// A PostgreSQL database at `database_url`, shared by any number of instances.
    Postgres,
}

/// The server's own settings.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Where the store (`store.redb`) and any development authority live.
    pub data_dir: PathBuf,
    /// Which store: `redb` (one file in `data_dir`, the default) or `postgres` (a PostgreSQL
    /// database at `database_url`, which several instances may share).
    pub store: StoreKind,
    /// With `store = "postgres"`: the database, as `postgres://USER:PASSWORD@HOST/DATABASE` or
    /// a libpq key-value string. Never logged.
    pub database_url: Option<String>,
    /// With `store = "postgres"`: most database connections this instance holds.
    pub database_pool_size: usize,
    /// A directory to write every closed hour batch into, once, as immutable files for a
    /// static host or CDN (`v1/batches/HOUR` and `HOUR.gz`); unset: none are written.
    pub batch_dir: Option<PathBuf>,
    /// The authority trust file to pin. Unset: a development authority is created in
    /// `data_dir/dev-authority` (and the server says so loudly).
    pub trust_file: Option<PathBuf>,
    /// Refuse to start without `trust_file` instead of creating a development authority.
    pub require_trust_file: bool,
    /// A text file of the venues' posters (one poster URL or code a line; blank lines and
    /// lines starting with `#` are skipped), from which `GET /v1/vault/buckets` counts the
    /// venues of each bucket, so that phones send cover records only to buckets venues use
    /// (spec section 14.5). Unset: every count is zero and phones pick covers' buckets
    /// uniformly, so that in a deployment of few venues a cover in an empty bucket is known
    /// for one.
    pub venue_posters: Option<PathBuf>,
    /// Days notices are kept.
    pub notice_retention_days: u64,
    /// Days vault records are kept.
    pub vault_retention_days: u64,
    /// Seconds between retention purges.
    pub purge_interval_secs: u64,
    /// Vault uploads allowed per client address per minute.
    pub vault_uploads_per_minute: u32,
    /// Vault queries allowed per client address per minute.
    pub queries_per_minute: u32,
    /// Bundles a client address may post per minute.
    pub publish_per_minute: u32,
    /// Most MiB that large bodies (bundles and case files) being read may take together, each
    /// counted at its endpoint's limit; past it such a post is answered `503 server_busy` at
    /// once, so that many slow large posts cannot take the server's memory.
    pub large_bodies_mib: u32,
    /// Most bytes of case files one client address may have held at once (each counted until
    /// it expires, a day after it was posted, fetched or not); past it `POST /v1/cases`
    /// answers `429 case_address_full`. At least one longest case file.
    pub case_bytes_per_address: u64,
    /// Most bytes of case files held in all; past it `POST /v1/cases` answers
    /// `507 case_storage_full`. At least `case_bytes_per_address`.
    pub case_bytes_total: u64,
    /// Most bundles in one sync page.
    pub max_page: usize,
    /// Most bytes of bundles in one sync page (at least one bundle is always sent).
    pub max_page_bytes: usize,
    /// Most vault records one query returns.
    pub max_query_records: usize,
    /// How far before the server's clock a bundle's creation time may lie, seconds.
    pub bundle_clock_skew_secs: u64,
    /// How far after the server's clock a bundle's creation time may lie, seconds. Must be
    /// below the 300 seconds phones allow (spec section 12.2), so that phones whose clocks are
    /// slower than the server's still accept what the server published.
    pub bundle_future_secs: u64,
    /// Serve `/metrics` and the detailed `/healthz` to operators on a separate listener.
    pub admin_enabled: bool,
    /// The operators' listener address: loopback unless the metrics collector is elsewhere.
    pub admin_address: std::net::IpAddr,
    /// The operators' listener port; 0 picks a free one (logged at start).
    pub admin_port: u16,
    /// Where the phone client is served: the path of the posters' base URL (spec section
    /// 7.4), such as `/v1/c` for posters printed with `https://HOST/v1/c`.
    pub app_path: String,
    /// Web Push wake-ups (spec section 16b): phones may subscribe, and when an hour closes
    /// holding new bundles the server sends every subscription the same content-free push.
    /// `false`: the push endpoints answer `404 push_disabled` and nothing is sent.
    pub push_enabled: bool,
    /// The push services the server sends to: an endpoint's host must be one of these or end
    /// with `.` and one of them, and its URL must be `https://` (`http://` only for a loopback
    /// host listed here, for a test stand-in). The server posts only to these hosts.
    pub push_services: Vec<String>,
    /// Who runs this server, for the push services (the VAPID `sub` claim, RFC 8292): a
    /// `mailto:` or `https:` URL; unset, none is sent (some push services then refuse).
    pub push_contact: Option<String>,
    /// How long a push service keeps a wake-up for a phone that is offline (the `TTL`
    /// header), seconds: 60 to 86,400.
    pub push_ttl_secs: u64,
    /// Days a subscription is kept unless the phone renews it (by posting it again).
    pub push_subscription_days: u64,
    /// Most subscriptions the server holds in all.
    pub push_max_subscriptions: u64,
    /// Subscriptions (and deletions) allowed per client address per minute.
    pub push_subscriptions_per_minute: u32,
    /// Wake-ups sent per second in a round: every round sends at this pace, in a new random
    /// order, so that when a phone is woken says nothing about it.
    pub push_sends_per_second: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("notify-data"),
            store: StoreKind::Redb,
            database_url: None,
            database_pool_size: 16,
            batch_dir: None,
            trust_file: None,
            require_trust_file: false,
            venue_posters: None,
            notice_retention_days: 14,
            vault_retention_days: 21,
            purge_interval_secs: 600,
            vault_uploads_per_minute: 120,
            queries_per_minute: 60,
            publish_per_minute: 120,
            large_bodies_mib: 64,
            case_bytes_per_address: 4 << 20,
            case_bytes_total: 1 << 30,
            max_page: 100,
            max_page_bytes: 8 << 20,
            max_query_records: 100_000,
            bundle_clock_skew_secs: 600,
            bundle_future_secs: 60,
            admin_enabled: true,
            admin_address: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            admin_port: 9464,
            app_path: "/v1/c".into(),
            push_enabled: true,
            push_services: [
                "fcm.googleapis.com",
                "updates.push.services.mozilla.com",
                "push.apple.com",
                "notify.windows.com",
            ]
            .map(String::from)
            .to_vec(),
            push_contact: None,
            push_ttl_secs: 43_200,
            push_subscription_days: 30,
            push_max_subscriptions: 1_000_000,
            push_subscriptions_per_minute: 10,
            push_sends_per_second: 100,
        }
    }
}

/// Every configuration key the server reads: Rocket's own, [`Settings`]', and the connection
/// guard's, plus `config` (the `ROCKET_CONFIG` file name) and `profile`.
pub fn known_keys() -> Vec<String> {
    let mut keys: Vec<String> = vec!["config".into(), "profile".into()];
    if let Ok(rocket) =
        Figment::from(rocket::Config::default()).extract::<rocket::figment::value::Dict>()
    {
        keys.extend(rocket.into_keys());
    }
    keys.extend(ours(&Settings::default(), &GuardSettings::default()).map(|(k, _)| k));
    keys.sort();
    keys.dedup();
    keys
}

/// The server's own settings and the connection guard's, key by key, as their JSON values.
fn ours(
    settings: &Settings,
    guard: &GuardSettings,
) -> impl Iterator<Item = (String, serde_json::Value)> {
    [serde_json::to_value(settings), serde_json::to_value(guard)]
        .into_iter()
        .filter_map(|v| match v {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        })
        .flatten()
}

/// Whether the operator set `key`, in a configuration file or a `ROCKET_*` variable (not a
/// default of Rocket's or the server's).
pub fn set_by_operator(figment: &Figment, key: &str) -> bool {
    figment.find_metadata(key).is_some_and(|m| {
        matches!(m.source, Some(rocket::figment::Source::File(_)))
            || m.name.contains("environment variable")
    })
}

/// A configuration error in words, with the usual cause of a mistyped `Rocket.toml` named.
pub fn explain(e: &rocket::figment::Error) -> String {
    let text = e.to_string();
    if text.contains("expected a map") {
        format!(
            "{text}. In Rocket.toml, keys go under a profile table: [default] (or [release], \
             [debug]), such as\n[default]\nport = 8000"
        )
    } else {
        text
    }
}

/// Refuses configuration keys the server does not know, naming where each came from (the
/// file or the `ROCKET_*` variable) and the key that was probably meant: a misspelled key must
/// not leave a setting at its default unnoticed (a misspelled `trust_file` would start the
/// server on a development authority).
pub fn check_keys(figment: &Figment) -> Result<(), String> {
    check_sources(figment)?;
    let given = figment
        .extract::<rocket::figment::value::Dict>()
        .map_err(|e| e.to_string())?;
    let known = known_keys();
    let squash = |k: &str| k.replace(['_', '-'], "").to_ascii_lowercase();
    let mut problems = Vec::new();
    for key in given.keys().filter(|k| !known.contains(k)) {
        let from = match figment.find_metadata(key).and_then(|m| m.source.as_ref()) {
            Some(rocket::figment::Source::File(path)) => format!("in {}", path.display()),
            _ => format!(
                "as the environment variable ROCKET_{}",
                key.to_ascii_uppercase()
            ),
        };
        let hint = known
            .iter()
            .find(|k| squash(k) == squash(key))
            .map(|k| format!(" (did you mean {k}, ROCKET_{}?)", k.to_ascii_uppercase()))
            .unwrap_or_default();
        problems.push(format!("unknown key {key} {from}{hint}"));
    }
    if problems.is_empty() {
        check_proxies(figment)
    } else {
        Err(format!(
            "{}. Correct or remove it: the server does not start on settings it would \
             silently ignore (the keys it reads are listed in notify-server/README.md)",
            problems.join("; ")
        ))
    }
}

/// Refuses a `trusted_proxies` entry that is not an address or prefix, and an `ip_header`
/// with no trusted proxy: a client reaching the server directly would pick its own address.
fn check_proxies(figment: &Figment) -> Result<(), String> {
    let guard: GuardSettings = figment.extract().map_err(|e| explain(&e))?;
    let proxies = guard.proxies()?;
    let rocket: rocket::Config = figment.extract().map_err(|e| explain(&e))?;
    match (&rocket.ip_header, proxies.is_empty()) {
        (Some(h), true) => Err(format!(
            "ip_header = {:?} but trusted_proxies is empty: a client reaching the server \
             directly could then pick its own address. List the reverse proxies' addresses in \
             trusted_proxies (ROCKET_TRUSTED_PROXIES='[\"10.0.0.5\"]'), or remove ip_header",
            h.as_str()
        )),
        _ => Ok(()),
    }
}

/// Refuses a configuration file or profile that was asked for and is not there: with
/// `ROCKET_CONFIG` naming a missing file (a typo, a wrong directory), or `ROCKET_PROFILE`
/// naming a table the file does not have, the server would otherwise start on its defaults,
/// with a development authority, in place of the settings the operator meant.
pub fn check_sources(figment: &Figment) -> Result<(), String> {
    if let Some(file) = std::env::var_os("ROCKET_CONFIG").filter(|f| !f.is_empty()) {
        let path = std::path::Path::new(&file);
        if !path.is_file() {
            return Err(format!(
                "ROCKET_CONFIG names {}, which {}: correct the path, or unset ROCKET_CONFIG to \
                 read Rocket.toml in the working directory (the server does not start on its \
                 defaults in place of the file you meant)",
                path.display(),
                if path.exists() {
                    "is not a file"
                } else {
                    "does not exist"
                }
            ));
        }
    }
    let selected = figment.profile();
    let builtin = [
        rocket::figment::Profile::Default,
        rocket::Config::DEBUG_PROFILE,
        rocket::Config::RELEASE_PROFILE,
    ];
    if !builtin.contains(selected) && !figment.profiles().any(|p| p == selected) {
        let file = std::env::var("ROCKET_CONFIG").unwrap_or_else(|_| "Rocket.toml".into());
        let mut tables: Vec<String> = figment
            .profiles()
            .filter(|p| *p != rocket::figment::Profile::Global)
            .map(|p| format!("[{p}]"))
            .collect();
        tables.sort();
        tables.dedup();
        return Err(format!(
            "ROCKET_PROFILE = {selected}, but {file} has no [{selected}] table (it has {}): add \
             the table, or set ROCKET_PROFILE to one of those",
            if tables.is_empty() {
                "none".to_string()
            } else {
                tables.join(", ")
            }
        ));
    }
    Ok(())
}

/// Every setting the server reads with its environment variable and default value, one a
/// line (for `notify-server --help`).
pub fn settings_help() -> String {
    let mut rows: Vec<(String, String)> = vec![
        ("address".into(), "\"127.0.0.1\"".into()),
        ("port".into(), "8000".into()),
        (
            "log_level".into(),
            "off (the server's own lines only)".into(),
        ),
        (
            "ip_header".into(),
            "false (the peer address is the client's)".into(),
        ),
    ];
    rows.extend(
        ours(&Settings::default(), &GuardSettings::default()).map(|(k, v)| {
            let shown = if v.is_null() {
                "unset".to_string()
            } else {
                v.to_string()
            };
            (k, shown)
        }),
    );
    rows.iter()
        .map(|(k, v)| {
            format!(
                "  {k:<30} {:<38} {v}",
                format!("ROCKET_{}", k.to_ascii_uppercase())
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The effective configuration, one `key = value` a line with where each value came from
/// (for `notify-server --print-config`): `database_url` is masked, as it may hold a password.
pub fn print_config(figment: &Figment) -> Result<String, String> {
    check_keys(figment)?;
    let settings: Settings = figment.extract().map_err(|e| explain(&e))?;
    let guard: GuardSettings = figment.extract().map_err(|e| explain(&e))?;
    let rocket: rocket::Config = figment.extract().map_err(|e| explain(&e))?;
    let mut values: Vec<(String, serde_json::Value)> = vec![
        ("address".into(), rocket.address.to_string().into()),
        ("port".into(), rocket.port.into()),
        ("workers".into(), rocket.workers.into()),
        (
            "ip_header".into(),
            rocket
                .ip_header
                .as_ref()
                .map_or(serde_json::Value::Bool(false), |h| h.to_string().into()),
        ),
        (
            "log_level".into(),
            if set_by_operator(figment, "log_level") {
                rocket.log_level.to_string().into()
            } else {
                "off".into()
            },
        ),
    ];
    values.extend(ours(&settings, &guard));
    let file = std::env::var("ROCKET_CONFIG").unwrap_or_else(|_| "Rocket.toml".into());
    let mut out = vec![format!(
        "# file: {file}{}; profile: {}",
        if std::path::Path::new(&file).is_file() {
            ""
        } else {
            " (not present: defaults and ROCKET_* variables only)"
        },
        figment.profile()
    )];
    for (key, mut value) in values {
        if key == "database_url" && !value.is_null() {
            value = "(set, not shown)".into();
        }
        let from = match figment.find_metadata(&key) {
            Some(m) => match &m.source {
                Some(rocket::figment::Source::File(path)) => format!("{}", path.display()),
                _ if m.name.contains("environment variable") => {
                    format!("ROCKET_{}", key.to_ascii_uppercase())
                }
                _ => "default".into(),
            },
            None => "default".into(),
        };
        out.push(format!("{key} = {value}  # {from}"));
    }
    Ok(out.join("\n"))
}

impl std::fmt::Debug for Settings {
    /// Every setting but the database URL's password, which may be in it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = serde_json::to_value(self).map_err(|_| std::fmt::Error)?;
        if let Some(url) = shown.get_mut("database_url").filter(|u| !u.is_null()) {
            *url = "(set, not shown)".into();
        }
        write!(f, "{shown}")
    }
}

impl Settings {
    /// Refuses settings that cannot work, saying which and why.
    pub fn check(&self) -> Result<(), String> {
        match (self.store, &self.database_url) {
            (StoreKind::Postgres, None) => {
                return Err(
                    "store = \"postgres\" needs database_url (ROCKET_DATABASE_URL), such \
                            as postgres://notify:PASSWORD@db.example:5432/notify"
                        .into(),
                );
            }
            (StoreKind::Redb, Some(_)) => {
                return Err(
                    "database_url is set but store is \"redb\": set store = \"postgres\" \
                            (ROCKET_STORE=postgres) to use the database, or remove database_url"
                        .into(),
                );
            }
            _ => {}
        }
        if self.database_pool_size == 0 {
            return Err("database_pool_size must be at least 1".into());
        }
        if self.bundle_future_secs >= protocol::notice::MAX_FUTURE_SKEW_SECS {
            return Err(format!(
                "bundle_future_secs = {} must be below {}: phones refuse bundles signed more \
                 than {} seconds after their own clock, so the server must accept less",
                self.bundle_future_secs,
                protocol::notice::MAX_FUTURE_SKEW_SECS,
                protocol::notice::MAX_FUTURE_SKEW_SECS
            ));
        }
        self.check_push()?;
        let longest = protocol::case::MAX_CASE_LEN as u64 + crate::api::HELD_OVERHEAD;
        if self.case_bytes_per_address < longest
            || self.case_bytes_total < self.case_bytes_per_address
        {
            return Err(format!(
                "case_bytes_per_address = {} must be at least {longest} (one longest case file                  as held), and case_bytes_total = {} at least case_bytes_per_address",
                self.case_bytes_per_address, self.case_bytes_total
            ));
        }
        let p = &self.app_path;
        let segments_ok = p.len() > 1
            && p.starts_with('/')
            && !p.ends_with('/')
            && p[1..].split('/').all(|s| {
                !s.is_empty()
                    && s != "."
                    && s != ".."
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            });
        let taken = [
            "/v1/bundles",
            "/v1/batches",
            "/v1/vault",
            "/v1/revocations",
            "/v1/trust",
            "/v1/cases",
            "/v1/push",
            "/healthz",
            "/metrics",
        ]
        .iter()
        .any(|api| p == api || p.starts_with(&format!("{api}/")));
        if !segments_ok || taken {
            return Err(format!(
                "app_path = {p:?} must be the path of the posters' base URL, such as \"/v1/c\": \
                 it starts with /, does not end with /, has segments of letters, digits and \
                 - . _ ~ only, and is not a path of the API"
            ));
        }
        Ok(())
    }
}

impl Settings {
    /// Refuses push settings that cannot work.
    fn check_push(&self) -> Result<(), String> {
        if !self.push_enabled {
            return Ok(());
        }
        if !(60..=86_400).contains(&self.push_ttl_secs) {
            return Err(format!(
                "push_ttl_secs = {} must be 60 to 86400: a VAPID signature may not be valid \
                 for more than a day (RFC 8292)",
                self.push_ttl_secs
            ));
        }
        if self.push_subscription_days == 0 || self.push_sends_per_second == 0 {
            return Err(
                "push_subscription_days and push_sends_per_second must be at least 1 (or set \
                 push_enabled = false)"
                    .into(),
            );
        }
        if let Some(c) = &self.push_contact
            && !(c.starts_with("mailto:") || c.starts_with("https://"))
        {
            return Err(format!(
                "push_contact = {c:?} must be a mailto: or https: URL, such as \
                 \"mailto:operator@example.org\""
            ));
        }
        if self.push_services.is_empty()
            || self.push_services.iter().any(|h| {
                h.is_empty()
                    || !h
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            })
        {
            return Err(format!(
                "push_services = {:?} must list host names of push services, such as \
                 \"fcm.googleapis.com\" (or set push_enabled = false)",
                self.push_services
            ));
        }
        Ok(())
    }
}

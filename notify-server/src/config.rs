//! Configuration, from `Rocket.toml` or `ROCKET_*` environment variables (Rocket's own
//! `address`, `port`, `limits`, … plus the keys below), with defaults that need no set-up.

use std::path::PathBuf;

use serde::Deserialize;

/// The server's own settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Where the store (`store.redb`) and any development authority live.
    pub data_dir: PathBuf,
    /// The authority trust file to pin. Unset: a development authority is created in
    /// `data_dir/dev-authority` (and the server says so loudly).
    pub trust_file: Option<PathBuf>,
    /// Refuse to start without `trust_file` instead of creating a development authority.
    pub require_trust_file: bool,
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("notify-data"),
            trust_file: None,
            require_trust_file: false,
            notice_retention_days: 14,
            vault_retention_days: 21,
            purge_interval_secs: 600,
            vault_uploads_per_minute: 120,
            queries_per_minute: 60,
            max_page: 100,
            max_page_bytes: 8 << 20,
            max_query_records: 100_000,
            bundle_clock_skew_secs: 600,
            bundle_future_secs: 60,
        }
    }
}

impl Settings {
    /// Refuses settings that cannot work, saying which and why.
    pub fn check(&self) -> Result<(), String> {
        if self.bundle_future_secs >= protocol::notice::MAX_FUTURE_SKEW_SECS {
            return Err(format!(
                "bundle_future_secs = {} must be below {}: phones refuse bundles signed more \
                 than {} seconds after their own clock, so the server must accept less",
                self.bundle_future_secs,
                protocol::notice::MAX_FUTURE_SKEW_SECS,
                protocol::notice::MAX_FUTURE_SKEW_SECS
            ));
        }
        Ok(())
    }
}

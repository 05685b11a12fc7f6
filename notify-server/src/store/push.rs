//! Push subscriptions and the state of push rounds (spec sections 2 and 16b), for both stores.
//!
//! A subscription is the one lasting identifier a phone gives the server: its push service's
//! endpoint URL and the two keys that encrypt to it (RFC 8291). The server keeps them until
//! they expire, the phone deletes them, or the push service says they are gone, and nothing
//! else with them: no address, no time of subscribing, nothing about the phone's visits. The
//! server's VAPID key (RFC 8292) lives with the store, so that every instance of a shared store
//! signs with the same key the phones subscribed with.

use zeroize::Zeroizing;

use super::{RedbStore, StoreError};
use redb::{
    ReadableDatabase as _, ReadableTable as _, ReadableTableMetadata as _, TableDefinition,
};

/// A push subscription as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// The push service's URL for it.
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed.
    pub p256dh: [u8; 65],
    /// The authentication secret.
    pub auth: [u8; 16],
    /// When it is deleted unless renewed, Unix seconds.
    pub expires_at: u64,
}

impl std::fmt::Debug for PushSubscription {
    /// The endpoint is an identifier of one phone and the auth secret a secret: neither is
    /// shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PushSubscription {{ expires_at: {} }}", self.expires_at)
    }
}

/// The outcome of [`PushStore::push_subscribe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// Stored anew.
    New,
    /// The endpoint was held with the same auth secret: its keys and expiry were renewed.
    Renewed,
    /// The endpoint is held with another auth secret: nothing changed.
    Taken,
    /// The store holds as many subscriptions as it may: nothing was stored.
    Full,
}

/// What the server keeps for push wake-ups.
pub trait PushStore {
    /// Stores `sub`, or renews the subscription of its endpoint if it has the same auth
    /// secret; refuses a new one when `max_total` are held. Durable at the next `flush`.
    fn push_subscribe(
        &self,
        sub: &PushSubscription,
        max_total: u64,
    ) -> Result<Subscribed, StoreError>;
    /// Deletes the subscription of `endpoint` if its auth secret is `auth`; false if there is
    /// none such. Durable at the next `flush`.
    fn push_unsubscribe(&self, endpoint: &str, auth: &[u8; 16]) -> Result<bool, StoreError>;
    /// Deletes the subscription of `endpoint`, whatever its keys (the push service said it is
    /// gone).
    fn push_remove(&self, endpoint: &str) -> Result<(), StoreError>;
    /// Every subscription that has not expired at `now`.
    fn push_subscriptions(&self, now: u64) -> Result<Vec<PushSubscription>, StoreError>;
    /// How many subscriptions are held, expired ones included until the purge.
    fn push_count(&self) -> Result<u64, StoreError>;
    /// Deletes the subscriptions expired at `now`; returns how many.
    fn push_purge(&self, now: u64) -> Result<u64, StoreError>;
    /// Claims the push round of closed hour `hour`: `None` if a round for it (or a later hour)
    /// was claimed already, by this instance or another; otherwise the hour claimed before,
    /// if any.
    fn push_claim_hour(&self, hour: u64) -> Result<Option<Option<u64>>, StoreError>;
    /// The VAPID secret key held with the store: `fresh` if none was held (it is stored, and
    /// durable before this returns).
    fn push_vapid_secret(&self, fresh: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, StoreError>;
}

/// Push subscriptions: endpoint → expiry (8 bytes, big-endian) ‖ p256dh (65) ‖ auth (16).
const PUSH_SUBSCRIPTIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("push_subscriptions");
/// `announced_hour`: the newest closed hour whose push round was claimed.
const PUSH_STATE: TableDefinition<&str, u64> = TableDefinition::new("push_state");

/// The VAPID key file beside the redb store.
pub const VAPID_FILE: &str = "push-vapid.key";
const VAPID_HEADER: &str = "checkin-push-vapid-key v1";
const VAPID_FIELD: &str = "secret";

fn encode(sub: &PushSubscription) -> Vec<u8> {
    let mut v = Vec::with_capacity(8 + 65 + 16);
    v.extend_from_slice(&sub.expires_at.to_be_bytes());
    v.extend_from_slice(&sub.p256dh);
    v.extend_from_slice(&sub.auth);
    v
}

fn decode(endpoint: &str, v: &[u8]) -> Option<PushSubscription> {
    if v.len() != 8 + 65 + 16 {
        return None;
    }
    Some(PushSubscription {
        endpoint: endpoint.to_owned(),
        expires_at: super::read_u64(v),
        p256dh: v[8..73].try_into().ok()?,
        auth: v[73..].try_into().ok()?,
    })
}

/// Compares two auth secrets in constant time (BLAKE3 digests compare so).
pub(crate) fn same_secret(a: &[u8], b: &[u8]) -> bool {
    blake3::hash(a) == blake3::hash(b)
}

/// A table that is not there yet (a store made before push existed) reads as empty.
fn missing(e: &redb::TableError) -> bool {
    matches!(e, redb::TableError::TableDoesNotExist(_))
}

impl PushStore for RedbStore {
    fn push_subscribe(
        &self,
        sub: &PushSubscription,
        max_total: u64,
    ) -> Result<Subscribed, StoreError> {
        self.with_db(true, |db| {
            let w = super::write(db)?;
            let outcome = {
                let mut t = w.open_table(PUSH_SUBSCRIPTIONS)?;
                let held = t.get(sub.endpoint.as_str())?.map(|v| v.value().to_vec());
                let outcome = match held {
                    Some(v) if same_secret(v.get(73..).unwrap_or_default(), &sub.auth) => {
                        Subscribed::Renewed
                    }
                    Some(_) => Subscribed::Taken,
                    None if t.len()? >= max_total => Subscribed::Full,
                    None => Subscribed::New,
                };
                if matches!(outcome, Subscribed::New | Subscribed::Renewed) {
                    t.insert(sub.endpoint.as_str(), encode(sub).as_slice())?;
                }
                outcome
            };
            w.commit()?;
            Ok(outcome)
        })
    }

    fn push_unsubscribe(&self, endpoint: &str, auth: &[u8; 16]) -> Result<bool, StoreError> {
        self.with_db(true, |db| {
            let w = super::write(db)?;
            let removed = {
                let mut t = w.open_table(PUSH_SUBSCRIPTIONS)?;
                let matches = t
                    .get(endpoint)?
                    .is_some_and(|v| same_secret(v.value().get(73..).unwrap_or_default(), auth));
                if matches {
                    t.remove(endpoint)?;
                }
                matches
            };
            w.commit()?;
            Ok(removed)
        })
    }

    fn push_remove(&self, endpoint: &str) -> Result<(), StoreError> {
        self.with_db(true, |db| {
            let w = super::write(db)?;
            w.open_table(PUSH_SUBSCRIPTIONS)?.remove(endpoint)?;
            w.commit()?;
            Ok(())
        })
    }

    fn push_subscriptions(&self, now: u64) -> Result<Vec<PushSubscription>, StoreError> {
        self.with_db(false, |db| {
            let r = db.begin_read()?;
            let t = match r.open_table(PUSH_SUBSCRIPTIONS) {
                Ok(t) => t,
                Err(e) if missing(&e) => return Ok(Vec::new()),
                Err(e) => return Err(e.into()),
            };
            let mut out = Vec::new();
            for item in t.iter()? {
                let (k, v) = item?;
                if let Some(sub) = decode(k.value(), v.value()).filter(|s| s.expires_at > now) {
                    out.push(sub);
                }
            }
            Ok(out)
        })
    }

    fn push_count(&self) -> Result<u64, StoreError> {
        self.with_db(false, |db| {
            let r = db.begin_read()?;
            match r.open_table(PUSH_SUBSCRIPTIONS) {
                Ok(t) => Ok(t.len()?),
                Err(e) if missing(&e) => Ok(0),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn push_purge(&self, now: u64) -> Result<u64, StoreError> {
        self.with_db(true, |db| {
            let w = super::write(db)?;
            let mut purged = 0u64;
            w.open_table(PUSH_SUBSCRIPTIONS)?.retain(|_, v| {
                let keep = super::read_u64(v) > now;
                purged += u64::from(!keep);
                keep
            })?;
            w.commit()?;
            Ok(purged)
        })
    }

    fn push_claim_hour(&self, hour: u64) -> Result<Option<Option<u64>>, StoreError> {
        self.with_db(true, |db| {
            let w = super::write(db)?;
            let claimed = {
                let mut t = w.open_table(PUSH_STATE)?;
                let before = t.get("announced_hour")?.map(|v| v.value());
                if before.is_some_and(|b| b >= hour) {
                    None
                } else {
                    t.insert("announced_hour", hour)?;
                    Some(before)
                }
            };
            w.commit()?;
            Ok(claimed)
        })
    }

    fn push_vapid_secret(&self, fresh: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        let path = dir.join(VAPID_FILE);
        let read = |path: &std::path::Path| {
            common::keyfile::read32(path, VAPID_HEADER, VAPID_FIELD)
                .map_err(|e| StoreError(format!("the push key: {e}")))
        };
        if path.exists() {
            return read(&path);
        }
        let text = common::keyfile::text(VAPID_HEADER, VAPID_FIELD, fresh);
        match common::files::write_new(&path, text.as_bytes(), 0o600) {
            Ok(()) => Ok(Zeroizing::new(*fresh)),
            // Made by another start at the same moment: that one holds.
            Err(common::Error::Exists(_)) => read(&path),
            Err(e) => Err(StoreError(format!("cannot keep the push key: {e}"))),
        }
    }
}

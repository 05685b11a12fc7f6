//! Push subscriptions on PostgreSQL (migration 4): the same promises as the redb store's
//! (`store/push.rs`), shared by every instance. The VAPID key is a row of the database, so
//! that a phone subscribed through one instance is pushed to by any; a copy of the database
//! therefore holds it (it signs wake-ups, and opens nothing).

use zeroize::Zeroizing;

use super::super::push::{PushStore, PushSubscription, Subscribed, same_secret};
use super::{PgStore, i64_of, u64_of};
use crate::store::StoreError;

impl PushStore for PgStore {
    fn push_subscribe(
        &self,
        sub: &PushSubscription,
        max_total: u64,
    ) -> Result<Subscribed, StoreError> {
        self.run(async {
            let mut c = self.pool.get().await?;
            let t = c.transaction().await?;
            let held = t
                .query_opt(
                    "SELECT auth FROM push_subscriptions WHERE endpoint = $1 FOR UPDATE",
                    &[&sub.endpoint],
                )
                .await?;
            let outcome = match held {
                Some(row) => {
                    let auth: Vec<u8> = row.get(0);
                    if !same_secret(&auth, &sub.auth) {
                        return Ok(Subscribed::Taken);
                    }
                    t.execute(
                        "UPDATE push_subscriptions SET p256dh = $2, expires_at = $3
                         WHERE endpoint = $1",
                        &[
                            &sub.endpoint,
                            &sub.p256dh.as_slice(),
                            &i64_of(sub.expires_at),
                        ],
                    )
                    .await?;
                    Subscribed::Renewed
                }
                None => {
                    let n = t
                        .execute(
                            "INSERT INTO push_subscriptions (endpoint, p256dh, auth, expires_at)
                             SELECT $1, $2, $3, $4
                             WHERE (SELECT count(*) FROM push_subscriptions) < $5
                             ON CONFLICT (endpoint) DO NOTHING",
                            &[
                                &sub.endpoint,
                                &sub.p256dh.as_slice(),
                                &sub.auth.as_slice(),
                                &i64_of(sub.expires_at),
                                &i64_of(max_total),
                            ],
                        )
                        .await?;
                    if n == 1 {
                        Subscribed::New
                    } else {
                        // Full, or another instance stored the same endpoint a moment ago.
                        let taken = t
                            .query_opt(
                                "SELECT 1 FROM push_subscriptions WHERE endpoint = $1",
                                &[&sub.endpoint],
                            )
                            .await?
                            .is_some();
                        if taken {
                            Subscribed::Taken
                        } else {
                            Subscribed::Full
                        }
                    }
                }
            };
            t.commit().await?;
            Ok(outcome)
        })
    }

    fn push_unsubscribe(&self, endpoint: &str, auth: &[u8; 16]) -> Result<bool, StoreError> {
        self.run(async {
            let mut c = self.pool.get().await?;
            let t = c.transaction().await?;
            let held = t
                .query_opt(
                    "SELECT auth FROM push_subscriptions WHERE endpoint = $1 FOR UPDATE",
                    &[&endpoint],
                )
                .await?;
            let matches = held.is_some_and(|row| same_secret(&row.get::<_, Vec<u8>>(0), auth));
            if matches {
                t.execute(
                    "DELETE FROM push_subscriptions WHERE endpoint = $1",
                    &[&endpoint],
                )
                .await?;
            }
            t.commit().await?;
            Ok(matches)
        })
    }

    fn push_remove(&self, endpoint: &str) -> Result<(), StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            c.execute(
                "DELETE FROM push_subscriptions WHERE endpoint = $1",
                &[&endpoint],
            )
            .await?;
            Ok(())
        })
    }

    fn push_subscriptions(&self, now: u64) -> Result<Vec<PushSubscription>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let rows = c
                .query(
                    "SELECT endpoint, p256dh, auth, expires_at FROM push_subscriptions
                     WHERE expires_at > $1",
                    &[&i64_of(now)],
                )
                .await?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    Some(PushSubscription {
                        endpoint: r.get(0),
                        p256dh: r.get::<_, Vec<u8>>(1).try_into().ok()?,
                        auth: r.get::<_, Vec<u8>>(2).try_into().ok()?,
                        expires_at: u64_of(r.get(3)),
                    })
                })
                .collect())
        })
    }

    fn push_count(&self) -> Result<u64, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let n: i64 = c
                .query_one("SELECT count(*) FROM push_subscriptions", &[])
                .await?
                .get(0);
            Ok(u64_of(n))
        })
    }

    fn push_purge(&self, now: u64) -> Result<u64, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            Ok(c.execute(
                "DELETE FROM push_subscriptions WHERE expires_at <= $1",
                &[&i64_of(now)],
            )
            .await?)
        })
    }

    fn push_claim_hour(&self, hour: u64) -> Result<Option<Option<u64>>, StoreError> {
        self.run(async {
            let mut c = self.pool.get().await?;
            let t = c.transaction().await?;
            let before: Option<i64> = t
                .query_one(
                    "SELECT announced_hour FROM push_state WHERE id = 1 FOR UPDATE",
                    &[],
                )
                .await?
                .get(0);
            let hour = i64_of(hour);
            if before.is_some_and(|b| b >= hour) {
                return Ok(None);
            }
            t.execute(
                "UPDATE push_state SET announced_hour = $1 WHERE id = 1",
                &[&hour],
            )
            .await?;
            t.commit().await?;
            Ok(Some(before.map(u64_of)))
        })
    }

    fn push_vapid_secret(&self, fresh: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            // The first instance to start stores its key; every other one reads that.
            c.execute(
                "UPDATE push_state SET vapid_secret = $1 WHERE id = 1 AND vapid_secret IS NULL",
                &[&fresh.as_slice()],
            )
            .await?;
            let held = Zeroizing::new(
                c.query_one("SELECT vapid_secret FROM push_state WHERE id = 1", &[])
                    .await?
                    .get::<_, Vec<u8>>(0),
            );
            let key: [u8; 32] = held
                .as_slice()
                .try_into()
                .map_err(|_| StoreError("the stored push key is not 32 bytes".into()))?;
            Ok(Zeroizing::new(key))
        })
    }
}

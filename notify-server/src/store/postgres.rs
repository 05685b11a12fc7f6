//! The PostgreSQL store (`store = "postgres"`), for deployments that outgrow one machine:
//! several `notify-server` instances on one database behave as one server.
//!
//! Driver: `tokio-postgres`, the maintained native PostgreSQL driver for Rust, with the
//! `deadpool-postgres` pool (connections checked before reuse, timeouts, no hidden threads).
//! The [`Store`] trait is synchronous, as redb is; this store runs its queries on a small
//! runtime of its own and waits for them, so it can be called from request tasks, blocking
//! tasks and tools alike.
//!
//! How it keeps the server's promises with several instances:
//! - **Durable 2xx.** Every session runs with `synchronous_commit = on`, set in its start-up
//!   packet, which no setting of the database, the role or postgresql.conf overrides; `fsync`
//!   is checked at start; bundles, nonces and revocation lists commit before their call returns, and
//!   vault records are written by [`Store::flush`] in one transaction for every record since
//!   the previous flush (group commit, as with redb), before any upload is acknowledged.
//! - **Gapless, ordered sequence numbers.** Publishing locks the `last_seq` row, so bundles
//!   commit one at a time in sequence order, whichever instance takes them: a client paging
//!   with `after` never skips a bundle that commits late, and idempotent re-posts (by bundle
//!   id, checked under that lock) return the first bundle's number.
//! - **Replay protection** lives in the `nonces` table, shared by every instance.
//! - **One purge at a time**: the purge takes a transaction-level advisory lock, and waits
//!   while another instance's purge holds it.
//! - **Schema migrations** are embedded, versioned, and applied at start under an advisory
//!   lock, so instances starting together apply each once.
//!
//! What a copy of this database reveals about the vault differs from redb's store: a row's
//! transaction id and the write-ahead log (and backups made from it) keep the order in which
//! flushes wrote records. Records of one flush are written in random order, and the purge
//! rewrites each closed UTC day's rows once, in random order and in one transaction, after
//! which the live table keeps only the day. Spec section 16b says what remains.
//!
//! The vault is partitioned by day (`vault_DAY`, made a day ahead by the purge): leaving
//! retention drops a partition rather than deleting rows, and a day's rewrite builds a new
//! partition and swaps it in.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use protocol::Tag;
use tokio_postgres::NoTls;

mod push;

use super::{
    CasePut, Counts, Inserted, Integrity, Pending, Purged, Store, StoreError, StoredBundle,
    case_keys_before,
};

/// The embedded migrations: (version, what it does, SQL). Applied in order, each once.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "bundles, vault, nonces, revocations, meta",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "case files held for tracers",
        include_str!("../../migrations/0002_cases.sql"),
    ),
    (
        3,
        "vault records found by digest, so that a re-sent record is stored once",
        include_str!("../../migrations/0003_vault_resend.sql"),
    ),
    (
        4,
        "push subscriptions and the VAPID key",
        include_str!("../../migrations/0004_push.sql"),
    ),
    (
        5,
        "held case files encrypted under day keys that the purge destroys",
        include_str!("../../migrations/0005_case_keys.sql"),
    ),
];

/// Advisory lock keys (ASCII "chkinMIG", "chkinPRG", "chkinPAR" and "chkinVLT").
const MIGRATION_LOCK: i64 = 0x6368_6b69_6e4d_4947;
const PURGE_LOCK: i64 = 0x6368_6b69_6e50_5247;
const PARTITION_LOCK: i64 = 0x6368_6b69_6e50_4152;
const VAULT_LOCK: i64 = 0x6368_6b69_6e56_4c54;

/// A UTC day counts as closed for the privacy rewrite this long after it ends, so that an
/// instance whose clock is a little slow has stopped writing into it.
const DAY_CLOSE_GRACE_SECS: u64 = 600;

/// Above this many vault rows (PostgreSQL's estimate), `counts` reports the estimate rather
/// than scanning the table for every metrics scrape.
const EXACT_COUNT_UP_TO: f64 = 1_000_000.0;

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The driver's text names the server's message and SQLSTATE, never the URL or its
        // password; the failures an operator meets when first connecting say what to do.
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            let advice = match code {
                "28000" if db.message().starts_with("Peer authentication") => {
                    ": over the Unix socket, peer authentication lets in only the database \
                     role named like the operating-system user that runs notify-server. Run \
                     the server as that user, or put that user's own role in database_url \
                     (user=NAME), or connect over TCP with a password \
                     (postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE), or map the users in \
                     pg_ident.conf"
                }
                "28000" if db.message().starts_with("no pg_hba.conf entry") => {
                    ": pg_hba.conf has no line that lets this user, database and address in: \
                     add one, or connect as it allows"
                }
                "28000" if db.message().starts_with("role") => {
                    ": create the role (createuser NAME, and give it the database), or name an \
                     existing one in database_url"
                }
                "28P01" => ": check the user name and password in database_url",
                "3D000" => {
                    ": create the database (createdb -O USER DATABASE), or name an existing \
                     one in database_url"
                }
                _ => "",
            };
            return StoreError(format!("PostgreSQL: {} ({code}){advice}", db.message()));
        }
        let cause = std::error::Error::source(&e).map(ToString::to_string);
        match cause.as_deref() {
            Some("password missing") => StoreError(
                "PostgreSQL: the database asks for a password and database_url gives none: \
                 add it (postgres://USER:PASSWORD@HOST:5432/DATABASE, or password=... in a \
                 key-value string; notify-server does not read ~/.pgpass), or connect over the \
                 Unix socket (host=/var/run/postgresql) as a role that peer authentication \
                 lets in"
                    .into(),
            ),
            Some(cause) => StoreError(format!("PostgreSQL: {e}: {cause}")),
            None => StoreError(format!("PostgreSQL: {e}")),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            deadpool_postgres::PoolError::Timeout(_) => StoreError(
                "PostgreSQL: no database connection within the timeout (is the database up and \
                 reachable? is database_pool_size too small for the load?)"
                    .into(),
            ),
            e => StoreError(format!("PostgreSQL connection pool: {e}")),
        }
    }
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Settings for [`PgStore::open`].
#[derive(Debug, Clone)]
pub struct PgSettings {
    /// A libpq connection string or `postgres://` URL.
    pub url: String,
    /// Most connections this instance holds.
    pub pool_size: usize,
}

/// The PostgreSQL store. See the module documentation.
pub struct PgStore {
    /// Runs the driver's connections; `None` only while dropping.
    rt: Option<tokio::runtime::Runtime>,
    pool: Pool,
    /// Vault records accepted since the last flush.
    pending: Pending,
    /// Held for a whole flush, so that a flush with nothing to write cannot return (and
    /// acknowledge its waiters) while another still writes records taken before it.
    flushing: Mutex<()>,
    /// Days whose vault partition this instance has seen made.
    days: Mutex<std::collections::HashSet<i32>>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropping a runtime inside another would block; this returns at once.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Where a connection string points, as an operator wrote it: `HOST:PORT` for TCP, the socket
/// directory and port for Unix sockets (PostgreSQL's default port where none is given).
fn targets(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let ports = config.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| match h {
            Host::Tcp(name) => format!("{name}:{}", port(i)),
            Host::Unix(dir) => format!("the Unix socket in {} port {}", dir.display(), port(i)),
        })
        .collect();
    if hosts.is_empty() {
        format!("the default Unix socket port {}", port(0))
    } else {
        hosts.join(", ")
    }
}

/// The UTC day (days since 1970) of a Unix time.
fn day_of(t: u64) -> i32 {
    i32::try_from(t / 86_400).unwrap_or(i32::MAX)
}

impl PgStore {
    /// Connects, checks that the database commits durably, and applies the migrations this
    /// version has and the database lacks. Refuses a database migrated by a newer version.
    pub fn open(settings: &PgSettings) -> Result<PgStore, StoreError> {
        let mut config: tokio_postgres::Config = settings.url.parse().map_err(|e| {
            StoreError(format!(
                "database_url is not a PostgreSQL connection string or URL ({e}); write it as \
                 postgres://USER:PASSWORD@HOST:5432/DATABASE or host=... dbname=..."
            ))
        })?;
        // Acknowledged means committed to disk; whatever the URL or the role says.
        let options = match config.get_options() {
            Some(o) => format!("{o} -c synchronous_commit=on"),
            None => "-c synchronous_commit=on".to_string(),
        };
        config
            .options(&options)
            .application_name("notify-server")
            .connect_timeout(Duration::from_secs(5))
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        let target = targets(&config);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("postgres-io")
            .enable_all()
            .build()
            .map_err(|e| StoreError(format!("cannot start the database runtime: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size.max(1))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| StoreError(format!("cannot make the connection pool: {e}")))?;
        let store = PgStore {
            rt: Some(rt),
            pool,
            pending: Pending::default(),
            flushing: Mutex::new(()),
            days: Mutex::new(std::collections::HashSet::new()),
        };
        let today = day_of(crate::api::now());
        store.run(async {
            let mut c = store.pool.get().await.map_err(|e| {
                let e = StoreError::from(e);
                if e.0.contains("error connecting to server") {
                    StoreError(format!(
                        "{} (connecting to {target}): is PostgreSQL running there and \
                         listening on that port? Check host and port in database_url",
                        e.0
                    ))
                } else {
                    e
                }
            })?;
            check_durable(&c).await?;
            migrate(&mut c).await?;
            let t = c.transaction().await?;
            make_partitions(&t, &[today - 1, today, today + 1]).await?;
            t.commit().await?;
            Ok(())
        })?;
        crate::lock(&store.days).extend([today - 1, today, today + 1]);
        Ok(store)
    }

    /// Runs `f` on this store's runtime and waits for it, from any thread: a request task of
    /// the server's runtime (its worker steps aside while waiting), a blocking task, or a
    /// thread with no runtime.
    fn run<T: Send>(
        &self,
        f: impl Future<Output = Result<T, StoreError>> + Send,
    ) -> Result<T, StoreError> {
        let Some(rt) = &self.rt else {
            return Err(StoreError("the store is closing".into()));
        };
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(RuntimeFlavor::CurrentThread) => std::thread::scope(|s| {
                s.spawn(|| rt.block_on(f))
                    .join()
                    .unwrap_or_else(|_| Err(StoreError("a database call panicked".into())))
            }),
            Ok(_) => tokio::task::block_in_place(|| rt.block_on(f)),
            Err(_) => rt.block_on(f),
        }
    }

    /// The value of the PostgreSQL setting `name` in this store's sessions (for operators'
    /// tools and tests: `synchronous_commit` is always `on`, whatever the database says).
    pub fn setting(&self, name: &str) -> Result<String, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            Ok(c.query_one("SELECT current_setting($1)", &[&name])
                .await?
                .get(0))
        })
    }

    /// The migration versions applied, in order.
    pub fn migrations(&self) -> Result<Vec<i32>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let rows = c
                .query(
                    "SELECT version FROM schema_migrations ORDER BY version",
                    &[],
                )
                .await?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }
}

/// Refuses a database that would not keep an acknowledged write through a power cut.
///
/// Only `fsync` is checked: it is the server's alone, and with it off no commit is durable.
/// `synchronous_commit` is not: every connection sets it to `on` in its start-up packet, which
/// outranks postgresql.conf and the role's and the database's own settings, and only a `SET`
/// inside the session (which the server never sends) could lower it. docs/deployment.md says
/// so, and why a pooler must pass the start-up options through.
async fn check_durable(c: &deadpool_postgres::Client) -> Result<(), StoreError> {
    let value: String = c.query_one("SHOW fsync", &[]).await?.get(0);
    if value != "on" {
        return Err(StoreError(format!(
            "the database runs with fsync = {value}: a commit would not survive a power cut, \
             so the server would acknowledge writes it may lose. Set fsync = on in \
             postgresql.conf and restart the database"
        )));
    }
    Ok(())
}

/// Applies every embedded migration the database lacks, in one transaction under an advisory
/// lock (instances starting together wait for each other).
async fn migrate(c: &mut deadpool_postgres::Client) -> Result<(), StoreError> {
    let t = c.transaction().await?;
    t.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    t.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version     INTEGER PRIMARY KEY,
             description TEXT    NOT NULL,
             applied_at  BIGINT  NOT NULL
         )",
    )
    .await?;
    let applied: Vec<i32> = t
        .query("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let newest = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
    if let Some(v) = applied.iter().find(|&&v| v > newest) {
        return Err(StoreError(format!(
            "the database has schema version {v}, from a newer notify-server (this one knows up \
             to {newest}): run that version, or point database_url at another database"
        )));
    }
    for (version, description, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        t.batch_execute(sql).await.map_err(|e| {
            StoreError(format!(
                "schema migration {version} ({description}) failed: {}",
                StoreError::from(e).0
            ))
        })?;
        t.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
            &[version, description, &i64_of(crate::api::now())],
        )
        .await?;
    }
    t.commit().await?;
    Ok(())
}

/// Makes the vault partitions of `days` that do not exist yet, under an advisory lock held to
/// the end of `t` (two instances making the same partition would otherwise collide).
async fn make_partitions(
    t: &deadpool_postgres::Transaction<'_>,
    days: &[i32],
) -> Result<(), StoreError> {
    t.execute("SELECT pg_advisory_xact_lock($1)", &[&PARTITION_LOCK])
        .await?;
    for day in days {
        t.batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS vault_{day} PARTITION OF vault FOR VALUES FROM ({day}) TO ({})",
            day + 1
        ))
        .await?;
    }
    Ok(())
}

/// The days that have a vault partition, in order.
async fn partitions(t: &deadpool_postgres::Transaction<'_>) -> Result<Vec<i32>, StoreError> {
    let rows = t
        .query(
            "SELECT c.relname::TEXT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'vault'::regclass",
            &[],
        )
        .await?;
    let mut days: Vec<i32> = rows
        .iter()
        .filter_map(|r| r.get::<_, String>(0).strip_prefix("vault_")?.parse().ok())
        .collect();
    days.sort_unstable();
    Ok(days)
}

fn stored(row: &tokio_postgres::Row) -> StoredBundle {
    StoredBundle {
        seq: u64_of(row.get(0)),
        published_at: u64_of(row.get(1)),
        bytes: row.get(2),
    }
}

impl Store for PgStore {
    fn insert_bundle(
        &self,
        id: &[u8; 32],
        published_at: u64,
        bundle: &[u8],
    ) -> Result<Inserted, StoreError> {
        self.run(async {
            let mut c = self.pool.get().await?;
            let t = c.transaction().await?;
            // The row lock orders publications across instances: numbers have no gaps, and
            // a bundle commits only after every bundle numbered before it.
            let seq: i64 = t
                .query_one(
                    "UPDATE meta SET value = value + 1 WHERE key = 'last_seq' RETURNING value",
                    &[],
                )
                .await?
                .get(0);
            // Read after taking the lock, so a bundle another instance committed meanwhile is
            // seen here.
            if let Some(row) = t
                .query_opt("SELECT seq FROM bundles WHERE id = $1", &[&id.as_slice()])
                .await?
            {
                t.rollback().await?;
                return Ok(Inserted {
                    seq: u64_of(row.get(0)),
                    new: false,
                });
            }
            t.execute(
                "INSERT INTO bundles (seq, id, published_at, hour, bundle) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &seq,
                    &id.as_slice(),
                    &i64_of(published_at),
                    &i64_of(published_at / 3600),
                    &bundle,
                ],
            )
            .await?;
            t.commit().await?;
            Ok(Inserted {
                seq: u64_of(seq),
                new: true,
            })
        })
    }

    fn bundles_after(
        &self,
        after: u64,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<StoredBundle>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = c
                .query(
                    "SELECT seq, published_at, bundle FROM bundles WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[&i64_of(after), &limit],
                )
                .await?;
            let mut out = Vec::new();
            let mut bytes = 0usize;
            for row in &rows {
                let b = stored(row);
                if !out.is_empty() && bytes + b.bytes.len() + 8 > max_bytes {
                    break;
                }
                bytes += b.bytes.len() + 8;
                out.push(b);
            }
            Ok(out)
        })
    }

    fn bundles_in_hour(&self, hour: u64) -> Result<Vec<StoredBundle>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let rows = c
                .query(
                    "SELECT seq, published_at, bundle FROM bundles WHERE hour = $1 ORDER BY seq",
                    &[&i64_of(hour)],
                )
                .await?;
            Ok(rows.iter().map(stored).collect())
        })
    }

    fn latest_seq(&self) -> Result<u64, StoreError> {
        // `last_seq` is raised in the transaction that inserts the bundle, under its row lock:
        // once a number is committed here, so is every bundle up to it, on any instance.
        self.run(async {
            let c = self.pool.get().await?;
            let row = c
                .query_one("SELECT value FROM meta WHERE key = 'last_seq'", &[])
                .await?;
            Ok(u64_of(row.get(0)))
        })
    }

    fn insert_vault_record(
        &self,
        tag: &Tag,
        received_at: u64,
        record: &[u8],
    ) -> Result<(), StoreError> {
        self.pending.push(tag, received_at, record)
    }

    fn vault_records(&self, tags: &[Tag], max: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let tags: Vec<&[u8]> = tags.iter().map(|t| t.as_slice()).collect();
            // Ordered by the ciphertexts, which are random: the order of rows on disk (the
            // order of arrival) never reaches the tracer.
            let rows = c
                .query(
                    "SELECT record FROM vault WHERE tag = ANY($1) ORDER BY tag, record LIMIT $2",
                    &[&tags, &i64::try_from(max).unwrap_or(i64::MAX)],
                )
                .await?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn remember_nonce(&self, nonce: &[u8; 16], expires_at: u64) -> Result<bool, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let n = c
                .execute(
                    "INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
                    &[&nonce.as_slice(), &i64_of(expires_at)],
                )
                .await?;
            Ok(n == 1)
        })
    }

    fn purge(
        &self,
        bundles_before: u64,
        vault_before: u64,
        now: u64,
    ) -> Result<Purged, StoreError> {
        self.run(async {
            let mut c = self.pool.get().await?;
            let t = c.transaction().await?;
            // One purge at a time: another instance's purge finishes first, and this one
            // then finds little left to do.
            t.execute("SELECT pg_advisory_xact_lock($1)", &[&PURGE_LOCK])
                .await?;
            let bundles = t
                .execute(
                    "DELETE FROM bundles WHERE hour < $1",
                    &[&i64_of(bundles_before / 3600)],
                )
                .await?;
            let nonces = t
                .execute("DELETE FROM nonces WHERE expires_at <= $1", &[&i64_of(now)])
                .await?;
            let cases = t
                .execute("DELETE FROM cases WHERE expires_at <= $1", &[&i64_of(now)])
                .await?;
            let case_keys = t
                .execute(
                    "DELETE FROM case_keys WHERE day < $1",
                    &[&i64_of(case_keys_before(now))],
                )
                .await?;
            // Vault records leave a day at a time: the day's partition is dropped whole.
            let days = partitions(&t).await?;
            let cutoff = day_of(vault_before);
            let mut vault_records = 0u64;
            for day in days.iter().filter(|&&d| d < cutoff) {
                let n: i64 = t
                    .query_one(&format!("SELECT count(*) FROM vault_{day}"), &[])
                    .await?
                    .get(0);
                t.batch_execute(&format!("DROP TABLE vault_{day}")).await?;
                vault_records += u64_of(n);
            }
            // Each closed day's records are rewritten once, in random order and in one
            // transaction: afterwards neither their place in the table nor their transaction
            // id says which arrived before which.
            let done: i64 = t
                .query_one(
                    "SELECT value FROM meta WHERE key = 'vault_compacted_day' FOR UPDATE",
                    &[],
                )
                .await?
                .get(0);
            let closed_before = day_of(now.saturating_sub(DAY_CLOSE_GRACE_SECS));
            let to_rewrite: Vec<i32> = days
                .iter()
                .copied()
                .filter(|&d| i64::from(d) > done && d >= cutoff && d < closed_before)
                .collect();
            for day in &to_rewrite {
                t.batch_execute(&format!(
                    "CREATE TABLE vault_{day}_new (LIKE vault);
                     INSERT INTO vault_{day}_new SELECT * FROM vault_{day} ORDER BY random();
                     DROP TABLE vault_{day};
                     ALTER TABLE vault_{day}_new RENAME TO vault_{day};
                     ALTER TABLE vault ATTACH PARTITION vault_{day} FOR VALUES FROM ({day}) TO ({});",
                    day + 1
                ))
                .await?;
            }
            if let Some(last) = to_rewrite.last() {
                t.execute(
                    "UPDATE meta SET value = $1 WHERE key = 'vault_compacted_day'",
                    &[&i64::from(*last)],
                )
                .await?;
            }
            // Today's and tomorrow's partitions exist before anyone writes into them.
            let today = day_of(now);
            make_partitions(&t, &[today, today + 1]).await?;
            t.commit().await?;
            Ok(Purged {
                bundles,
                vault_records,
                nonces,
                cases,
                case_keys,
            })
        })
    }

    fn put_case(
        &self,
        id: &str,
        expires_at: u64,
        value: &[u8],
        max_total: u64,
    ) -> Result<CasePut, StoreError> {
        self.run(async {
            let mut c = self.pool.get().await?;
            let t = c.transaction().await?;
            // The row under `id`, locked, and the bytes every held file takes (octet_length
            // reads a value's size without fetching it). Two instances posting new files at
            // once may each see room for theirs: the total is a bound per instance's view.
            let existing = t
                .query_opt(
                    "SELECT expires_at, substring(file from 1 for 32) FROM cases WHERE id = $1 FOR UPDATE",
                    &[&id],
                )
                .await?;
            let put = match existing {
                Some(row) if row.get::<_, Vec<u8>>(1).as_slice() != &value[..value.len().min(32)] => {
                    CasePut::Taken
                }
                Some(row) => {
                    let until = u64_of(row.get(0)).max(expires_at);
                    t.execute(
                        "UPDATE cases SET expires_at = $2, file = $3 WHERE id = $1",
                        &[&id, &i64_of(until), &value],
                    )
                    .await?;
                    CasePut::Held {
                        expires_at: until,
                        fresh: false,
                    }
                }
                None => {
                    let held: i64 = t
                        .query_one(
                            "SELECT coalesce(sum(octet_length(file) + 8), 0)::bigint FROM cases",
                            &[],
                        )
                        .await?
                        .get(0);
                    if u64_of(held) + 8 + value.len() as u64 > max_total {
                        CasePut::Full
                    } else {
                        t.execute(
                            "INSERT INTO cases (id, expires_at, file) VALUES ($1, $2, $3)",
                            &[&id, &i64_of(expires_at), &value],
                        )
                        .await?;
                        CasePut::Held {
                            expires_at,
                            fresh: true,
                        }
                    }
                }
            };
            t.commit().await?;
            Ok(put)
        })
    }

    fn take_case(&self, id: &str, now: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let row = c
                .query_opt(
                    "DELETE FROM cases WHERE id = $1 RETURNING expires_at, file",
                    &[&id],
                )
                .await?;
            Ok(row.filter(|r| u64_of(r.get(0)) > now).map(|r| r.get(1)))
        })
    }

    fn case_key(
        &self,
        day: u64,
        create: bool,
    ) -> Result<Option<zeroize::Zeroizing<[u8; 32]>>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            if create {
                // Every instance uses the first key made for the day.
                let mut key = zeroize::Zeroizing::new([0u8; 32]);
                rand_core::Rng::fill_bytes(
                    &mut rand_core::UnwrapErr(rand::rngs::SysRng),
                    key.as_mut(),
                );
                c.execute(
                    "INSERT INTO case_keys (day, key) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
                    &[&i64_of(day), &key.as_slice()],
                )
                .await?;
            }
            let row = c
                .query_opt("SELECT key FROM case_keys WHERE day = $1", &[&i64_of(day)])
                .await?;
            row.map(|r| {
                let b = zeroize::Zeroizing::new(r.get::<_, Vec<u8>>(0));
                b.as_slice()
                    .try_into()
                    .map(zeroize::Zeroizing::new)
                    .map_err(|_| StoreError(format!("the case key of day {day} is not 32 bytes")))
            })
            .transpose()
        })
    }

    fn revocations(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            Ok(
                c.query_opt("SELECT list FROM revocations WHERE id = 1", &[])
                    .await?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn set_revocations(&self, list: &[u8]) -> Result<(), StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            c.execute(
                "INSERT INTO revocations (id, list) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET list = EXCLUDED.list",
                &[&list],
            )
            .await?;
            Ok(())
        })
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            c.query_one("SELECT 1", &[]).await?;
            Ok(())
        })
    }

    fn counts(&self) -> Result<Counts, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let row = c
                .query_one(
                    "SELECT (SELECT count(*) FROM bundles),
                            (SELECT value FROM meta WHERE key = 'last_seq'),
                            (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::FLOAT8
                               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                              WHERE i.inhparent = 'vault'::regclass)",
                    &[],
                )
                .await?;
            let estimate: f64 = row.get(2);
            // Exact while a scan is cheap; PostgreSQL's estimate (kept by autovacuum's
            // ANALYZE) for a national vault, which a scan per metrics scrape would burden.
            let vault_records = if estimate > EXACT_COUNT_UP_TO {
                estimate as u64
            } else {
                u64_of(c.query_one("SELECT count(*) FROM vault", &[]).await?.get(0))
            };
            Ok(Counts {
                bundles: u64_of(row.get(0)),
                vault_records,
                last_seq: u64_of(row.get(1)),
            })
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        // Bundles, nonces and revocation lists are committed (synchronously) by their own
        // calls; what waits is the vault records collected since the last flush.
        let _one_at_a_time = crate::lock(&self.flushing);
        let mut batch = self.pending.take();
        if batch.is_empty() {
            return Ok(());
        }
        // A record sent again while its first copy waited is written once.
        let mut seen = std::collections::HashSet::new();
        batch.retain(|(_, _, record)| seen.insert(record.clone()));
        // Within a flush, no order of arrival.
        rand::seq::SliceRandom::shuffle(
            batch.as_mut_slice(),
            &mut rand_core::UnwrapErr(rand::rngs::SysRng),
        );
        let missing: Vec<i32> = {
            let known = crate::lock(&self.days);
            let mut m: Vec<i32> = batch
                .iter()
                .map(|(_, at, _)| day_of(*at))
                .filter(|d| !known.contains(d))
                .collect();
            m.sort_unstable();
            m.dedup();
            m
        };
        let written = self.run(async {
            let mut c = self.pool.get().await?;
            if !missing.is_empty() {
                // A day this instance has not seen made (the purge makes each a day ahead):
                // in a transaction of its own, so that the lock it takes is not held while
                // the records are written.
                let t = c.transaction().await?;
                make_partitions(&t, &missing).await?;
                t.commit().await?;
                crate::lock(&self.days).extend(&missing);
            }
            let t = c.transaction().await?;
            // A record already stored, under any day, is not stored again (spec 16b: a record
            // sent again after a 503 or a lost answer is stored once). One vault flush at a
            // time across instances, so that two copies flushed at once by two instances
            // cannot both find the other missing.
            t.execute("SELECT pg_advisory_xact_lock($1)", &[&VAULT_LOCK])
                .await?;
            let tags: Vec<&[u8]> = batch.iter().map(|(tag, _, _)| tag.as_slice()).collect();
            let days: Vec<i32> = batch.iter().map(|(_, at, _)| day_of(*at)).collect();
            let records: Vec<&[u8]> = batch.iter().map(|(_, _, r)| r.as_slice()).collect();
            t.execute(
                "INSERT INTO vault (tag, day, record)
                 SELECT u.tag, u.day, u.record
                   FROM UNNEST($1::BYTEA[], $2::INTEGER[], $3::BYTEA[]) AS u (tag, day, record)
                  WHERE NOT EXISTS (
                        SELECT 1 FROM vault v
                         WHERE v.tag = u.tag AND md5(v.record) = md5(u.record)
                           AND v.record = u.record)",
                &[&tags, &days, &records],
            )
            .await?;
            t.commit().await?;
            Ok(())
        });
        if written.is_err() {
            // Perhaps a partition was dropped behind this instance's back: ask again.
            crate::lock(&self.days).clear();
            // A commit that failed may still have reached the disk (the connection broke after
            // the server committed); writing again then finds the records stored and adds
            // nothing.
            self.pending.put_back(batch);
        }
        written
    }

    fn check_integrity(&self) -> Result<Integrity, StoreError> {
        self.run(async {
            let c = self.pool.get().await?;
            let mut report = Integrity::default();
            let applied: Vec<i32> = c
                .query(
                    "SELECT version FROM schema_migrations ORDER BY version",
                    &[],
                )
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let known: Vec<i32> = MIGRATIONS.iter().map(|m| m.0).collect();
            if applied != known {
                report.problems.push(format!(
                    "schema migrations {applied:?} applied, this version has {known:?}"
                ));
            }
            let last_seq: i64 = c
                .query_one("SELECT value FROM meta WHERE key = 'last_seq'", &[])
                .await?
                .get(0);
            for row in c
                .query(
                    "SELECT seq, id, published_at, hour, bundle FROM bundles",
                    &[],
                )
                .await?
            {
                let seq: i64 = row.get(0);
                let id: Vec<u8> = row.get(1);
                let published_at: i64 = row.get(2);
                let hour: i64 = row.get(3);
                let bundle: Vec<u8> = row.get(4);
                report.bundles += 1;
                if seq > last_seq || seq < 1 {
                    report
                        .problems
                        .push(format!("bundle {seq}: outside 1..=last_seq ({last_seq})"));
                }
                if id != protocol::notice::bundle_id_of(&bundle) {
                    report
                        .problems
                        .push(format!("bundle {seq}: its id is not its digest"));
                }
                if hour != published_at / 3600 {
                    report
                        .problems
                        .push(format!("bundle {seq}: hour does not match published_at"));
                }
            }
            for row in c.query("SELECT tag, record FROM vault", &[]).await? {
                let tag: Vec<u8> = row.get(0);
                let record: Vec<u8> = row.get(1);
                report.vault_records += 1;
                if record.len() != protocol::vault::RECORD_LEN || record.get(..16) != Some(&tag[..])
                {
                    report.problems.push("malformed vault entry".into());
                }
            }
            Ok(report)
        })
    }

    fn shared(&self) -> bool {
        true
    }
}

-- notify-server's PostgreSQL schema, version 1. Applied once, in one transaction, by the
-- server at start-up (store/postgres.rs); never edited after release: changes are new files.
-- Plain types and statements (BIGINT, INTEGER, BYTEA, primary keys, b-tree indexes) and
-- PostgreSQL's declarative partitioning for the vault (docs/deployment.md says what other
-- engines would need instead).

-- Signed bundles, numbered 1, 2, 3, ... in publication order with no gaps (meta.last_seq).
CREATE TABLE bundles (
    seq          BIGINT  PRIMARY KEY,
    -- The digest the tracer signed (spec section 11): publishing the same bundle twice
    -- stores it once.
    id           BYTEA   NOT NULL UNIQUE,
    -- When the server accepted it, Unix seconds, and that time's epoch hour.
    published_at BIGINT  NOT NULL,
    hour         BIGINT  NOT NULL,
    bundle       BYTEA   NOT NULL
);
CREATE INDEX bundles_by_hour ON bundles (hour, seq);

-- Consented vault records (384 bytes each). Only the tag and the UTC day they arrived, no
-- finer time and no sequence (spec section 16b). One partition per day, vault_DAY, made by
-- the server ahead of time: the purge drops a day whole, and the day's privacy rewrite
-- (store/postgres.rs) replaces a partition without touching the others.
CREATE TABLE vault (
    tag    BYTEA   NOT NULL,
    day    INTEGER NOT NULL,
    record BYTEA   NOT NULL
) PARTITION BY RANGE (day);
CREATE INDEX vault_by_tag ON vault (tag);

-- Vault query nonces, remembered until they expire (replay protection across instances).
CREATE TABLE nonces (
    nonce      BYTEA  PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- The newest revocation list (spec section 10.3), one row.
CREATE TABLE revocations (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    list BYTEA   NOT NULL
);

-- Counters: last_seq (highest bundle number given), vault_compacted_day (the last UTC day
-- whose vault rows were rewritten in random order, store/postgres.rs).
CREATE TABLE meta (
    key   TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('vault_compacted_day', 0);

-- notify-server's PostgreSQL schema, version 5: held case files are encrypted under a key of
-- the UTC day they were posted on, which the purge deletes once every file under it has
-- expired (spec section 16b). Files held until now are plaintext under the old codes, which no
-- tracer can fetch any more (they fetch by the id of the phone's code): they are dropped.
DELETE FROM cases;
ALTER TABLE cases RENAME COLUMN code TO id;
CREATE TABLE case_keys (
    day BIGINT PRIMARY KEY,
    key BYTEA  NOT NULL
);

-- notify-server's PostgreSQL schema, version 2: case files held for tracers (spec section
-- 16b, POST /v1/cases): sealed to the authority's case key, fetched once by their code, and
-- deleted when fetched or at their expiry.
CREATE TABLE cases (
    code       TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    file       BYTEA  NOT NULL
);

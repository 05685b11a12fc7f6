-- notify-server's PostgreSQL schema, version 3: Web Push wake-ups (spec sections 2 and 16b).
-- A subscription is a phone's push endpoint and the keys that encrypt to it, kept until it
-- expires, the phone deletes it, or the push service says it is gone; nothing else is kept
-- with it (no address, no time it was made).
CREATE TABLE push_subscriptions (
    endpoint   TEXT   PRIMARY KEY,
    p256dh     BYTEA  NOT NULL CHECK (length(p256dh) = 65),
    auth       BYTEA  NOT NULL CHECK (length(auth) = 16),
    expires_at BIGINT NOT NULL
);
-- One row: the newest closed hour whose push round an instance claimed (one round per hour,
-- whichever instance), and the VAPID secret key every instance signs with (RFC 8292), made by
-- the first instance to start.
CREATE TABLE push_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    announced_hour BIGINT,
    vapid_secret   BYTEA CHECK (vapid_secret IS NULL OR length(vapid_secret) = 32)
);
INSERT INTO push_state (id) VALUES (1);

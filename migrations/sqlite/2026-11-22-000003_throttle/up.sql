-- Attempt counters for throttling and lockout (issue 6). Keep it in step with
-- ../../postgres: same table, columns and indexes; only the spelling of types may differ.

-- One row per key: a scope and a digest of what is counted (an address tried
-- at login, a client IP, an email asked a mail for), never the address in
-- clear. Every instance counts in the same rows; a hit locks the rows of its
-- keys (FOR UPDATE on Postgres, the write lock on SQLite) so none is lost.
CREATE TABLE throttle_counters (
    key          TEXT PRIMARY KEY NOT NULL,
    -- the current window began then; count: attempts in it
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL,
    -- refused until then (if in the future)
    locked_until TIMESTAMP,
    -- locks so far: the next lockout doubles from it
    locks        INTEGER NOT NULL,
    -- after this the row means nothing: the periodic purge drops it
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX throttle_counters_expires_at_idx ON throttle_counters (expires_at);

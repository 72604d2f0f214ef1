-- The audit trail, admin API keys and webhooks (issue 15). Keep it in step
-- with ../../postgres: same tables, columns and constraints; only the
-- spelling of types may differ.

-- Append-only security events, written in the transaction of the change
-- they record. seq orders them (the keyset-pagination cursor); id is
-- random (the webhook message id is 'msg_' || id). No foreign key to
-- users: erasing a user anonymizes their events (user_id stays as an
-- opaque id; email, device, ip and request_id are cleared), it does not
-- delete them. ip is kept as audit.ip says (full, /24 and /48, or a keyed
-- hash). data is a JSON object of strings: never a secret.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    at          TIMESTAMP NOT NULL,
    kind        TEXT NOT NULL,
    user_id     TEXT,
    email       TEXT,
    client_id   TEXT,
    device_id   TEXT,
    device_name TEXT,
    request_id  TEXT,
    actor       TEXT NOT NULL,
    ip          TEXT,
    data        TEXT NOT NULL
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, seq);
CREATE INDEX audit_events_kind_idx ON audit_events (kind, seq);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, seq);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- Admin API keys: only the keyed hash of a key. A name is unique forever
-- (it is the actor of the key's actions in the audit trail); scopes are
-- comma-separated.
CREATE TABLE admin_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

-- Webhook endpoints. events is comma-separated webhook event names, ''
-- for all; secret is the Standard Webhooks secret sealed under the server
-- secret (purpose 'webhook secret', owner the id). failing_since is set by
-- the first failure after a success and cleared by a success.
CREATE TABLE webhook_endpoints (
    id            TEXT PRIMARY KEY NOT NULL,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret        TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    failing_since TIMESTAMP,
    disabled_at   TIMESTAMP
);

-- The webhook outbox: one row per (event, endpoint) to deliver, queued in
-- the event's transaction. body is fixed then, so every try sends the same
-- bytes under the same message_id. Claims work as the mail outbox's.
CREATE TABLE webhook_deliveries (
    id            TEXT PRIMARY KEY NOT NULL,
    endpoint_id   TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id      TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    body          TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    retry_at      TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    delivered_at  TIMESTAMP,
    given_up_at   TIMESTAMP,
    last_error    TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (retry_at)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

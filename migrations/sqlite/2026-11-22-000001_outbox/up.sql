-- The durable mail queue (issue 4). Keep it in step with ../../postgres: same
-- table, columns and indexes; only the spelling of types may differ.
-- A row names a mail to send, never its content: codes and links are minted
-- when it is sent, and only their hashes kept (in confirmations).

CREATE TABLE outbox (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- which mail (confirmation, password_reset, …): the service's OutboxKind
    kind          TEXT NOT NULL,
    -- failed delivery attempts so far
    attempts      INTEGER NOT NULL DEFAULT 0,
    -- not claimed before this instant (the enqueue time, then the back-off)
    retry_at      TIMESTAMP NOT NULL,
    -- a worker holds the mail until then; NULL or past: free to claim
    claimed_until TIMESTAMP,
    sent_at       TIMESTAMP,
    given_up_at   TIMESTAMP,
    last_error    TEXT,
    created_at    TIMESTAMP NOT NULL
);
-- The claim walks the pending mails oldest first and stops at its limit;
-- sent and given-up mails, the bulk of the table in time, are not in it.
-- Also serves the backlog count.
CREATE INDEX outbox_pending_idx ON outbox (created_at, id) WHERE sent_at IS NULL AND given_up_at IS NULL;
-- deleting a user cascades to their mails
CREATE INDEX outbox_user_id_idx ON outbox (user_id);

-- Signup tokens and consent (issue 5). Keep it in step with ../../postgres: same
-- table, columns and constraints; only the spelling of types may differ.

-- Signup tokens (`registrar invite create`) for typed registration and
-- invite-only mode, kept only as SHA-256 hashes. A registration that uses
-- one takes a use in its own transaction, with a conditional decrement
-- (`SET uses_left = uses_left - 1 WHERE … AND uses_left > 0`): of two
-- racing for the last use, one changes the row and the other finds none.
CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY NOT NULL,
    -- what the token is for, for the people who hand it out
    name       TEXT,
    -- registrations it still pays for; 0: used up (kept as a record)
    uses_left  INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT invites_uses_left_check CHECK (uses_left >= 0)
);

-- The consent level given when completing an email-first signup;
-- NULL until then, and for accounts made by the other families.
ALTER TABLE users ADD COLUMN consent INTEGER;

-- Second factors (issue 13). Keep it in step with ../../sqlite: same
-- tables, columns and constraints; only the spelling of types may differ.

-- A user's authenticator-app factor: pending from enrolment until a first
-- code confirms it. The secret is sealed under the server secret
-- (`v1.<key id>.<base64url>`, XChaCha20-Poly1305, bound to the user's id);
-- last_step is the last 30-second step accepted, never accepted again: a
-- use is one conditional UPDATE (`… WHERE last_step IS NULL OR last_step < ?`),
-- so of two requests racing with one code, one wins.
CREATE TABLE totp_factors (
    user_id       TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    confirmed_at  TIMESTAMP,
    last_step     BIGINT
);

-- Recovery codes, kept only as keyed hashes; each is used once.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- Sign-ins (and password changes) waiting for their second factor, under
-- the SHA-256 of the mfa_token handed out; used once, dead after
-- expires_at or too many wrong factors.
CREATE TABLE mfa_tokens (
    token_hash        TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id         TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    device_name       TEXT NOT NULL,
    -- 'password' or 'email_code'
    first_factor      TEXT NOT NULL,
    -- a password change waiting for the factor: the new password's hash
    new_password_hash TEXT,
    failures          INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    expires_at        TIMESTAMP NOT NULL,
    used_at           TIMESTAMP
);
CREATE INDEX mfa_tokens_expires_at_idx ON mfa_tokens (expires_at);
CREATE INDEX mfa_tokens_user_id_idx ON mfa_tokens (user_id);

-- Passkeys (issue 13). Keep it in step with ../../sqlite: same tables,
-- columns and constraints; only the spelling of types may differ.

-- A user's WebAuthn credentials. credential_id is the credential's id
-- (base64url), unique over every user; credential is the credential as the
-- ceremony library serialises it (COSE public key, counter, flags: no
-- secret); sign_count and the backup flags are also kept in columns. A use
-- is one conditional UPDATE (`… WHERE sign_count = 0 OR sign_count < ?`),
-- so the counter never goes back.
CREATE TABLE passkeys (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    credential_id   TEXT NOT NULL UNIQUE,
    credential      TEXT NOT NULL,
    sign_count      BIGINT NOT NULL,
    backup_eligible BOOLEAN NOT NULL,
    backup_state    BOOLEAN NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_used_at    TIMESTAMP
);
CREATE INDEX passkeys_user_id_idx ON passkeys (user_id);

-- WebAuthn ceremonies between their two requests, so that any instance
-- finishes what another began: under the SHA-256 of the ceremony id handed
-- out (of the mfa_token for a second factor), the state (with its
-- challenge) sealed under the server secret; taken once (DELETE … RETURNING),
-- dead after expires_at.
CREATE TABLE webauthn_ceremonies (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    -- 'registration', 'sign_in' or 'second_factor'
    kind       TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires_at_idx ON webauthn_ceremonies (expires_at);

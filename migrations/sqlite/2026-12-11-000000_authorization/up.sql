-- The authorization endpoint's state (OpenID Connect sign-in): a session's
-- scopes, the purpose of an mfa_token, browser sessions, authorization codes
-- and consents. Keep it in step with ../../postgres: same tables, columns and
-- constraints; only the spelling of types may differ.

-- The OAuth scopes granted to the session's client, space-delimited
-- ("openid email"); NULL for a session of Registrar's own grants (and for
-- every session from before this column). Kept through refresh rotation.
ALTER TABLE sessions ADD COLUMN scope TEXT;

-- What the second step of an mfa_token does: 'sign_in' (a token pair),
-- 'change_password' (new_password_hash is set, then a pair) or
-- 'browser_sign_in' (a browser session). Tokens from before this column
-- said it by new_password_hash alone.
ALTER TABLE mfa_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in';
UPDATE mfa_tokens SET purpose = 'change_password' WHERE new_password_hash IS NOT NULL;

-- The sign-in page's cookie, for single sign-on across clients: only the
-- keyed hash of the cookie's value is stored. auth_time is when the user
-- signed in (= created). Ending it (sign-out, a password change or reset,
-- disabling the account) deletes the row.
CREATE TABLE browser_sessions (
    id             TEXT PRIMARY KEY NOT NULL,
    cookie_hash    TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    device_name    TEXT NOT NULL,
    sign_in_method TEXT NOT NULL,
    auth_time      TIMESTAMP NOT NULL,
    last_used_at   TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL
);
CREATE INDEX browser_sessions_user_id_idx ON browser_sessions (user_id);
CREATE INDEX browser_sessions_expires_at_idx ON browser_sessions (expires_at);

-- Authorization codes (RFC 6749 §4.1.2) under the keyed hash of the code.
-- A used code (used_at set, session_id the session its exchange opened) is
-- kept until expires_at, so that a second use revokes that session.
-- browser_session_id has no foreign key on purpose: ending the browser
-- session must not delete a used code (that would forget its session and
-- let a replay pass unnoticed); the exchange checks that the browser
-- session still exists. session_id has none either: the session may be
-- revoked or evicted while the code is kept.
CREATE TABLE authorization_codes (
    code_hash          TEXT PRIMARY KEY NOT NULL,
    client_id          TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    redirect_uri       TEXT NOT NULL,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    browser_session_id TEXT NOT NULL,
    -- the browser session's device name, for the session the exchange opens
    device_name        TEXT NOT NULL,
    -- space-delimited, as sessions.scope
    scope              TEXT NOT NULL,
    nonce              TEXT,
    -- S256 only
    code_challenge     TEXT,
    auth_time          TIMESTAMP NOT NULL,
    sign_in_method     TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    expires_at         TIMESTAMP NOT NULL,
    used_at            TIMESTAMP,
    session_id         TEXT
);
CREATE INDEX authorization_codes_expires_at_idx ON authorization_codes (expires_at);
CREATE INDEX authorization_codes_user_id_idx ON authorization_codes (user_id);
CREATE INDEX authorization_codes_client_id_idx ON authorization_codes (client_id);

-- The scopes a user granted a third-party client (space-delimited), grown
-- by each grant.
CREATE TABLE oauth_consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX oauth_consents_client_id_idx ON oauth_consents (client_id);

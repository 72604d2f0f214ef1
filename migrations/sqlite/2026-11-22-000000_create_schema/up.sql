-- Registrar's schema on SQLite. Keep it in step with ../../postgres: same
-- tables, columns and constraints; only the spelling of types differs.
-- Timestamps are UTC, written by diesel as 'YYYY-MM-DD HH:MM:SS.ffffff' text,
-- which sorts and compares like the instants it stands for.

CREATE TABLE users (
    id                       TEXT PRIMARY KEY NOT NULL,
    email                    TEXT NOT NULL,
    -- the identity of the address (lowercase): one account per address
    email_normalized         TEXT NOT NULL,
    password_hash            TEXT,
    usertype                 TEXT NOT NULL DEFAULT 'person',
    firstname                TEXT,
    insertion                TEXT,
    lastname                 TEXT,
    display_name             TEXT,
    full_name                TEXT,
    -- E.164
    telephone                TEXT,
    tin_nr                   TEXT,
    postal_code              TEXT,
    year_of_birth            INTEGER,
    organisation_name        TEXT,
    organisation_street_name TEXT,
    organisation_town        TEXT,
    organisation_sector      TEXT,
    role                     TEXT NOT NULL DEFAULT 'guest',
    language                 TEXT NOT NULL DEFAULT 'en',
    email_confirmed_at       TIMESTAMP,
    disabled                 BOOLEAN NOT NULL DEFAULT FALSE,
    created_at               TIMESTAMP NOT NULL,
    CONSTRAINT users_email_normalized_key UNIQUE (email_normalized)
);

CREATE TABLE clients (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The built-in client of the web pages and /api/users/login.
INSERT INTO clients (id, name, created_at) VALUES ('web', 'Web', strftime('%Y-%m-%d %H:%M:%f', 'now'));

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id         TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    device_id         TEXT NOT NULL,
    device_name       TEXT NOT NULL,
    access_hash       TEXT NOT NULL,
    access_expires_at TIMESTAMP NOT NULL,
    refresh_hash      TEXT NOT NULL,
    refreshed_at      TIMESTAMP NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    last_used_at      TIMESTAMP NOT NULL,
    CONSTRAINT sessions_access_hash_key UNIQUE (access_hash),
    CONSTRAINT sessions_refresh_hash_key UNIQUE (refresh_hash),
    -- one live token pair per (user, client, device); also serves "sessions of a user"
    CONSTRAINT sessions_user_client_device_key UNIQUE (user_id, client_id, device_id)
);
-- removing a client cascades to its sessions
CREATE INDEX sessions_client_id_idx ON sessions (client_id);

-- Rotated-out refresh tokens, kept while their session lives, to tell a
-- parallel refresh (within the grace period) from a stolen token.
CREATE TABLE retired_refresh_tokens (
    hash       TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    retired_at TIMESTAMP NOT NULL
);
CREATE INDEX retired_refresh_tokens_session_id_idx ON retired_refresh_tokens (session_id);

CREATE TABLE policy_revisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    policy_type  TEXT NOT NULL,
    version      TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);

CREATE TABLE policy_texts (
    revision_id INTEGER NOT NULL REFERENCES policy_revisions (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    button      TEXT NOT NULL,
    html        TEXT NOT NULL,
    PRIMARY KEY (revision_id, language)
);

CREATE TABLE policy_acceptances (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    revision_id INTEGER NOT NULL REFERENCES policy_revisions (id),
    accepted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, revision_id)
);

CREATE TABLE confirmations (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    code_hash  TEXT,
    link_hash  TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT confirmations_link_hash_key UNIQUE (link_hash)
);
CREATE INDEX confirmations_user_purpose_idx ON confirmations (user_id, purpose);

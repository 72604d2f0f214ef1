-- A pending change of address (issue 16), one per user: the new address
-- proves itself with a code or a link, the old one may cancel. Only keyed
-- hashes of the code and links; the address changes when the new one confirms.
CREATE TABLE email_changes (
    user_id              TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id                   TEXT NOT NULL,
    new_email            TEXT NOT NULL,
    new_email_normalized TEXT NOT NULL,
    code_hash            TEXT,
    link_hash            TEXT,
    cancel_hash          TEXT,
    attempts             INTEGER NOT NULL DEFAULT 0,
    expires_at           TIMESTAMP NOT NULL,
    created_at           TIMESTAMP NOT NULL
);
CREATE INDEX email_changes_link_hash_idx ON email_changes (link_hash);
CREATE INDEX email_changes_cancel_hash_idx ON email_changes (cancel_hash);
CREATE INDEX email_changes_expires_at_idx ON email_changes (expires_at);

-- A sign-in waiting for its second factor may be a change of address: the
-- address it is to change to (purpose 'change_email').
ALTER TABLE mfa_tokens ADD COLUMN new_email TEXT;

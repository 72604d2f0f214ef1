-- Client kinds (issue 14). Keep it in step with ../../sqlite: same columns
-- and constraints; only the spelling of types and constraints may differ.

-- 'public' (an app that names itself by its client_id) or 'confidential'
-- (a server with a secret). Every client from before this column is public.
ALTER TABLE clients ADD COLUMN kind TEXT NOT NULL DEFAULT 'public'
    CHECK (kind IN ('public', 'confidential'));
-- The keyed hash (HMAC-SHA-256 under the server secret) of a confidential
-- client's secret; a public client has none, a confidential one always has one.
ALTER TABLE clients ADD COLUMN secret_hash TEXT;
ALTER TABLE clients ADD CONSTRAINT clients_secret_by_kind CHECK ((secret_hash IS NULL) = (kind = 'public'));
-- The registered redirect and post-logout redirect URIs, one a line, in the
-- order given (a URI holds no whitespace); empty for none.
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '';
-- First-party: no consent page. Clients from before this column are not.
ALTER TABLE clients ADD COLUMN trusted BOOLEAN NOT NULL DEFAULT FALSE;

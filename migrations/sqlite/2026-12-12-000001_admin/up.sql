-- The admin API's account search (issue 15). Keep it in step with
-- ../../postgres: the same indexes; only how the address prefix is indexed
-- differs. Every search filter has an index that ends in the keyset order
-- (created_at, id), so a page is a range scan whichever filter leads.
CREATE INDEX users_created_idx ON users (created_at, id);
CREATE INDEX users_role_created_idx ON users (role, created_at, id);
CREATE INDEX users_disabled_created_idx ON users (disabled, created_at, id);
CREATE INDEX users_confirmed_created_idx ON users ((email_confirmed_at IS NOT NULL), created_at, id);
-- LIKE 'prefix%' on the normalized (lowercase) address: SQLite's LIKE
-- ignores ASCII case, so only a NOCASE index serves it.
CREATE INDEX users_email_prefix_idx ON users (email_normalized COLLATE NOCASE);

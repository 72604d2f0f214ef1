-- The breached-password filter (issue 16). Keep it in step with
-- ../../sqlite: same table, columns and constraints; only the spelling of
-- types may differ.

-- One filter (registrar_domain::BreachedPasswords::to_bytes), shared by
-- every instance, split in pieces of at most 16 MiB (one database value
-- holds at most 1 GB; the full list's filter is ~2.3 GB): piece 0, 1, …
-- concatenated. Every piece repeats the import's version, entry count and
-- time, so that an instance reads piece 0 alone to know whether its
-- filter is current. An import replaces every row in one transaction.
CREATE TABLE breached_password_filter (
    piece       INTEGER PRIMARY KEY NOT NULL,
    version     TEXT NOT NULL,
    entries     BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    data        BYTEA NOT NULL
);

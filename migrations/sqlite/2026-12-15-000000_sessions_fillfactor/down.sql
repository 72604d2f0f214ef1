-- Nothing on SQLite: the PostgreSQL migration of the same name leaves room
-- on the pages of `sessions` for heap-only updates, which SQLite, updating
-- a row in place, does not need. Kept so that both backends list the same
-- migrations.
SELECT 1;

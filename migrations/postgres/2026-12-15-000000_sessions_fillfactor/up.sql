-- Room on every page of `sessions` for a new version of its rows: every
-- bearer check's last use (one UPDATE of `last_used_at` a second, which no
-- index holds) can then be a heap-only update, written on the row's own
-- page, instead of a new row elsewhere and an entry in each of the five
-- indexes. Measured at a million sessions (bench/README.md, "Growth: the
-- last-use writes"): a quarter of the WAL. Pages already full keep their
-- rows until they change; new and rewritten pages keep the room.
ALTER TABLE sessions SET (fillfactor = 80);

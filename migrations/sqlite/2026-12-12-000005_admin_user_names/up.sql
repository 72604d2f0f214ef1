-- The admin API's account search by name (issue 15): the first or the
-- last name starts with the given text, case ignored. SQLite's LIKE uses
-- no expression index, so the search also gives the prefix as a range on
-- lower(name), which these serve. Keep it in step with ../../postgres.
CREATE INDEX users_firstname_prefix_idx ON users (lower(firstname));
CREATE INDEX users_lastname_prefix_idx ON users (lower(lastname));

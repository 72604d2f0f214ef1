-- The admin API's account search by name (issue 15): the first or the
-- last name starts with the given text, case ignored, as
-- lower(name) LIKE 'prefix%'. Keep it in step with ../../sqlite.
CREATE INDEX users_firstname_prefix_idx ON users (lower(firstname) text_pattern_ops);
CREATE INDEX users_lastname_prefix_idx ON users (lower(lastname) text_pattern_ops);

DROP INDEX users_lastname_prefix_idx;
DROP INDEX users_firstname_prefix_idx;

DROP INDEX users_email_prefix_idx;
DROP INDEX users_confirmed_created_idx;
DROP INDEX users_disabled_created_idx;
DROP INDEX users_role_created_idx;
DROP INDEX users_created_idx;

ALTER TABLE clients DROP COLUMN trusted;
ALTER TABLE clients DROP COLUMN post_logout_redirect_uris;
ALTER TABLE clients DROP COLUMN redirect_uris;
ALTER TABLE clients DROP COLUMN secret_hash;
ALTER TABLE clients DROP COLUMN kind;

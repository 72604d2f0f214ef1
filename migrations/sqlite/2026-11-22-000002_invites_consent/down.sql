ALTER TABLE users DROP COLUMN consent;
DROP TABLE invites;

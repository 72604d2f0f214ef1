ALTER TABLE policy_acceptances DROP COLUMN language;

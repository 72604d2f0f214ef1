ALTER TABLE mfa_tokens DROP COLUMN new_email;
DROP TABLE email_changes;

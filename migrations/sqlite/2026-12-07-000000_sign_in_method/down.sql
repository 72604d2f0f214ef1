ALTER TABLE mfa_tokens DROP COLUMN credential;
ALTER TABLE sessions DROP COLUMN sign_in_method;

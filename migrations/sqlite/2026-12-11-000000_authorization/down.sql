DROP TABLE oauth_consents;
DROP TABLE authorization_codes;
DROP TABLE browser_sessions;
ALTER TABLE mfa_tokens DROP COLUMN purpose;
ALTER TABLE sessions DROP COLUMN scope;

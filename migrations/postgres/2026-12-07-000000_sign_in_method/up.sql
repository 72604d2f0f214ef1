-- How each session signed in (issue 13), and the password an mfa_token's
-- first step verified. Keep it in step with ../../sqlite: same columns and
-- constraints; only the spelling of types may differ.

-- One of 'password', 'password+totp', 'password+recovery_code',
-- 'registration', 'signup_link', 'import' (SignInMethod in the domain).
-- A refresh keeps it; a new sign-in on the device replaces the session.
-- Sessions from before this column: by password, except those of accounts
-- without one, which only the link of an email-first signup signs in.
ALTER TABLE sessions ADD COLUMN sign_in_method TEXT NOT NULL DEFAULT 'password';
UPDATE sessions SET sign_in_method = 'signup_link'
    WHERE user_id IN (SELECT id FROM users WHERE password_hash IS NULL);

-- The password hash the first factor verified: the second step opens its
-- session (or sets its new password) only while it is still the user's.
-- NULL for tokens from before this column (a password change or reset
-- deletes the user's tokens all the same).
ALTER TABLE mfa_tokens ADD COLUMN credential TEXT;

-- Email-first accounts waiting for consent (issue 11): `consent` 0 marks an
-- account made by `POST /signup` that has not given its consent yet; it gets
-- no session by any route but the completion of its signup. Accounts made
-- before this mark: the only accounts ever made without a password.
UPDATE users SET consent = 0 WHERE consent IS NULL AND password_hash IS NULL;

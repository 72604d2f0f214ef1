-- What a queued mail names besides its recipient, never a secret: the
-- device's name of a new-sign-in notice (issue 15). NULL for other kinds.
ALTER TABLE outbox ADD COLUMN detail TEXT;

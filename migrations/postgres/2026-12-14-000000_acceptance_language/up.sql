-- The language the user accepted a policy revision in (the language of the
-- request that accepted it); NULL for acceptances recorded before this
-- column, and for those moved in by `registrar user import`.
ALTER TABLE policy_acceptances ADD COLUMN language TEXT;

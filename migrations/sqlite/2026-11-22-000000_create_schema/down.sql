DROP TABLE confirmations;
DROP TABLE policy_acceptances;
DROP TABLE policy_texts;
DROP TABLE policy_revisions;
DROP TABLE retired_refresh_tokens;
DROP TABLE sessions;
DROP TABLE clients;
DROP TABLE users;

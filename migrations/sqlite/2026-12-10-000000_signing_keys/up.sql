-- ID-token signing keys (issue 14). Keep it in step with ../../postgres: same
-- table, columns and constraints; only the spelling of types may differ.

-- Shared by every instance. kid is random and URL-safe; alg a JWA name
-- ('RS256'); public_n and public_e the public part as the JWKS gives it
-- (base64url); private_key the private key (PKCS#8 DER) sealed under the
-- server secret (purpose 'signing key', owner the kid), never in clear.
-- retired_at is when a newer key became current; NULL for the current key.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY NOT NULL,
    alg         TEXT NOT NULL,
    public_n    TEXT NOT NULL,
    public_e    TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    retired_at  TIMESTAMP
);
-- At most one current key per algorithm: of instances racing to make the
-- first key, or rotations racing, one insert goes through.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (alg) WHERE retired_at IS NULL;

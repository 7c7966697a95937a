-- Users own API keys (and, later, sessions). Emails are unique regardless of case.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT        NOT NULL,
    password_hash TEXT,
    role          TEXT        NOT NULL,
    tier          TEXT        NOT NULL DEFAULT 'standard',
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- API keys: only the SHA-256 of the secret is stored (hex), plus a display prefix and the last four characters.
-- A rotated key keeps its previous hash until previous_expires_at (the grace period).
CREATE TABLE api_keys (
    id                  TEXT        PRIMARY KEY CHECK (id ~ '^key-[0-9a-f]{8}$'),
    user_id             BIGINT      NOT NULL REFERENCES users (id),
    name                TEXT        NOT NULL,
    key_hash            CHAR(64)    NOT NULL,
    prefix              TEXT        NOT NULL,
    last4               TEXT        NOT NULL,
    scopes              TEXT[]      NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    secret_created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at          TIMESTAMPTZ,
    last_used           TIMESTAMPTZ,
    revoked_at          TIMESTAMPTZ,
    previous_hash       CHAR(64),
    previous_expires_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);
CREATE UNIQUE INDEX api_keys_previous_hash_key ON api_keys (previous_hash) WHERE previous_hash IS NOT NULL;
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id, created_at);

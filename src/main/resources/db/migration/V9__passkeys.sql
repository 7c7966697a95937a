-- Passkeys (WebAuthn credentials, CONTRACT §11). A user's WebAuthn user handle is 32 random bytes, never derived
-- from the user id or e-mail; it is what a discoverable credential returns at a password-free sign-in.
CREATE TABLE webauthn_user_handles (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    user_handle BYTEA  NOT NULL UNIQUE CHECK (length(user_handle) BETWEEN 16 AND 64)
);

-- One row per registered credential. attested_credential_data is the authenticator's AAGUID, credential id and
-- COSE public key exactly as it attested them; sign_count is the last signature counter seen (never lowered).
CREATE TABLE passkeys (
    id                       BIGSERIAL   PRIMARY KEY,
    user_id                  BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id            BYTEA       NOT NULL UNIQUE,
    attested_credential_data BYTEA       NOT NULL,
    sign_count               BIGINT      NOT NULL CHECK (sign_count >= 0),
    uv_initialized           BOOLEAN     NOT NULL,
    backup_eligible          BOOLEAN     NOT NULL,
    backed_up                BOOLEAN     NOT NULL,
    transports               TEXT[]      NOT NULL DEFAULT '{}',
    attestation_format       TEXT        NOT NULL,
    name                     TEXT        NOT NULL,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at             TIMESTAMPTZ
);
CREATE INDEX passkeys_user_id_idx ON passkeys (user_id, created_at);

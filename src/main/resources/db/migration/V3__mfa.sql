-- Multi-factor login. The TOTP secret is stored as Base32 plaintext (a known limitation, see the README); it counts
-- as configured once totp_enabled is true. last_totp_step is the newest accepted time step, so a code is never
-- accepted twice.
ALTER TABLE users
    ADD COLUMN totp_secret       TEXT,
    ADD COLUMN totp_enabled      BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN last_totp_step    BIGINT  NOT NULL DEFAULT 0,
    ADD COLUMN email_mfa_enabled BOOLEAN NOT NULL DEFAULT false;

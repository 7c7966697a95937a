package io.s4e.gateway.mfa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migration V8: the table of recovery codes, and every TOTP secret (pending or enabled) encrypted with
 * {@link TotpSecretCipher}. It needs the configured keys, so it is not found on the class path like
 * {@code db.migration.V5__email_canonical_form} but handed to Flyway as a bean ({@link MfaConfiguration}), which Spring
 * Boot adds to the migrations it runs. With plaintext secrets present and no key configured it fails, naming the
 * property, and nothing is changed (the migration is one transaction).
 */
public class V8__encrypt_totp_secrets_and_recovery_codes extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V8__encrypt_totp_secrets_and_recovery_codes.class);

    private final MfaKeys keys;
    private final TotpSecretCipher cipher;

    public V8__encrypt_totp_secrets_and_recovery_codes(MfaKeys keys) {
        this.keys = keys;
        this.cipher = new TotpSecretCipher(keys);
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection db = context.getConnection();
        try (Statement ddl = db.createStatement()) {
            ddl.execute("""
                    CREATE TABLE mfa_recovery_codes (
                        user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                        key_id     TEXT        NOT NULL,
                        code_hash  TEXT        NOT NULL,
                        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                        PRIMARY KEY (user_id, code_hash)
                    )""");
            ddl.execute("CREATE INDEX mfa_recovery_codes_key_id ON mfa_recovery_codes (key_id)");
            ddl.execute("COMMENT ON TABLE mfa_recovery_codes IS 'Unused recovery codes: HMAC-SHA256 of user id and "
                    + "code under a key derived from s4e.mfa.encryption-keys key key_id. A used code is deleted.'");
            ddl.execute("COMMENT ON COLUMN users.totp_secret IS 'v1:<key id>:<nonce>:<AES-256-GCM ciphertext+tag>, "
                    + "associated data the user id (TotpSecretCipher); never plaintext'");
        }
        int sealed = sealPlaintextSecrets(db);
        if (sealed > 0) {
            log.info("Encrypted {} stored TOTP secrets under key id '{}'", sealed, keys.primaryId());
        }
    }

    private int sealPlaintextSecrets(Connection db) throws SQLException {
        int sealed = 0;
        try (Statement select = db.createStatement();
             ResultSet rows = select.executeQuery("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL "
                     + "AND totp_secret NOT LIKE '" + TotpSecretCipher.VERSION + ":%' ORDER BY id FOR UPDATE");
             PreparedStatement update = db.prepareStatement("UPDATE users SET totp_secret = ? WHERE id = ?")) {
            while (rows.next()) {
                if (!keys.configured()) {
                    throw new IllegalStateException("The database holds TOTP secrets in plaintext and "
                            + MfaKeys.PROPERTY + " is not set: set it (k1:$(openssl rand -base64 32)) so that "
                            + "migration V8 can encrypt them");
                }
                long id = rows.getLong("id");
                update.setString(1, cipher.sealNow(id, rows.getString("totp_secret")));
                update.setLong(2, id);
                update.addBatch();
                sealed++;
            }
            update.executeBatch();
        }
        return sealed;
    }
}

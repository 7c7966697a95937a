package io.s4e.gateway.mfa;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** The MFA columns of {@code users} in PostgreSQL, over R2DBC. */
@Repository
public class MfaRepository {

    private final DatabaseClient db;

    public MfaRepository(DatabaseClient db) {
        this.db = db;
    }

    /** The second factors of user {@code userId}; empty when there is no such user. */
    public Mono<MfaSettings> settings(long userId) {
        return db.sql("SELECT id, email, totp_secret, totp_enabled, email_mfa_enabled, "
                        + "EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = users.id) AS passkey_enabled "
                        + "FROM users WHERE id = :id")
                .bind("id", userId)
                .map(MfaRepository::row)
                .one();
    }

    /**
     * Stores a new, not yet enabled TOTP secret, unless TOTP is already enabled.
     *
     * @return true when stored; false when TOTP is enabled or there is no such user
     */
    public Mono<Boolean> storePendingTotpSecret(long userId, String secret) {
        return db.sql("UPDATE users SET totp_secret = :secret, updated_at = now() "
                        + "WHERE id = :id AND NOT totp_enabled RETURNING id")
                .bind("id", userId)
                .bind("secret", secret)
                .map(row -> row.get("id", Long.class))
                .one()
                .hasElement();
    }

    /**
     * Records {@code step} as the newest accepted TOTP step of user {@code userId}, in one compare-and-set.
     *
     * @return true when {@code step} is newer than the last accepted one (the code may be accepted); false otherwise
     */
    public Mono<Boolean> acceptTotpStep(long userId, long step) {
        return db.sql("UPDATE users SET last_totp_step = :step WHERE id = :id AND last_totp_step < :step RETURNING id")
                .bind("id", userId)
                .bind("step", step)
                .map(row -> row.get("id", Long.class))
                .one()
                .hasElement();
    }

    /** Enables TOTP for user {@code userId}; completes empty. */
    public Mono<Void> enableTotp(long userId) {
        return db.sql("UPDATE users SET totp_enabled = true, updated_at = now() WHERE id = :id")
                .bind("id", userId)
                .then();
    }

    /** Enables e-mail codes for user {@code userId}; completes empty. */
    public Mono<Void> enableEmail(long userId) {
        return db.sql("UPDATE users SET email_mfa_enabled = true, updated_at = now() WHERE id = :id")
                .bind("id", userId)
                .then();
    }

    private static MfaSettings row(Readable row) {
        return new MfaSettings(
                row.get("id", Long.class),
                row.get("email", String.class),
                row.get("totp_secret", String.class),
                Boolean.TRUE.equals(row.get("totp_enabled", Boolean.class)),
                Boolean.TRUE.equals(row.get("email_mfa_enabled", Boolean.class)),
                Boolean.TRUE.equals(row.get("passkey_enabled", Boolean.class)));
    }
}

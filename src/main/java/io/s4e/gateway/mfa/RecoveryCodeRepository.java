package io.s4e.gateway.mfa;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;

/** The hashed recovery codes of {@code mfa_recovery_codes}, over R2DBC. */
@Repository
public class RecoveryCodeRepository {

    private final DatabaseClient db;
    private final TransactionalOperator transactions;

    public RecoveryCodeRepository(DatabaseClient db) {
        this.db = db;
        this.transactions = TransactionalOperator.create(new R2dbcTransactionManager(db.getConnectionFactory()));
    }

    /**
     * Replaces every code of user {@code userId} with {@code hashes} (under key {@code keyId}) in one transaction
     * that first locks the user's row, so two regenerations at once leave exactly one whole set.
     *
     * @return true when replaced; false when there is no such user
     */
    public Mono<Boolean> replace(long userId, String keyId, List<String> hashes) {
        Mono<Boolean> replaced = db.sql("SELECT id FROM users WHERE id = :id FOR UPDATE")
                .bind("id", userId)
                .map(row -> row.get("id", Long.class))
                .one()
                .flatMap(locked -> db.sql("DELETE FROM mfa_recovery_codes WHERE user_id = :id")
                        .bind("id", userId)
                        .then()
                        .then(db.sql("INSERT INTO mfa_recovery_codes (user_id, key_id, code_hash) "
                                        + "SELECT :id, :kid, unnest(CAST(:hashes AS text[]))")
                                .bind("id", userId)
                                .bind("kid", keyId)
                                .bind("hashes", hashes.toArray(String[]::new))
                                .then())
                        .thenReturn(true))
                .defaultIfEmpty(false);
        return transactions.transactional(replaced);
    }

    /**
     * Uses up the code of user {@code userId} whose hash is one of {@code hashes} (one per configured key), in one
     * {@code DELETE … RETURNING}: of any number of concurrent uses of one code, exactly one gets the row.
     *
     * @return true when a code was used up; false when none matched
     */
    public Mono<Boolean> consume(long userId, List<String> hashes) {
        return db.sql("DELETE FROM mfa_recovery_codes WHERE user_id = :id AND code_hash = ANY(:hashes) "
                        + "RETURNING user_id")
                .bind("id", userId)
                .bind("hashes", hashes.toArray(String[]::new))
                .map(row -> row.get("user_id", Long.class))
                .all()
                .hasElements();
    }

    /** How many unused codes user {@code userId} has; 0 for an unknown user. */
    public Mono<Integer> count(long userId) {
        return db.sql("SELECT count(*) AS n FROM mfa_recovery_codes WHERE user_id = :id")
                .bind("id", userId)
                .map(row -> row.get("n", Long.class))
                .one()
                .map(Long::intValue)
                .defaultIfEmpty(0);
    }

    /**
     * Deletes the codes of user {@code userId} when it has no second factor left (they would recover nothing).
     * The one place that decides "no factor left" for codes: a further factor adds its condition here.
     *
     * @return how many codes were deleted
     */
    public Mono<Long> deleteIfNoFactorLeft(long userId) {
        return db.sql("DELETE FROM mfa_recovery_codes WHERE user_id = :id AND NOT EXISTS ("
                        + "SELECT 1 FROM users WHERE id = :id AND (totp_enabled OR email_mfa_enabled)) "
                        + "AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = :id)")
                .bind("id", userId)
                .fetch().rowsUpdated();
    }
}

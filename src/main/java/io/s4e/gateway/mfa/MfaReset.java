package io.s4e.gateway.mfa;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.session.SessionRevocations;
import io.s4e.gateway.web.DecimalIds;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * An admin's reset of a user's MFA (CONTRACT §10), for a user who lost every factor and every recovery code: all
 * factors and recovery codes go in one transaction ({@link #removeEverything}, the one place that knows every kind
 * of factor), then every session of the user ends on every replica, open MFA steps included (the user's session
 * generation moves). The next sign-in is by password alone, and the user enrols again.
 */
@Service
public class MfaReset {

    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final SessionRevocations sessions;

    public MfaReset(DatabaseClient db, SessionRevocations sessions) {
        this.db = db;
        this.transactions = TransactionalOperator.create(new R2dbcTransactionManager(db.getConnectionFactory()));
        this.sessions = sessions;
    }

    /**
     * Resets the MFA of user {@code id} on behalf of {@code caller}.
     *
     * @return the user and how many sessions ended; 403 for a caller without the admin scope; 404 for an unknown id;
     *         503 when the sessions could not be ended (the factors are gone: repeating the request ends them)
     */
    public Mono<MfaViews.Reset> reset(Principal caller, String id) {
        return Mono.defer(() -> {
            caller.requireAdmin("Resetting a user's MFA");
            Long userId = DecimalIds.parse(id);
            if (userId == null) {
                return Mono.error(Errors.notFound("No user with this id."));
            }
            return removeEverything(userId)
                    .filter(Boolean::booleanValue)
                    .switchIfEmpty(Mono.error(() -> Errors.notFound("No user with this id.")))
                    .then(sessions.revokeAll(userId))
                    .flatMap(ended -> Audit.mfaReset(caller, userId, ended)
                            .thenReturn(new MfaViews.Reset(userId, ended)));
        });
    }

    /**
     * Removes every factor (TOTP, e-mail codes, passkeys) and recovery code of {@code userId} in one transaction.
     * Every kind of factor is removed here, and only here.
     *
     * @return true when the user exists
     */
    Mono<Boolean> removeEverything(long userId) {
        Mono<Boolean> removed = db.sql("UPDATE users SET totp_secret = NULL, totp_enabled = false, "
                        + "email_mfa_enabled = false, updated_at = now() WHERE id = :id RETURNING id")
                .bind("id", userId)
                .map(row -> row.get("id", Long.class))
                .one()
                .flatMap(found -> db.sql("DELETE FROM mfa_recovery_codes WHERE user_id = :id")
                        .bind("id", userId)
                        .then()
                        .then(db.sql("DELETE FROM passkeys WHERE user_id = :id").bind("id", userId).then())
                        .thenReturn(true))
                .defaultIfEmpty(false);
        return transactions.transactional(removed);
    }
}

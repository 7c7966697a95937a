package io.s4e.gateway.account;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditEvents;
import io.s4e.gateway.ratelimit.LoginThrottle;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.session.SessionRevocations;
import io.s4e.gateway.user.PasswordHasher;
import io.s4e.gateway.user.PasswordPolicy;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code POST /api/user/password} (CONTRACT §10). The current password is checked like a login's: the attempt counts
 * against the client IP's login attempts, is reserved against the account's lock before the Argon2id work (so wrong
 * guesses here lock the account as wrong logins do), and the work runs in {@link PasswordHasher}'s bulkhead. The new
 * password passes {@link PasswordPolicy} before any of that work. On success every other session of the user ends
 * and the session the change was made in stays, with the same token ({@link SessionRevocations#revokeAllExcept}).
 */
@Service
public class PasswordChange {

    private static final String WRONG = "The current password is wrong.";

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final LoginThrottle throttle;
    private final SessionRevocations revocations;
    private final AccountMetrics metrics;

    public PasswordChange(UserRepository users, PasswordHasher hasher, PasswordPolicy policy, LoginThrottle throttle,
                          SessionRevocations revocations, AccountMetrics metrics) {
        this.users = users;
        this.hasher = hasher;
        this.policy = policy;
        this.throttle = throttle;
        this.revocations = revocations;
        this.metrics = metrics;
    }

    /**
     * Changes the password of the user of {@code session}.
     *
     * @return the number of other sessions ended; 400 for missing fields or a weak new password, 401 for a wrong
     *         current password, 429 when the client IP or the account is throttled, 503 when a store or the password
     *         bulkhead cannot take it
     */
    public Mono<Long> change(Session session, AccountViews.PasswordChangeRequest body, ServerWebExchange exchange) {
        long userId = session.userId();
        return Mono.defer(() -> {
            if (body.currentPassword() == null || body.currentPassword().isEmpty() || body.newPassword() == null) {
                return Mono.error(Errors.invalidRequest("Fields 'current_password' and 'new_password' are required."));
            }
            return throttle.checkClientIp(exchange)
                    .then(Mono.defer(() -> users.findById(userId)))
                    .onErrorMap(e -> !(e instanceof GatewayException),
                            e -> Errors.unavailable("The password cannot be changed right now. Try again shortly."))
                    .filter(user -> !user.disabled())
                    .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The session has ended. Log in again.")))
                    .flatMap(user -> checkPolicy(user, body.newPassword())
                            .then(throttle.passwordAttempt(user.email(), verifyCurrent(user, body.currentPassword()),
                                    Audit.passwordChange(userId, AuditEvents.FAILURE, AuditEvents.LOCKED, null)))
                            .flatMap(verified -> hasher.hash(body.newPassword()))
                            .flatMap(newHash -> users.replacePasswordHash(userId, user.passwordHash(), newHash)
                                    .onErrorMap(e -> !(e instanceof GatewayException), e -> Errors.unavailable(
                                            "The password cannot be changed right now. Try again shortly."))))
                    .flatMap(changed -> changed ? revocations.revokeAllExcept(userId, session.sid())
                            : Mono.error(Errors.of(ErrorCode.CONFLICT,
                                    "The password was changed meanwhile. Sign in again and retry.")))
                    .flatMap(ended -> Audit.passwordChange(userId, AuditEvents.SUCCESS, null, ended)
                            .then(Mono.fromRunnable(() -> metrics.passwordChanged("change")))
                            .thenReturn(ended));
        });
    }

    private Mono<Void> checkPolicy(UserRecord user, String newPassword) {
        return Mono.fromRunnable(() -> policy.check(newPassword, user.email(), "new_password"))
                .onErrorResume(e -> e instanceof GatewayException g && g.code() == ErrorCode.WEAK_PASSWORD,
                        e -> Audit.passwordChange(user.id(), AuditEvents.FAILURE, "weak_password", null)
                                .then(Mono.error(e)))
                .then();
    }

    /** The user when {@code current} is its password; a 401 error otherwise (which the throttle counts). */
    private Mono<UserRecord> verifyCurrent(UserRecord user, String current) {
        if (user.passwordHash() == null || user.passwordHash().isEmpty()) {
            return refused(user);
        }
        return hasher.matches(current, user.passwordHash())
                .flatMap(matches -> matches ? Mono.just(user) : refused(user));
    }

    private static Mono<UserRecord> refused(UserRecord user) {
        return Audit.passwordChange(user.id(), AuditEvents.FAILURE, AuditEvents.BAD_PASSWORD, null)
                .then(Mono.error(() -> Errors.unauthorized(WRONG)));
    }
}

package io.s4e.gateway.login;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditEvents;
import io.s4e.gateway.user.PasswordHasher;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Checks an email and password. Unknown email, wrong password, disabled user and a user without a password (a
 * service user) all get the same 401, after the same Argon2id work: an unknown email is checked against a dummy
 * hash so the answer takes about as long.
 */
@Component
public class PasswordLogin {

    /** The one message of every refused password login. */
    static final String REFUSED = "Invalid email or password.";

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final Mono<String> dummyHash;

    public PasswordLogin(UserRepository users, PasswordHasher hasher) {
        this.users = users;
        this.hasher = hasher;
        this.dummyHash = hasher.hash(randomPassword()).cache();
        this.dummyHash.subscribe(hash -> { }, failure -> { });
    }

    /**
     * The user whose credentials these are.
     *
     * @return the user; a 401 error when refused for any reason; a 503 error when PostgreSQL cannot be reached
     */
    public Mono<UserRecord> check(String email, String password) {
        return users.findByEmail(email)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Login is not possible right now. Try again shortly."))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(found -> found.isPresent() ? verify(found.get(), password)
                        : dummyCheck(password).switchIfEmpty(refused(AuditEvents.UNKNOWN_ACCOUNT, null)))
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized(REFUSED)));
    }

    private Mono<UserRecord> verify(UserRecord user, String password) {
        if (user.passwordHash() == null || user.passwordHash().isEmpty()) {
            return dummyCheck(password).switchIfEmpty(refused(AuditEvents.UNKNOWN_ACCOUNT, user.id()));
        }
        return hasher.matches(password, user.passwordHash())
                .flatMap(matches -> matches && !user.disabled() ? Mono.just(user)
                        : refused(matches ? AuditEvents.DISABLED : AuditEvents.BAD_PASSWORD, user.id()));
    }

    /** Records a refused login; always empty. */
    private static Mono<UserRecord> refused(String reason, Long userId) {
        return Audit.loginFailure(reason, userId).then(Mono.empty());
    }

    /** The same work as a real check, for a login that cannot succeed; always empty. */
    private Mono<UserRecord> dummyCheck(String password) {
        return dummyHash.flatMap(hash -> hasher.matches(password, hash)).then(Mono.empty());
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}

package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.user.EmailAddress;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Brute-force protection of login (CONTRACT §7). Every refusal here is 429 {@code rate_limited} with
 * {@code Retry-After}; every check goes through one reservation ({@code reserve}) and every recorded failure through
 * one settlement ({@code settle}), the places where such events are observed.
 * <ul>
 *   <li>Login attempts per client IP: {@code login.per-ip-per-minute} per replica, in-process (resilience4j).</li>
 *   <li>Wrong passwords per email (known or not, so a lock tells nothing about which accounts exist): each check
 *       is reserved before it is made; after {@code login.max-failures} within {@code login.failure-window}, the
 *       email is locked for {@code login.lock-duration} on every replica (Redis), even with the right password.</li>
 *   <li>Wrong MFA codes per account: the same with {@code login.mfa-max-failures}, across mfa_tokens.</li>
 * </ul>
 */
@Component
public class LoginThrottle {

    private final FailureLocks locks;
    private final RateLimitMetrics metrics;
    private final ClientIps clientIps;
    private final Clock clock;
    private final RateLimitProperties.Login settings;
    private final ClientIpLimiters perIp;
    private final Lockouts lockouts;

    public LoginThrottle(FailureLocks locks, RateLimitMetrics metrics, ClientIps clientIps, Clock clock,
                         RateLimitProperties properties, Lockouts lockouts) {
        this.locks = locks;
        this.lockouts = lockouts;
        this.metrics = metrics;
        this.clientIps = clientIps;
        this.clock = clock;
        this.settings = properties.login();
        this.perIp = new ClientIpLimiters(settings.perIpPerMinute(), Duration.ofMinutes(1),
                properties.localCacheSize());
    }

    /**
     * Counts a login attempt of the exchange's client IP and sets the {@code X-RateLimit-*} headers.
     *
     * @return completes when allowed; a 429 error when the IP used up its attempts of the minute
     */
    public Mono<Void> checkClientIp(ServerWebExchange exchange) {
        return Mono.defer(() -> {
            ClientIpLimiters.Attempt attempt = perIp.attempt(clientIps.of(exchange));
            metrics.decided(LimitKind.LOGIN_IP, attempt.allowed());
            long resetMillis = clock.millis() + Duration.ofNanos(attempt.nanosToReset()).toMillis();
            RateLimitHeaders.set(exchange, attempt.limit(), attempt.remaining(), (resetMillis + 999) / 1000);
            if (attempt.allowed()) {
                return Mono.empty();
            }
            int retryAfter = (int) Math.max(1, (Duration.ofNanos(attempt.nanosToReset()).toMillis() + 999) / 1000);
            return Mono.error(Errors.rateLimited("Too many login attempts from this address. Try again in "
                    + retryAfter + " seconds.", retryAfter));
        });
    }

    /**
     * Makes the password check {@code check} for {@code email} within a reserved attempt: reserved before it starts,
     * settled when it ends (a 401 from it counts as a wrong password), and given back if the client goes away.
     * The reservation is per email, known account or not, so a lock tells nothing about which accounts exist.
     * Attempts in flight count with the failures, so at most {@code login.max-failures} wrong passwords are ever
     * checked per window, however many arrive at once. A correct password does not wipe out the window's failures,
     * so a success in the middle of a burst opens no new attempts.
     *
     * @param whenLocked runs before the 429 of an attempt refused by the lock (not of the failure that locks)
     * @return what {@code check} gives; a 429 error when the email is locked or busy, or when this wrong password
     *         locked it
     */
    public <T> Mono<T> passwordAttempt(String email, Mono<T> check, Mono<Void> whenLocked) {
        Lock lock = new Lock(emailSubject(email), EmailAddress.canonical(email), LimitKind.LOGIN_LOCK,
                Lockouts.Kind.LOGIN, settings.maxFailures());
        return attempt(lock, whenLocked, check, value -> false, LoginThrottle::isRefusal);
    }

    /**
     * Makes the MFA code check {@code accepted} of account {@code userId} within a reserved attempt, across its
     * mfa_tokens, as {@link #passwordAttempt} does with {@code login.mfa-max-failures}; a {@code false} answer counts
     * as a wrong code.
     *
     * @return whether the code was accepted; a 429 error when the account is locked or busy, or when this wrong
     *         code locked it
     */
    public Mono<Boolean> mfaAttempt(long userId, Mono<Boolean> accepted) {
        Lock lock = new Lock(mfaSubject(userId), "user " + userId, LimitKind.MFA_LOCK, Lockouts.Kind.MFA,
                settings.mfaMaxFailures());
        return attempt(lock, Mono.empty(), accepted, value -> !value, failure -> false);
    }

    /**
     * Makes {@code check} within an attempt reserved on {@code lock}: {@code wrongAnswer} and {@code wrongFailure}
     * tell which of its outcomes count as a failure when the attempt is settled.
     */
    private <T> Mono<T> attempt(Lock lock, Mono<Void> whenLocked, Mono<T> check, Predicate<T> wrongAnswer,
                                Predicate<Throwable> wrongFailure) {
        return reserve(lock).onErrorResume(failure -> whenLocked.then(Mono.error(failure))).then(Mono.defer(() -> {
            AtomicBoolean settled = new AtomicBoolean();
            return check
                    .flatMap(value -> settled.compareAndSet(false, true)
                            ? settle(lock, wrongAnswer.test(value)).thenReturn(value) : Mono.just(value))
                    .onErrorResume(failure -> !settled.compareAndSet(false, true) ? Mono.error(failure)
                            : settle(lock, wrongFailure.test(failure)).then(Mono.error(failure)))
                    .doOnCancel(() -> {
                        if (settled.compareAndSet(false, true)) {
                            settle(lock, false).subscribe(done -> { }, ignored -> { });
                        }
                    });
        }));
    }

    private static boolean isRefusal(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.UNAUTHORIZED;
    }

    /**
     * Reserves a check on {@code lock} before it is made.
     *
     * @return completes when reserved; a 429 error when the subject is locked, or as many attempts as it may fail
     *         are already failed or in flight
     */
    private Mono<Void> reserve(Lock lock) {
        return locks.reserve(lock.subject(), lock.limit(), lock.maxFailures(), settings.failureWindow())
                .flatMap(LoginThrottle::refuseWhileLocked);
    }

    /**
     * Settles a reserved check on {@code lock}: {@code wrong} counts it as a failure.
     *
     * @return completes when the subject is not locked; a 429 error when this failure locked it
     */
    private Mono<Void> settle(Lock lock, boolean wrong) {
        return locks.settle(lock.subject(), wrong, lock.maxFailures(), settings.failureWindow(),
                        settings.lockDuration())
                .doOnNext(locked -> {
                    if (wrong) {
                        lockouts.noteLocked(lock.kind(), lock.subject(), lock.label(), locked);
                    }
                })
                .flatMap(locked -> wrong ? refuseWhileLocked(locked) : Mono.empty());
    }

    private static Mono<Void> refuseWhileLocked(Duration locked) {
        if (locked.isZero()) {
            return Mono.empty();
        }
        int retryAfter = (int) Math.max(1, (locked.toMillis() + 999) / 1000);
        return Mono.error(Errors.rateLimited("Too many failed attempts for this account. Try again in "
                + retryAfter + " seconds.", retryAfter));
    }

    /** The lock key of {@code email}: the hash of its canonical form, the same form the login looks the user up by. */
    private static String emailSubject(String email) {
        return "login:" + SecretHashes.sha256(EmailAddress.canonical(email));
    }

    private static String mfaSubject(long userId) {
        return "mfa:" + userId;
    }

    /**
     * What wrong answers lock: one email's password checks or one account's MFA code checks.
     *
     * @param subject     the lock key
     * @param label       how the lockout list names it
     * @param limit       the limit its refusals are counted under
     * @param kind        its kind in the lockout list
     * @param maxFailures the failures (with the attempts in flight) that lock it within {@code login.failure-window}
     */
    private record Lock(String subject, String label, LimitKind limit, Lockouts.Kind kind, int maxFailures) {
    }
}

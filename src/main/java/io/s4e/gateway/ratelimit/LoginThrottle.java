package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
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
 * {@code Retry-After}; each check and each recorded failure is one named method, the place where such events are
 * observed.
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

    public LoginThrottle(FailureLocks locks, RateLimitMetrics metrics, ClientIps clientIps, Clock clock,
                         RateLimitProperties properties) {
        this.locks = locks;
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
     * Reserves a password check for {@code email} before it is made (known account or not, so a lock tells nothing
     * about which accounts exist). Attempts in flight count with the failures, so at most
     * {@code login.max-failures} wrong passwords are ever checked per window, however many arrive at once.
     *
     * @return completes when reserved (settle it with {@link #settlePasswordAttempt}); a 429 error when the email
     *         is locked, or as many attempts as it may fail are already failed or in flight
     */
    public Mono<Void> reservePasswordAttempt(String email) {
        return reserve(emailSubject(email), LimitKind.LOGIN_LOCK, settings.maxFailures());
    }

    /**
     * Settles a reserved password check of {@code email}: {@code wrong} counts it as a failure. A correct password
     * does not wipe out the window's failures, so a success in the middle of a burst opens no new attempts.
     *
     * @return completes when the email is not locked; a 429 error when this failure locked it
     */
    public Mono<Void> settlePasswordAttempt(String email, boolean wrong) {
        return settle(emailSubject(email), wrong, settings.maxFailures());
    }

    /**
     * Reserves an MFA code check of account {@code userId}, across its mfa_tokens, as
     * {@link #reservePasswordAttempt} does for passwords.
     *
     * @return completes when reserved (settle it with {@link #settleMfaAttempt}); a 429 error when locked or busy
     */
    public Mono<Void> reserveMfaAttempt(long userId) {
        return reserve(mfaSubject(userId), LimitKind.MFA_LOCK, settings.mfaMaxFailures());
    }

    /**
     * Settles a reserved MFA code check of account {@code userId}: {@code wrong} counts it as a failure.
     *
     * @return completes when the account is not locked; a 429 error when this failure locked it
     */
    public Mono<Void> settleMfaAttempt(long userId, boolean wrong) {
        return settle(mfaSubject(userId), wrong, settings.mfaMaxFailures());
    }

    /**
     * Makes the password check {@code check} for {@code email} within a reserved attempt: reserved before it starts,
     * settled when it ends (a 401 from it counts as a wrong password), and given back if the client goes away.
     *
     * @param whenLocked runs before the 429 of an attempt refused by the lock (not of the failure that locks)
     * @return what {@code check} gives; a 429 error when the email is locked or busy, or when this wrong password
     *         locked it
     */
    public <T> Mono<T> passwordAttempt(String email, Mono<T> check, Mono<Void> whenLocked) {
        return attempt(reservePasswordAttempt(email).onErrorResume(failure -> whenLocked.then(Mono.error(failure))),
                wrong -> settlePasswordAttempt(email, wrong), check, value -> false, LoginThrottle::isRefusal);
    }

    /**
     * Makes the MFA code check {@code accepted} of account {@code userId} within a reserved attempt, as
     * {@link #passwordAttempt} does; a {@code false} answer counts as a wrong code.
     *
     * @return whether the code was accepted; a 429 error when the account is locked or busy, or when this wrong
     *         code locked it
     */
    public Mono<Boolean> mfaAttempt(long userId, Mono<Boolean> accepted) {
        return attempt(reserveMfaAttempt(userId), wrong -> settleMfaAttempt(userId, wrong), accepted,
                value -> !value, failure -> false);
    }

    private static <T> Mono<T> attempt(Mono<Void> reserve, Function<Boolean, Mono<Void>> settle, Mono<T> check,
                                       Predicate<T> wrongAnswer, Predicate<Throwable> wrongFailure) {
        return reserve.then(Mono.defer(() -> {
            AtomicBoolean settled = new AtomicBoolean();
            return check
                    .flatMap(value -> settled.compareAndSet(false, true)
                            ? settle.apply(wrongAnswer.test(value)).thenReturn(value) : Mono.just(value))
                    .onErrorResume(failure -> !settled.compareAndSet(false, true) ? Mono.error(failure)
                            : settle.apply(wrongFailure.test(failure)).then(Mono.error(failure)))
                    .doOnCancel(() -> {
                        if (settled.compareAndSet(false, true)) {
                            settle.apply(false).subscribe(done -> { }, ignored -> { });
                        }
                    });
        }));
    }

    private static boolean isRefusal(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.UNAUTHORIZED;
    }

    private Mono<Void> reserve(String subject, LimitKind kind, int max) {
        return locks.reserve(subject, kind, max, settings.failureWindow()).flatMap(LoginThrottle::refuseWhileLocked);
    }

    private Mono<Void> settle(String subject, boolean wrong, int max) {
        return locks.settle(subject, wrong, max, settings.failureWindow(), settings.lockDuration())
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
}

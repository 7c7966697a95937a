package io.s4e.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

import io.s4e.gateway.user.EmailAddress;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Brute-force protection of login (CONTRACT §7). Every refusal here is 429 {@code rate_limited} with
 * {@code Retry-After}; each check and each recorded failure is one named method, the place where such events are
 * observed.
 * <ul>
 *   <li>Login attempts per client IP: {@code login.per-ip-per-minute} per replica, in-process (resilience4j).</li>
 *   <li>Wrong passwords per email (known or not, so a lock tells nothing about which accounts exist): after
 *       {@code login.max-failures} within {@code login.failure-window}, the email is locked for
 *       {@code login.lock-duration} on every replica (Redis), even with the right password.</li>
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
     * Refuses a login for {@code email} while it is locked after wrong passwords.
     *
     * @return completes when not locked; a 429 error when locked
     */
    public Mono<Void> checkAccountNotLocked(String email) {
        return locks.lockedFor(emailSubject(email), LimitKind.LOGIN_LOCK).flatMap(LoginThrottle::refuseWhileLocked);
    }

    /**
     * Records a wrong password for {@code email}.
     *
     * @return completes when the email is not locked by it; a 429 error when this failure locked it
     */
    public Mono<Void> recordPasswordFailure(String email) {
        return locks.fail(emailSubject(email), LimitKind.LOGIN_LOCK, settings.maxFailures(),
                        settings.failureWindow(), settings.lockDuration())
                .flatMap(LoginThrottle::refuseWhileLocked);
    }

    /** Forgets the wrong passwords of {@code email} after a correct one. */
    public Mono<Void> recordPasswordSuccess(String email) {
        return locks.clear(emailSubject(email));
    }

    /**
     * Refuses MFA verification for account {@code userId} while it is locked after wrong codes.
     *
     * @return completes when not locked; a 429 error when locked
     */
    public Mono<Void> checkMfaNotLocked(long userId) {
        return locks.lockedFor(mfaSubject(userId), LimitKind.MFA_LOCK).flatMap(LoginThrottle::refuseWhileLocked);
    }

    /**
     * Records a wrong MFA code of account {@code userId}.
     *
     * @return completes when the account is not locked by it; a 429 error when this failure locked it
     */
    public Mono<Void> recordMfaFailure(long userId) {
        return locks.fail(mfaSubject(userId), LimitKind.MFA_LOCK, settings.mfaMaxFailures(),
                        settings.failureWindow(), settings.lockDuration())
                .flatMap(LoginThrottle::refuseWhileLocked);
    }

    /** Forgets the wrong MFA codes of account {@code userId} after a correct one. */
    public Mono<Void> recordMfaSuccess(long userId) {
        return locks.clear(mfaSubject(userId));
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
        return "login:" + sha256(EmailAddress.canonical(email));
    }

    private static String mfaSubject(long userId) {
        return "mfa:" + userId;
    }

    private static String sha256(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}

package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import io.s4e.gateway.reactive.LocalCaches;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Failure counting with locks, shared by every replica: a subject (an email, an account, a client IP) that fails
 * {@code max} times within a window since its first failure is locked for a while.
 * <ul>
 *   <li>Attempts that must never exceed the limit (passwords, MFA codes) are {@linkplain #reserve reserved} before
 *       they are checked and {@linkplain #settle settled} after, one Lua script each; without Redis they are
 *       refused (503).</li>
 *   <li>Failures that are only counted after the fact (refused API keys) are {@linkplain #fail recorded} with one
 *       Lua script; when Redis cannot be reached, counts and locks are kept in-process per replica with the same
 *       numbers.</li>
 * </ul>
 */
@Component
public class FailureLocks {

    private static final RedisScript<Long> FAIL = LuaScripts.load("fail", Long.class);
    private static final RedisScript<Long> RESERVE = LuaScripts.load("reserve", Long.class);
    private static final RedisScript<Long> SETTLE = LuaScripts.load("settle", Long.class);

    /** How long a refusal for attempts in flight asks the client to wait. */
    static final Duration BUSY = Duration.ofSeconds(1);

    /** Longest wait for Redis when reserving or settling an attempt, before answering 503. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveStringRedisTemplate redis;
    private final RedisAvailability availability;
    private final RateLimitMetrics metrics;
    private final RateLimitKeys keys;
    private final Clock clock;
    private final Duration timeout;
    /** Per subject: failures, end of the failure window (ms), end of the lock (ms). */
    private final Cache<String, long[]> local;

    public FailureLocks(ReactiveStringRedisTemplate redis, RedisAvailability availability, RateLimitMetrics metrics,
                        RateLimitKeys keys, RateLimitProperties properties, Clock clock) {
        this.redis = redis;
        this.availability = availability;
        this.metrics = metrics;
        this.keys = keys;
        this.clock = clock;
        this.timeout = properties.redisTimeout();
        this.local = LocalCaches.builder().maximumSize(properties.localCacheSize())
                .expireAfterAccess(Duration.ofHours(24)).build();
    }

    /**
     * What recording failures found: how long the subject is now locked ({@link Duration#ZERO}: not locked) and, when
     * it is not, how many failures its current window holds.
     */
    public record Recorded(Duration locked, long counted) {
    }

    /**
     * Records {@code failures} failures of {@code subject} (at least 1) in one step.
     *
     * @return whether the subject is now locked, and the window's count; never an error
     */
    public Mono<Recorded> fail(String subject, int failures, LimitKind kind, int max, Duration window, Duration lock) {
        if (!availability.usable()) {
            return Mono.fromSupplier(() -> localFail(subject, failures, kind, max, window, lock));
        }
        return redis.execute(FAIL, List.of(keys.failures(subject), keys.lock(subject)),
                        List.of(Integer.toString(max), Long.toString(window.toMillis()), Long.toString(lock.toMillis()),
                                Integer.toString(failures)))
                .next()
                .timeout(timeout)
                .map(answer -> answer > 0 ? new Recorded(Duration.ofMillis(answer), 0)
                        : new Recorded(Duration.ZERO, -answer))
                .doOnNext(recorded -> availability.succeeded())
                .onErrorResume(failure -> {
                    availability.failed(failure);
                    return Mono.fromSupplier(() -> localFail(subject, failures, kind, max, window, lock));
                });
    }

    /**
     * Reserves one attempt of {@code subject} before it is checked. Failed and pending attempts count together, so
     * however many attempts arrive at the same instant, on however many replicas, at most {@code max} are ever
     * checked per window: "check the lock, then count the failure later" would let a burst through.
     * Every reservation must be {@linkplain #settle settled}.
     * <p>
     * Unlike the other limits, attempts never fall back to in-process counts: per-replica counts would let each
     * replica check {@code max} more. When Redis cannot be reached within {@link #ATTEMPT_TIMEOUT}, the attempt is
     * refused with 503 (a login needs Redis for its session anyway).
     *
     * @return {@link Duration#ZERO} when reserved; otherwise how long to wait (the lock, or {@link #BUSY} while
     *         {@code max} attempts are failed or in flight); a 503 error when Redis cannot be reached
     */
    public Mono<Duration> reserve(String subject, LimitKind kind, int max, Duration window) {
        return redis.execute(RESERVE, List.of(keys.attempts(subject), keys.lock(subject)),
                        List.of(Integer.toString(max), Long.toString(window.toMillis())))
                .next()
                .timeout(ATTEMPT_TIMEOUT)
                .map(answer -> answer == 0 ? Duration.ZERO : answer < 0 ? BUSY : Duration.ofMillis(answer))
                .onErrorMap(FailureLocks::unreachable)
                .doOnNext(wait -> metrics.decided(kind, wait.isZero()));
    }

    /**
     * Settles an attempt {@linkplain #reserve reserved} for {@code subject}: it is no longer pending, and when
     * {@code failed} it counts as a failure; the failure that reaches {@code max} locks the subject. When Redis
     * cannot be reached the attempt stays pending until its window ends: it keeps counting, never less.
     *
     * @return how long the subject is now locked ({@link Duration#ZERO}: not locked); a 503 error when Redis cannot
     *         be reached
     */
    public Mono<Duration> settle(String subject, boolean failed, int max, Duration window, Duration lock) {
        return redis.execute(SETTLE, List.of(keys.attempts(subject), keys.lock(subject)),
                        List.of(failed ? "1" : "0", Integer.toString(max), Long.toString(window.toMillis()),
                                Long.toString(lock.toMillis())))
                .next()
                .timeout(ATTEMPT_TIMEOUT)
                .map(Duration::ofMillis)
                .onErrorMap(FailureLocks::unreachable);
    }

    private static Throwable unreachable(Throwable failure) {
        return failure instanceof GatewayException ? failure
                : Errors.unavailable("Sign-in attempts cannot be counted right now. Try again shortly.");
    }

    /** Forgets the in-process counts and lock of {@code subject} (all of them when null), after a lockout was lifted. */
    void forgetLocal(String subject) {
        if (subject == null) {
            local.invalidateAll();
        } else {
            local.invalidate(subject);
        }
    }

    private Recorded localFail(String subject, int failures, LimitKind kind, int max, Duration window,
                               Duration lock) {
        metrics.fellBack(kind);
        long now = clock.millis();
        long[] state = local.get(subject, s -> new long[3]);
        synchronized (this) {
            if (state[2] > now) {
                return new Recorded(Duration.ofMillis(state[2] - now), 0);
            }
            if (state[1] <= now) {
                state[0] = 0;
                state[1] = now + window.toMillis();
            }
            state[0] += failures;
            if (state[0] >= max) {
                state[0] = 0;
                state[2] = now + lock.toMillis();
                return new Recorded(lock, 0);
            }
            return new Recorded(Duration.ZERO, state[0]);
        }
    }
}

package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Failure counting with locks, shared by every replica: a subject (an email, an account, a client IP) that fails
 * {@code max} times within a window since its first failure is locked for a while. One round trip per check
 * ({@code PTTL}) and per failure (a Lua script). When Redis cannot be reached, counts and locks are kept in-process
 * per replica with the same numbers.
 */
@Component
public class FailureLocks {

    private static final RedisScript<Long> FAIL = LuaScripts.load("fail",
            Long.class);

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
        this.local = Caffeine.newBuilder().maximumSize(properties.localCacheSize())
                .expireAfterAccess(Duration.ofHours(24)).build();
    }

    /**
     * How long {@code subject} stays locked.
     *
     * @return the remaining lock, {@link Duration#ZERO} when not locked; never an error
     */
    public Mono<Duration> lockedFor(String subject, LimitKind kind) {
        if (!availability.usable()) {
            return Mono.fromSupplier(() -> localLock(subject, kind));
        }
        return redis.getExpire(keys.lock(subject))
                .timeout(timeout)
                .map(ttl -> ttl.isNegative() ? Duration.ZERO : ttl)
                .defaultIfEmpty(Duration.ZERO)
                .doOnNext(ttl -> availability.succeeded())
                .onErrorResume(failure -> {
                    availability.failed(failure);
                    return Mono.fromSupplier(() -> localLock(subject, kind));
                })
                .doOnNext(ttl -> metrics.decided(kind, ttl.isZero()));
    }

    /**
     * Records a failure of {@code subject}.
     *
     * @return how long the subject is now locked ({@link Duration#ZERO}: not locked); never an error
     */
    public Mono<Duration> fail(String subject, LimitKind kind, int max, Duration window, Duration lock) {
        if (!availability.usable()) {
            return Mono.fromSupplier(() -> localFail(subject, kind, max, window, lock));
        }
        return redis.execute(FAIL, List.of(keys.failures(subject), keys.lock(subject)),
                        List.of(Integer.toString(max), Long.toString(window.toMillis()), Long.toString(lock.toMillis())))
                .next()
                .timeout(timeout)
                .map(Duration::ofMillis)
                .doOnNext(ttl -> availability.succeeded())
                .onErrorResume(failure -> {
                    availability.failed(failure);
                    return Mono.fromSupplier(() -> localFail(subject, kind, max, window, lock));
                });
    }

    /**
     * Forgets the failures of {@code subject} (not a lock).
     *
     * @return completes; never an error
     */
    public Mono<Void> clear(String subject) {
        local.invalidate(subject);
        if (!availability.usable()) {
            return Mono.empty();
        }
        return redis.delete(keys.failures(subject))
                .timeout(timeout)
                .onErrorResume(failure -> {
                    availability.failed(failure);
                    return Mono.empty();
                })
                .then();
    }

    private Duration localLock(String subject, LimitKind kind) {
        metrics.fellBack(kind);
        long[] state = local.getIfPresent(subject);
        long now = clock.millis();
        Duration locked;
        synchronized (this) {
            locked = state == null || state[2] <= now ? Duration.ZERO : Duration.ofMillis(state[2] - now);
        }
        metrics.decided(kind, locked.isZero());
        return locked;
    }

    private Duration localFail(String subject, LimitKind kind, int max, Duration window, Duration lock) {
        metrics.fellBack(kind);
        long now = clock.millis();
        long[] state = local.get(subject, s -> new long[3]);
        synchronized (this) {
            if (state[2] > now) {
                return Duration.ofMillis(state[2] - now);
            }
            if (state[1] <= now) {
                state[0] = 0;
                state[1] = now + window.toMillis();
            }
            state[0]++;
            if (state[0] >= max) {
                state[0] = 0;
                state[2] = now + lock.toMillis();
                return lock;
            }
            return Duration.ZERO;
        }
    }
}

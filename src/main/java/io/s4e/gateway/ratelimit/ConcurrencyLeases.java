package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import io.s4e.gateway.reactive.LocalCaches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Concurrency limits across replicas ({@code s4e-max-concurrent}): a request holds a lease, an id in a Redis sorted
 * set scored by its expiry, taken atomically by a Lua script when fewer than the limit are live. The lease is renewed
 * every third of {@code lease-ttl} while the request lives and removed when it completes, fails or is cancelled (the
 * client went away); a replica that dies stops renewing, so its leases expire within {@code lease-ttl}. When Redis
 * cannot be reached, leases are counted in-process per replica.
 */
@Component
public class ConcurrencyLeases {

    private static final Logger log = LoggerFactory.getLogger(ConcurrencyLeases.class);
    private static final RedisScript<List> ACQUIRE = LuaScripts.load("acquire",
            List.class);
    private static final RedisScript<Long> RENEW = LuaScripts.load("renew",
            Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisAvailability availability;
    private final RateLimitMetrics metrics;
    private final Clock clock;
    private final Duration timeout;
    private final Duration ttl;
    private final Cache<String, AtomicInteger> local;

    public ConcurrencyLeases(ReactiveStringRedisTemplate redis, RedisAvailability availability,
                             RateLimitMetrics metrics, RateLimitProperties properties, Clock clock) {
        this.redis = redis;
        this.availability = availability;
        this.metrics = metrics;
        this.clock = clock;
        this.timeout = properties.redisTimeout();
        this.ttl = properties.leaseTtl();
        this.local = LocalCaches.builder().maximumSize(properties.localCacheSize()).build();
    }

    /** A held lease, or a refusal. Release it exactly when the request ends; releasing again does nothing. */
    public interface Lease {

        /** True when the lease was granted. */
        boolean granted();

        /** The limit ({@code X-RateLimit-Limit}). */
        int limit();

        /** Leases still free after this one ({@code X-RateLimit-Remaining}). */
        int remaining();

        /** When refused: seconds until the earliest live lease expires unless renewed; at least 1. */
        int retryAfterSeconds();

        /** Gives the lease back. */
        void release();
    }

    /**
     * Takes a lease of {@code key} when fewer than {@code limit} are live.
     *
     * @return the lease or a refusal; never an error
     */
    public Mono<Lease> acquire(String key, int limit) {
        if (!availability.usable()) {
            return Mono.fromSupplier(() -> acquireLocally(key, limit));
        }
        long now = clock.millis();
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong())
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        List<String> args = List.of(Long.toString(now), Long.toString(now + ttl.toMillis()), Integer.toString(limit),
                id, Long.toString(ttl.toMillis() * 2));
        return redis.execute(ACQUIRE, List.of(key), args)
                .next()
                .timeout(timeout)
                .<Lease>map(result -> {
                    boolean granted = ((Number) result.get(0)).longValue() == 1;
                    int live = ((Number) result.get(1)).intValue();
                    if (granted) {
                        return new RedisLease(key, id, limit, live);
                    }
                    long earliest = ((Number) result.get(2)).longValue();
                    return refused(limit, (int) Math.max(1, (earliest - now + 999) / 1000));
                })
                .doOnNext(lease -> availability.succeeded())
                .onErrorResume(failure -> {
                    availability.failed(failure);
                    // the script may have run after all: drop the lease it may have added
                    redis.opsForZSet().remove(key, id).subscribe(removed -> { }, e -> { });
                    return Mono.fromSupplier(() -> acquireLocally(key, limit));
                })
                .doOnNext(lease -> metrics.decided(LimitKind.CONCURRENCY, lease.granted()));
    }

    private Lease acquireLocally(String key, int limit) {
        metrics.fellBack(LimitKind.CONCURRENCY);
        AtomicInteger held = local.get(key, k -> new AtomicInteger());
        while (true) {
            int now = held.get();
            if (now >= limit) {
                return refused(limit, (int) Math.max(1, ttl.toSeconds()));
            }
            if (held.compareAndSet(now, now + 1)) {
                return new LocalLease(held, limit, now + 1);
            }
        }
    }

    private static Lease refused(int limit, int retryAfter) {
        return new Lease() {
            public boolean granted() {
                return false;
            }

            public int limit() {
                return limit;
            }

            public int remaining() {
                return 0;
            }

            public int retryAfterSeconds() {
                return retryAfter;
            }

            public void release() {
            }
        };
    }

    /** A granted lease: its counts, and a release that runs once whatever calls it. */
    private abstract static class GrantedLease implements Lease {

        private final int limit;
        private final int live;
        private final AtomicBoolean released = new AtomicBoolean();

        GrantedLease(int limit, int live) {
            this.limit = limit;
            this.live = live;
        }

        public boolean granted() {
            return true;
        }

        public int limit() {
            return limit;
        }

        public int remaining() {
            return Math.max(0, limit - live);
        }

        public int retryAfterSeconds() {
            return 0;
        }

        public final void release() {
            if (released.compareAndSet(false, true)) {
                releaseOnce();
            }
        }

        abstract void releaseOnce();
    }

    private final class RedisLease extends GrantedLease {

        private final String key;
        private final String id;
        private final Disposable renewal;

        RedisLease(String key, String id, int limit, int live) {
            super(limit, live);
            this.key = key;
            this.id = id;
            Duration every = ttl.dividedBy(3);
            this.renewal = Flux.interval(every, every)
                    .concatMap(tick -> renew().onErrorResume(e -> Mono.empty()))
                    .subscribe();
        }

        private Mono<Long> renew() {
            long expiry = clock.millis() + ttl.toMillis();
            return redis.execute(RENEW, List.of(key),
                            List.of(Long.toString(expiry), id, Long.toString(ttl.toMillis() * 2)))
                    .next()
                    .timeout(timeout);
        }

        void releaseOnce() {
            renewal.dispose();
            redis.opsForZSet().remove(key, id)
                    .timeout(timeout)
                    .subscribe(removed -> { }, failure -> log.debug("A lease could not be released now; it "
                            + "expires on its own: {}", failure.getClass().getSimpleName()));
        }
    }

    private static final class LocalLease extends GrantedLease {

        private final AtomicInteger held;

        LocalLease(AtomicInteger held, int limit, int live) {
            super(limit, live);
            this.held = held;
        }

        void releaseOnce() {
            held.decrementAndGet();
        }
    }
}

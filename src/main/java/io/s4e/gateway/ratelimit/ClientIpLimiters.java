package io.s4e.gateway.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.s4e.gateway.reactive.LocalCaches;

/**
 * In-process limiters per client IP (resilience4j, one per IP, never waiting for a permission), kept in a bounded
 * cache: an IP idle for two periods is dropped, its limiter would be fresh again anyway. Public so that other
 * features with a per-IP budget of their own (passkey sign-in challenges) use the same limiter.
 */
public final class ClientIpLimiters {

    private final RateLimiterConfig config;
    private final long periodNanos;
    private final Cache<String, Held> limiters;

    /** A limiter and when its first period started (resilience4j counts periods from its creation). */
    private record Held(AtomicRateLimiter limiter, long startNanos) {
    }

    /**
     * The verdict on one attempt.
     *
     * @param allowed        true when a permission was taken
     * @param limit          permissions per period
     * @param remaining      permissions left in the period
     * @param nanosToReset   until the period ends
     */
    public record Attempt(boolean allowed, int limit, int remaining, long nanosToReset) {
    }

    public ClientIpLimiters(int perPeriod, Duration period, int maxIps) {
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(perPeriod)
                .limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO)
                .build();
        this.periodNanos = period.toNanos();
        this.limiters = LocalCaches.builder()
                .maximumSize(maxIps)
                .expireAfterAccess(period.multipliedBy(2))
                .build();
    }

    /** Takes a permission for {@code ip} when one is left in the current period; never waits. */
    public Attempt attempt(String ip) {
        Held held = limiters.get(ip, k -> {
            long start = System.nanoTime();
            return new Held((AtomicRateLimiter) RateLimiter.of("client-ip", config), start);
        });
        boolean allowed = held.limiter().acquirePermission();
        long elapsed = System.nanoTime() - held.startNanos();
        long toReset = periodNanos - Math.floorMod(elapsed, periodNanos);
        int remaining = Math.max(0, held.limiter().getMetrics().getAvailablePermissions());
        return new Attempt(allowed, config.getLimitForPeriod(), remaining, toReset);
    }
}

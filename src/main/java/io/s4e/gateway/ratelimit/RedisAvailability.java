package io.s4e.gateway.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

import io.s4e.gateway.route.Rate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Whether rate-limit decisions should ask Redis. After a failure (error or no answer within
 * {@code s4e.rate-limits.redis-timeout}) decisions are taken in-process for {@code redis-retry}, so no request
 * waits for Redis again meanwhile; then Redis is tried again and used as soon as it answers. The change of state is
 * logged once each way, never per request.
 */
@Component
public class RedisAvailability {

    private static final Logger log = LoggerFactory.getLogger(RedisAvailability.class);

    private final long retryNanos;
    private final AtomicLong retryAt = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean down;

    public RedisAvailability(RateLimitProperties properties) {
        this.retryNanos = properties.redisRetry().toNanos();
    }

    /** True when Redis should be asked now. */
    public boolean usable() {
        return !down || System.nanoTime() - retryAt.get() >= 0;
    }

    /** Notes a failed call: decisions stay in-process for {@code redis-retry}. */
    public void failed(Throwable failure) {
        retryAt.set(System.nanoTime() + retryNanos);
        if (!down) {
            down = true;
            log.warn("Rate limits cannot reach Redis ({}); limits are enforced per replica in-process for now",
                    failure.getClass().getSimpleName());
        }
    }

    /** Notes a successful call. */
    public void succeeded() {
        if (down) {
            down = false;
            log.info("Rate limits reach Redis again; limits are shared across replicas");
        }
    }
}

package io.s4e.gateway.ratelimit;

import io.s4e.gateway.route.Rate;

/**
 * One token bucket to take a token from.
 *
 * @param key      the Redis key (prefix included); also the key of the in-process fallback bucket
 * @param capacity tokens held when full, at least 1
 * @param perMilli tokens added per millisecond
 * @param kind     what the bucket limits, for metrics
 */
public record Bucket(String key, long capacity, double perMilli, LimitKind kind) {

    /** A bucket holding {@code rate}'s permits, refilled at its rate. */
    public static Bucket of(String key, Rate rate, LimitKind kind) {
        return new Bucket(key, rate.permits(), rate.perMilli(), kind);
    }

    /** A tier bucket: refilled at {@code perMinute}, holding {@code perMinute + burst}. */
    public static Bucket ofTier(String key, RateLimitProperties.Tier tier) {
        return new Bucket(key, tier.capacity(), tier.perMinute() / 60_000.0, LimitKind.TIER);
    }

    /**
     * The buckets of one decision as one reservable unit: tokens are always taken from all of them together (the
     * same number from each), so the unit holds as many tokens as its smallest bucket and refills no faster than its
     * slowest. Its key names every bucket; it is never a Redis key.
     */
    public static Bucket together(java.util.List<Bucket> buckets) {
        StringBuilder key = new StringBuilder(64);
        Bucket smallest = buckets.get(0);
        double slowest = smallest.perMilli;
        for (Bucket bucket : buckets) {
            key.append(bucket.key).append('\n');
            if (bucket.capacity < smallest.capacity) {
                smallest = bucket;
            }
            slowest = Math.min(slowest, bucket.perMilli);
        }
        return new Bucket(key.toString(), smallest.capacity, slowest, smallest.kind);
    }
}

package io.s4e.gateway.usage;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Usage per API key (CONTRACT §12).
 *
 * @param enabled           count requests per key at all; default true
 * @param flushInterval     how often each replica adds its counts to PostgreSQL, in one statement; default 10s
 * @param retention         age after which hour buckets are deleted; default 30d
 * @param minuteRetention   age after which minute buckets are deleted (only the 1 h window reads them); default 2d
 * @param retentionInterval how often the retention job runs; default 1h
 * @param maxKeys           most keys one replica counts at once; a key beyond it is not counted until older ones
 *                          were flushed (counted in {@code s4e.usage.dropped}); default 100000
 * @param maxPending        most (key, minute) buckets held in memory while PostgreSQL cannot be written; further
 *                          buckets are dropped and counted in {@code s4e.usage.dropped}; default 200000
 */
@ConfigurationProperties("s4e.usage")
public record UsageProperties(Boolean enabled, Duration flushInterval, Duration retention, Duration minuteRetention,
                              Duration retentionInterval, Integer maxKeys, Integer maxPending) {

    public UsageProperties {
        enabled = enabled == null || enabled;
        flushInterval = positive(flushInterval, Duration.ofSeconds(10), "flush-interval");
        retention = positive(retention, Duration.ofDays(30), "retention");
        minuteRetention = positive(minuteRetention, Duration.ofDays(2), "minute-retention");
        if (minuteRetention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("s4e.usage.minute-retention must be at least 1h (the 1 h window reads "
                    + "minute buckets), not " + minuteRetention);
        }
        retentionInterval = positive(retentionInterval, Duration.ofHours(1), "retention-interval");
        maxKeys = atLeast(maxKeys, 100_000, "max-keys");
        maxPending = atLeast(maxPending, 200_000, "max-pending");
    }

    /** The defaults. */
    public static UsageProperties defaults() {
        return new UsageProperties(null, null, null, null, null, null, null);
    }

    private static int atLeast(Integer value, int fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value < 1) {
            throw new IllegalArgumentException("s4e.usage." + name + " must be at least 1, not " + value);
        }
        return value;
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("s4e.usage." + name + " must be positive, not " + value);
        }
        return value;
    }
}

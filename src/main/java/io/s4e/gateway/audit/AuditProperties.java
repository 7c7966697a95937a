package io.s4e.gateway.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * The audit log (CONTRACT §8).
 *
 * @param enabled            record events at all (stored and logged); default true
 * @param queueCapacity      most events held in memory waiting to be written; when full, the oldest is dropped;
 *                           default 100000
 * @param batchSize          most events written by one INSERT; default 500
 * @param flushInterval      longest time an event waits in the queue when fewer than {@code batch-size} are
 *                           queued; default 200ms
 * @param writeTimeout       longest wait for one batch INSERT before it counts as failed and is retried; default 5s
 * @param retryInitialBackoff first wait before retrying a failed batch; doubled on every further failure; default
 *                           200ms
 * @param retryMaxBackoff    longest wait between two retries of a failed batch; default 5s
 * @param shutdownTimeout    longest time a graceful shutdown waits for the queue to be written; default 10s
 * @param userAgentMaxLength longest user agent stored; longer ones are truncated; default 256
 * @param retention          age after which events are deleted; default 400d
 * @param retentionInterval  how often the retention job runs; default 1h
 * @param retentionBatchSize most rows one retention DELETE removes (the job repeats until none is left); default
 *                           5000
 * @param refusalWindow      how long the refusals of one source (client IP, status and code, principal or key hint,
 *                           path) add to one {@code request.refused} row before a new row starts; 0 records each
 *                           refusal as its own row; default 10s
 * @param refusalMaxOpen     most refusal aggregates open at once; a refusal of a new source beyond it is recorded as
 *                           its own row at once (counted in {@code s4e.audit.refusal.aggregates.overflow});
 *                           default 100000
 */
@ConfigurationProperties("s4e.audit")
public record AuditProperties(Boolean enabled, Integer queueCapacity, Integer batchSize, Duration flushInterval,
                              Duration writeTimeout, Duration retryInitialBackoff, Duration retryMaxBackoff,
                              Duration shutdownTimeout, Integer userAgentMaxLength, Duration retention,
                              Duration retentionInterval, Integer retentionBatchSize, Duration refusalWindow,
                              Integer refusalMaxOpen) {

    @ConstructorBinding
    public AuditProperties {
        enabled = enabled == null || enabled;
        queueCapacity = atLeast(queueCapacity, 100_000, 1, "queue-capacity");
        batchSize = atLeast(batchSize, 500, 1, "batch-size");
        if (batchSize > 5000) {
            throw new IllegalArgumentException("s4e.audit.batch-size must be at most 5000, not " + batchSize);
        }
        flushInterval = positive(flushInterval, Duration.ofMillis(200), "flush-interval");
        writeTimeout = positive(writeTimeout, Duration.ofSeconds(5), "write-timeout");
        retryInitialBackoff = positive(retryInitialBackoff, Duration.ofMillis(200), "retry-initial-backoff");
        retryMaxBackoff = positive(retryMaxBackoff, Duration.ofSeconds(5), "retry-max-backoff");
        if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            throw new IllegalArgumentException("s4e.audit.retry-max-backoff must not be shorter than "
                    + "s4e.audit.retry-initial-backoff");
        }
        shutdownTimeout = positive(shutdownTimeout, Duration.ofSeconds(10), "shutdown-timeout");
        userAgentMaxLength = atLeast(userAgentMaxLength, 256, 1, "user-agent-max-length");
        retention = positive(retention, Duration.ofDays(400), "retention");
        retentionInterval = positive(retentionInterval, Duration.ofHours(1), "retention-interval");
        retentionBatchSize = atLeast(retentionBatchSize, 5000, 1, "retention-batch-size");
        if (refusalWindow == null) {
            refusalWindow = Duration.ofSeconds(10);
        }
        if (refusalWindow.isNegative()) {
            throw new IllegalArgumentException("s4e.audit.refusal-window must not be negative, not " + refusalWindow);
        }
        refusalMaxOpen = atLeast(refusalMaxOpen, 100_000, 1, "refusal-max-open");
    }

    /** The properties without the refusal aggregation settings (their defaults). */
    public AuditProperties(Boolean enabled, Integer queueCapacity, Integer batchSize, Duration flushInterval,
                           Duration writeTimeout, Duration retryInitialBackoff, Duration retryMaxBackoff,
                           Duration shutdownTimeout, Integer userAgentMaxLength, Duration retention,
                           Duration retentionInterval, Integer retentionBatchSize) {
        this(enabled, queueCapacity, batchSize, flushInterval, writeTimeout, retryInitialBackoff, retryMaxBackoff,
                shutdownTimeout, userAgentMaxLength, retention, retentionInterval, retentionBatchSize, null, null);
    }

    private static int atLeast(Integer value, int fallback, int minimum, String name) {
        if (value == null) {
            return fallback;
        }
        if (value < minimum) {
            throw new IllegalArgumentException("s4e.audit." + name + " must be at least " + minimum + ", not " + value);
        }
        return value;
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("s4e.audit." + name + " must be positive, not " + value);
        }
        return value;
    }
}

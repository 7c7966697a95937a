package io.s4e.gateway.apikey;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * API key verification and management.
 *
 * @param cacheTtl           how long a verified key is trusted without asking PostgreSQL again (the backstop when an
 *                           invalidation message is missed); default 30s
 * @param negativeCacheTtl   how long an unknown, revoked or expired key is refused without asking PostgreSQL again;
 *                           default 30s
 * @param cacheMaxSize       most keys held by each of the two caches; default 100000
 * @param lookupTimeout      longest wait for PostgreSQL when verifying a key before answering 503; default 2s
 * @param lastUsedFlushInterval how often {@code last_used} updates are written, in one batch; default 60s
 * @param defaultGrace       how long a rotated-out key keeps working when the request names no grace; default 24h
 * @param maxGrace           the longest grace a rotation may ask for; default 30d
 * @param rotationDueAfter   age of a secret after which {@code rotation_due} is true; default 90d
 * @param maxPerUser         most active (neither revoked nor expired) keys one user may have; creating another is
 *                           409 {@code conflict}; default 100
 */
@ConfigurationProperties("s4e.api-keys")
public record ApiKeyProperties(Duration cacheTtl, Duration negativeCacheTtl, Long cacheMaxSize,
                               Duration lookupTimeout, Duration lastUsedFlushInterval, Duration defaultGrace,
                               Duration maxGrace, Duration rotationDueAfter, Integer maxPerUser) {

    public ApiKeyProperties {
        cacheTtl = positive(cacheTtl, Duration.ofSeconds(30), "cache-ttl");
        negativeCacheTtl = positive(negativeCacheTtl, Duration.ofSeconds(30), "negative-cache-ttl");
        cacheMaxSize = cacheMaxSize == null ? 100_000L : cacheMaxSize;
        if (cacheMaxSize < 1) {
            throw new IllegalArgumentException("s4e.api-keys.cache-max-size must be at least 1");
        }
        lookupTimeout = positive(lookupTimeout, Duration.ofSeconds(2), "lookup-timeout");
        lastUsedFlushInterval = positive(lastUsedFlushInterval, Duration.ofSeconds(60), "last-used-flush-interval");
        defaultGrace = defaultGrace == null ? Duration.ofHours(24) : defaultGrace;
        maxGrace = positive(maxGrace, Duration.ofDays(30), "max-grace");
        rotationDueAfter = positive(rotationDueAfter, Duration.ofDays(90), "rotation-due-after");
        maxPerUser = maxPerUser == null ? 100 : maxPerUser;
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("s4e.api-keys.max-per-user must be at least 1");
        }
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("s4e.api-keys." + name + " must be positive, not " + value);
        }
        return value;
    }
}

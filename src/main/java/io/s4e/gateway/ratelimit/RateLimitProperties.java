package io.s4e.gateway.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.s4e.gateway.route.Rate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Rate limits (CONTRACT §7): tier quotas, per-endpoint limits and concurrency, login protection, and how the
 * gateway behaves when Redis cannot be reached.
 *
 * @param enabled       tier quotas and per-endpoint limits of forwarded requests; login protection and refused-key
 *                      blocking stay on regardless; default true
 * @param tiers         token bucket of each account tier; defaults standard 100/min + 20, premium 1000/min + 100,
 *                      enterprise 10000/min + 500 (a configured tier replaces its default, others keep theirs)
 * @param defaultTier   the tier of an account whose tier is unknown or cannot be read; default {@code standard}
 * @param tierCacheTtl  how long a replica trusts an account's tier without PostgreSQL; default 30s
 * @param endpoints     per-endpoint limits by method and exact path; route metadata {@code s4e-rate-limit} and
 *                      {@code s4e-max-concurrent} take precedence; default the §7 endpoints
 * @param redisTimeout  longest wait for Redis per decision before the in-process fallback decides; default 200ms
 * @param redisRetry    how long after a Redis failure decisions stay in-process before Redis is tried again;
 *                      default 5s
 * @param leaseTtl      lifetime of a concurrency lease; renewed every third of it while the stream lives, so a dead
 *                      replica's leases end within it; default 30s
 * @param login         login protection
 * @param refusedKeys   blocking of client IPs that present refused API keys
 * @param localCacheSize most client IPs or accounts one replica keeps in-process limiters for; default 100000
 * @param reservation   tier tokens a replica takes from Redis ahead of use, so a busy account costs one round trip
 *                      per batch instead of one per request
 */
@ConfigurationProperties("s4e.rate-limits")
public record RateLimitProperties(Boolean enabled, Map<String, Tier> tiers, String defaultTier, Duration tierCacheTtl,
                                  List<Endpoint> endpoints, Duration redisTimeout, Duration redisRetry,
                                  Duration leaseTtl, Login login, RefusedKeys refusedKeys, Integer localCacheSize,
                                  Reservation reservation) {

    /** The §7 tiers. */
    public static final Map<String, Tier> DEFAULT_TIERS = Map.of(
            "standard", new Tier(100L, 20L),
            "premium", new Tier(1_000L, 100L),
            "enterprise", new Tier(10_000L, 500L));

    /** The §7 endpoints (the login limit is {@link Login#perIpPerMinute()}). */
    public static final List<Endpoint> DEFAULT_ENDPOINTS = List.of(
            new Endpoint("POST", "/api/scan/create", "10/min", null),
            new Endpoint("POST", "/api/findings/export", "5/min", null),
            new Endpoint("POST", "/api/assets/bulk", "5/min", null),
            new Endpoint("GET", "/api/events/stream", null, 5));

    public RateLimitProperties {
        enabled = enabled == null || enabled;
        Map<String, Tier> merged = new LinkedHashMap<>(DEFAULT_TIERS);
        if (tiers != null) {
            tiers.forEach((name, tier) -> merged.put(name.toLowerCase(Locale.ROOT),
                    tier == null ? DEFAULT_TIERS.get(name) : tier));
        }
        merged.forEach((name, tier) -> {
            if (tier == null) {
                throw new IllegalArgumentException("s4e.rate-limits.tiers." + name + " needs per-minute and burst");
            }
            tier.validate("s4e.rate-limits.tiers." + name);
        });
        tiers = Map.copyOf(merged);
        defaultTier = defaultTier == null || defaultTier.isBlank() ? "standard" : defaultTier.toLowerCase(Locale.ROOT);
        if (!tiers.containsKey(defaultTier)) {
            throw new IllegalArgumentException("s4e.rate-limits.default-tier '" + defaultTier
                    + "' is not a configured tier " + tiers.keySet());
        }
        tierCacheTtl = positive(tierCacheTtl, Duration.ofSeconds(30), "tier-cache-ttl");
        endpoints = endpoints == null ? DEFAULT_ENDPOINTS : List.copyOf(endpoints);
        for (int i = 0; i < endpoints.size(); i++) {
            endpoints.get(i).validate("s4e.rate-limits.endpoints[" + i + "]");
        }
        redisTimeout = positive(redisTimeout, Duration.ofMillis(200), "redis-timeout");
        redisRetry = positive(redisRetry, Duration.ofSeconds(5), "redis-retry");
        leaseTtl = positive(leaseTtl, Duration.ofSeconds(30), "lease-ttl");
        if (leaseTtl.toMillis() < 300) {
            throw new IllegalArgumentException("s4e.rate-limits.lease-ttl must be at least 300ms");
        }
        login = login == null ? new Login(null, null, null, null, null) : login;
        refusedKeys = refusedKeys == null ? new RefusedKeys(null, null, null) : refusedKeys;
        localCacheSize = localCacheSize == null ? 100_000 : localCacheSize;
        if (localCacheSize < 1) {
            throw new IllegalArgumentException("s4e.rate-limits.local-cache-size must be at least 1");
        }
        reservation = reservation == null ? new Reservation(null, null) : reservation;
    }

    /** The bucket of {@code tier}, or of the default tier when {@code tier} is not configured. */
    public Tier tier(String tier) {
        Tier found = tier == null ? null : tiers.get(tier);
        return found == null ? tiers.get(defaultTier) : found;
    }

    /**
     * An account tier's token bucket: refilled at {@code perMinute}, holding {@code perMinute + burst}.
     *
     * @param perMinute refill per minute, at least 1
     * @param burst     tokens held beyond one minute's refill, at least 0
     */
    public record Tier(Long perMinute, Long burst) {

        void validate(String property) {
            if (perMinute == null || perMinute < 1) {
                throw new IllegalArgumentException(property + ".per-minute must be at least 1");
            }
            if (burst == null || burst < 0) {
                throw new IllegalArgumentException(property + ".burst must be at least 0");
            }
        }

        /** Tokens the bucket holds when full. */
        public long capacity() {
            return perMinute + burst;
        }
    }

    /**
     * A limit of one endpoint: requests with {@code method} on exactly {@code path} (after normalisation).
     *
     * @param method        HTTP method
     * @param path          exact path
     * @param limit         {@code N/min}, per account when authenticated, else per client IP; or null
     * @param maxConcurrent most concurrent requests per account (long-lived streams); or null
     */
    public record Endpoint(String method, String path, String limit, Integer maxConcurrent) {

        void validate(String property) {
            if (method == null || method.isBlank() || path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException(property + " needs a method and a path starting with /");
            }
            if (limit == null && maxConcurrent == null) {
                throw new IllegalArgumentException(property + " needs a limit or max-concurrent");
            }
            if (limit != null) {
                try {
                    Rate.parse(limit);
                }
                catch (IllegalArgumentException invalid) {
                    throw new IllegalArgumentException(property + ".limit " + invalid.getMessage());
                }
            }
            if (maxConcurrent != null && maxConcurrent < 1) {
                throw new IllegalArgumentException(property + ".max-concurrent must be at least 1");
            }
        }
    }

    /**
     * Login protection.
     *
     * @param perIpPerMinute  login attempts per client IP and minute, per replica (in-process); default 10
     * @param maxFailures     wrong passwords (per email) or wrong MFA codes (per account) before a lock; default 5
     * @param failureWindow   how long failures are remembered since the first; default 15m
     * @param lockDuration    how long a locked account is refused, on every replica; default 15m
     * @param mfaMaxFailures  wrong MFA codes per account before a lock; default 5
     */
    public record Login(Integer perIpPerMinute, Integer maxFailures, Duration failureWindow, Duration lockDuration,
                        Integer mfaMaxFailures) {

        public Login {
            perIpPerMinute = atLeastOne(perIpPerMinute, 10, "login.per-ip-per-minute");
            maxFailures = atLeastOne(maxFailures, 5, "login.max-failures");
            failureWindow = positive(failureWindow, Duration.ofMinutes(15), "login.failure-window");
            lockDuration = positive(lockDuration, Duration.ofMinutes(15), "login.lock-duration");
            mfaMaxFailures = atLeastOne(mfaMaxFailures, 5, "login.mfa-max-failures");
        }
    }

    /**
     * Blocking of client IPs that present refused API keys.
     *
     * @param maxFailures   refused keys per client IP within the window before the IP is blocked; default 20
     * @param window        how long refusals are remembered since the first; default 1m
     * @param blockDuration how long every API key request of a blocked IP is refused; default 5m
     */
    public record RefusedKeys(Integer maxFailures, Duration window, Duration blockDuration) {

        public RefusedKeys {
            maxFailures = atLeastOne(maxFailures, 20, "refused-keys.max-failures");
            window = positive(window, Duration.ofMinutes(1), "refused-keys.window");
            blockDuration = positive(blockDuration, Duration.ofMinutes(5), "refused-keys.block-duration");
        }
    }

    private static int atLeastOne(Integer value, int fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value < 1) {
            throw new IllegalArgumentException("s4e.rate-limits." + name + " must be at least 1");
        }
        return value;
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("s4e.rate-limits." + name + " must be positive");
        }
        return value;
    }

    /**
     * Local reservation of tokens (the buckets of one decision together). A replica takes up to a batch of tokens from an account's shared buckets in one
     * round trip and hands them out in-process. The batch starts at one token and doubles while the account keeps
     * using its reservation up within a second, up to the smaller of {@code maxBatch} and {@code fraction} of the
     * bucket's capacity. No request is ever admitted without a token taken from the shared bucket; a replica holds at
     * most batch - 1 unused tokens of an account, which another replica cannot use meanwhile.
     *
     * @param maxBatch most tokens taken in one round trip; 1 turns reservation off; default 256
     * @param fraction largest batch as a share of the bucket's capacity, so small buckets stay exact (standard:
     *                 120 x 0.01 = 1 token, exact); default 0.01
     */
    public record Reservation(Integer maxBatch, Double fraction) {

        public Reservation {
            maxBatch = maxBatch == null ? 256 : maxBatch;
            if (maxBatch < 1) {
                throw new IllegalArgumentException("s4e.rate-limits.reservation.max-batch must be at least 1");
            }
            fraction = fraction == null ? 0.01 : fraction;
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("s4e.rate-limits.reservation.fraction must be in (0, 1]");
            }
        }

        /** The largest batch for a bucket holding {@code capacity} tokens, at least 1. */
        public int batchFor(long capacity) {
            return (int) Math.max(1, Math.min(maxBatch, (long) Math.floor(capacity * fraction)));
        }
    }
}

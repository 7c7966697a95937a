package io.s4e.gateway.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Session tokens and their lifetime. Secrets are never shown by {@link #toString()}.
 *
 * @param jwtSecret    the HS256 key that signs new session tokens, at least 32 bytes; required
 * @param jwtKid       the {@code kid} header of tokens signed with {@code jwtSecret}; default {@code k1}
 * @param previousKeys earlier signing keys (kid → secret), still accepted when verifying so the key can rotate
 * @param ttl          how long a session lasts after login or refresh; default 24h
 * @param refreshGrace how long a refreshed-away token keeps working; default 10s
 * @param maxLifetime  the longest a session can be refreshed to, counted from login; default 30d
 * @param cookieSecure whether the {@code token} cookie carries {@code Secure}; default true
 * @param issuer       the {@code iss} claim written and required; default {@code s4e-gateway}
 * @param cacheTtl     how long a replica serves a session it read from Redis without asking again; at most 1s (the
 *                     contract's revocation bound), 0 turns the near cache off; default 1s. Logout, refresh and
 *                     revocations reach every replica's cache at once over the invalidation channel
 * @param cacheMaxSize the most sessions, and verified session tokens, a replica keeps in memory; default 10000
 * @param refreshPerMinute the most refreshes of one login chain (a login and the sessions refreshed from it) in a
 *                     minute; more answer 429; default 10
 */
@ConfigurationProperties("s4e.session")
public record SessionProperties(String jwtSecret, String jwtKid, Map<String, String> previousKeys, Duration ttl,
                                Duration refreshGrace, Duration maxLifetime, Boolean cookieSecure, String issuer,
                                Duration cacheTtl, Integer cacheMaxSize, Integer refreshPerMinute) {

    /** The contract's bound on how long an ended session may still be accepted by any replica. */
    public static final Duration MAX_CACHE_TTL = Duration.ofSeconds(1);

    /** The fewest bytes a signing secret may have (HS256 needs a 256-bit key). */
    public static final int MIN_SECRET_BYTES = 32;

    private static final List<String> KNOWN_EXAMPLE_PREFIXES = List.of("changeme", "change-me", "change_me",
            "secret", "your-256-bit-secret", "your-secret", "mysecret", "my-secret", "example", "password",
            "replace-me", "todo");

    public SessionProperties {
        requireUsableSecret("s4e.session.jwt-secret", jwtSecret);
        jwtKid = jwtKid == null || jwtKid.isBlank() ? "k1" : jwtKid;
        previousKeys = previousKeys == null ? Map.of() : Map.copyOf(previousKeys);
        previousKeys.forEach((kid, secret) -> requireUsableSecret("s4e.session.previous-keys." + kid, secret));
        if (previousKeys.containsKey(jwtKid)) {
            throw new IllegalArgumentException("s4e.session.previous-keys must not reuse the current kid '"
                    + jwtKid + "' (s4e.session.jwt-kid)");
        }
        ttl = positive(ttl, Duration.ofHours(24), "ttl");
        refreshGrace = refreshGrace == null ? Duration.ofSeconds(10) : refreshGrace;
        if (refreshGrace.isNegative()) {
            throw new IllegalArgumentException("s4e.session.refresh-grace must not be negative");
        }
        maxLifetime = positive(maxLifetime, Duration.ofDays(30), "max-lifetime");
        cookieSecure = cookieSecure == null || cookieSecure;
        issuer = issuer == null || issuer.isBlank() ? "s4e-gateway" : issuer;
        cacheTtl = cacheTtl == null ? MAX_CACHE_TTL : cacheTtl;
        if (cacheTtl.isNegative() || cacheTtl.compareTo(MAX_CACHE_TTL) > 0) {
            throw new IllegalArgumentException("s4e.session.cache-ttl must be between 0 and 1s (an ended session is "
                    + "refused on every replica within 1 s), not " + cacheTtl);
        }
        refreshPerMinute = refreshPerMinute == null ? 10 : refreshPerMinute;
        if (refreshPerMinute < 1) {
            throw new IllegalArgumentException("s4e.session.refresh-per-minute must be at least 1, not "
                    + refreshPerMinute);
        }
        cacheMaxSize = cacheMaxSize == null ? 10_000 : cacheMaxSize;
        if (cacheMaxSize < 1) {
            throw new IllegalArgumentException("s4e.session.cache-max-size must be at least 1, not " + cacheMaxSize);
        }
    }

    /**
     * Refuses a secret that is missing, shorter than {@value #MIN_SECRET_BYTES} bytes, a well-known example value or
     * one character repeated. The message names the property, never the value.
     */
    static void requireUsableSecret(String property, String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException(property + " is required: set it to at least " + MIN_SECRET_BYTES
                    + " random bytes (e.g. `openssl rand -base64 48`)");
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(property + " is too short: it needs at least " + MIN_SECRET_BYTES
                    + " bytes");
        }
        if (isWellKnown(secret)) {
            throw new IllegalArgumentException(property + " is a well-known example value: set a random secret");
        }
    }

    private static boolean isWellKnown(String secret) {
        String lower = secret.toLowerCase(Locale.ROOT);
        if (KNOWN_EXAMPLE_PREFIXES.stream().anyMatch(lower::startsWith)) {
            return true;
        }
        return secret.chars().distinct().count() == 1;
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("s4e.session." + name + " must be positive, not " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "SessionProperties[jwtKid=" + jwtKid + ", previousKids=" + previousKeys.keySet() + ", ttl=" + ttl
                + ", refreshGrace=" + refreshGrace + ", maxLifetime=" + maxLifetime + ", cookieSecure="
                + cookieSecure + ", issuer=" + issuer + ", cacheTtl=" + cacheTtl + ", cacheMaxSize=" + cacheMaxSize
                + ", refreshPerMinute=" + refreshPerMinute + "]";
    }
}

package io.s4e.gateway.ratelimit;

import java.util.Locale;

/** What a rate-limit decision was about; the {@code kind} tag of the rate-limit metrics. */
public enum LimitKind {
    /** The account tier's token bucket. */
    TIER,
    /** A per-endpoint limit ({@code s4e-rate-limit} or a configured endpoint). */
    ENDPOINT,
    /** A concurrency limit ({@code s4e-max-concurrent}). */
    CONCURRENCY,
    /** Login attempts per client IP. */
    LOGIN_IP,
    /** An account locked after wrong passwords. */
    LOGIN_LOCK,
    /** An account locked after wrong MFA codes. */
    MFA_LOCK,
    /** A client IP blocked after refused API keys. */
    REFUSED_KEYS;

    /** The tag value. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}

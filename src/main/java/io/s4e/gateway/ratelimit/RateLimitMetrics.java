package io.s4e.gateway.ratelimit;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The rate-limit meters: {@code s4e.ratelimit.decisions{kind,outcome}} ({@code allowed} or {@code limited}) and
 * {@code s4e.ratelimit.fallback{kind}}, the decisions taken by the in-process limiter because Redis could not be
 * reached, and {@code s4e.ratelimit.reserved{kind}}, the allowed decisions served from tokens this replica reserved
 * ahead (no Redis round trip), and {@code s4e.ratelimit.block.spared}, the API-key requests of a blocked client IP
 * that passed because their key is known to be valid. Counters are created once, not looked up per request.
 */
@Component
public class RateLimitMetrics {

    private final Map<LimitKind, Counter> allowed = new EnumMap<>(LimitKind.class);
    private final Map<LimitKind, Counter> limited = new EnumMap<>(LimitKind.class);
    private final Map<LimitKind, Counter> fallback = new EnumMap<>(LimitKind.class);
    private final Map<LimitKind, Counter> reserved = new EnumMap<>(LimitKind.class);
    private final Counter spared;

    public RateLimitMetrics(MeterRegistry meters) {
        for (LimitKind kind : LimitKind.values()) {
            allowed.put(kind, meters.counter("s4e.ratelimit.decisions", "kind", kind.tag(), "outcome", "allowed"));
            limited.put(kind, meters.counter("s4e.ratelimit.decisions", "kind", kind.tag(), "outcome", "limited"));
            fallback.put(kind, meters.counter("s4e.ratelimit.fallback", "kind", kind.tag()));
            reserved.put(kind, meters.counter("s4e.ratelimit.reserved", "kind", kind.tag()));
        }
        spared = Counter.builder("s4e.ratelimit.block.spared")
                .description("API-key requests of a blocked client IP that passed with a key known to be valid")
                .register(meters);
    }

    /** Counts one request of a blocked client IP that passed with a key known to be valid. */
    public void sparedByBlock() {
        spared.increment();
    }

    /** Counts one decision. */
    public void decided(LimitKind kind, boolean wasAllowed) {
        (wasAllowed ? allowed : limited).get(kind).increment();
    }

    /** Counts one decision taken in-process because Redis could not be reached. */
    public void fellBack(LimitKind kind) {
        fallback.get(kind).increment();
    }

    /** Counts one allowed decision served from a reserved token. */
    public void servedFromReservation(LimitKind kind) {
        reserved.get(kind).increment();
    }
}

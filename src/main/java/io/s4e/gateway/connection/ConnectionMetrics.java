package io.s4e.gateway.connection;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The connection meters: {@code s4e.server.connections.closed{reason}} (a deadline passed: {@code header_timeout},
 * {@code body_timeout}, {@code keep_alive_timeout}), {@code s4e.server.connections.refused{reason}} (a cap was full:
 * {@code per_ip}, {@code total}) and the gauge {@code s4e.server.connections.open}. Counters are created once.
 */
@Component
public class ConnectionMetrics {

    /** Why a connection was closed by a deadline. */
    public enum Deadline {
        HEADER_TIMEOUT, BODY_TIMEOUT, KEEP_ALIVE_TIMEOUT
    }

    /** Which cap refused a connection. */
    public enum Cap {
        PER_IP, TOTAL
    }

    private final Counter[] closed = new Counter[Deadline.values().length];
    private final Counter[] refused = new Counter[Cap.values().length];

    public ConnectionMetrics(MeterRegistry meters, ConnectionCaps caps) {
        for (Deadline deadline : Deadline.values()) {
            closed[deadline.ordinal()] = Counter.builder("s4e.server.connections.closed")
                    .description("Client connections closed because a deadline passed")
                    .tag("reason", deadline.name().toLowerCase(java.util.Locale.ROOT))
                    .register(meters);
        }
        for (Cap cap : Cap.values()) {
            refused[cap.ordinal()] = Counter.builder("s4e.server.connections.refused")
                    .description("Client connections closed at once because a connection cap was full")
                    .tag("reason", cap.name().toLowerCase(java.util.Locale.ROOT))
                    .register(meters);
        }
        AtomicInteger open = caps.open();
        Gauge.builder("s4e.server.connections.open", open, AtomicInteger::get)
                .description("Open client connections")
                .register(meters);
    }

    /** Counts one connection closed by {@code deadline}. */
    public void closed(Deadline deadline) {
        closed[deadline.ordinal()].increment();
    }

    /** Counts one connection refused by {@code cap}. */
    public void refused(Cap cap) {
        refused[cap.ordinal()].increment();
    }
}

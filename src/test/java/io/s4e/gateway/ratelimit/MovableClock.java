package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that stands still until a test moves it; shared by the replicas of a test, so they agree on the time. */
public final class MovableClock extends Clock {

    /** The clock of the rate-limit replicas. */
    public static final MovableClock INSTANCE = new MovableClock();

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    private MovableClock() {
    }

    /** Moves the clock forward by {@code amount}. */
    public void advance(Duration amount) {
        now.updateAndGet(instant -> instant.plus(amount));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /**
     * Gives a replica this clock: named in {@code spring.main.sources}, its {@code @Bean} method (lite mode, so
     * component scanning never picks it up) replaces the gateway's clock.
     */
    public static class Source {

        @org.springframework.context.annotation.Bean
        @org.springframework.context.annotation.Primary
        Clock movableClock() {
            return INSTANCE;
        }
    }
}

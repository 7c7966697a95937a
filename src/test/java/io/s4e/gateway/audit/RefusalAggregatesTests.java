package io.s4e.gateway.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refusal aggregates on a clock the test moves: one event per source and window, every refusal counted in exactly
 * one of them, across windows, under contention and beyond the cap of open aggregates.
 */
class RefusalAggregatesTests {

    private static final Instant START = Instant.parse("2026-11-28T00:00:00Z");
    private static final RefusalAggregates.Source A = source("192.0.2.1");
    private static final RefusalAggregates.Source B = source("192.0.2.2");

    private final MovableClock clock = new MovableClock(START);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** What reaches the writer: first events (count 1) and closed aggregates, as the upsert keeps them. */
    private final Map<UUID, AuditEvent> rows = new ConcurrentHashMap<>();
    private final List<AuditEvent> offered = new CopyOnWriteArrayList<>();

    @Test
    void refusalsWhenSpreadOverThreeWindowsThenOneRowPerWindowWithExactCounts() {
        RefusalAggregates aggregates = aggregates(Duration.ofSeconds(10), 100);
        int[] perWindow = {7, 1, 4};
        for (int window = 0; window < perWindow.length; window++) {
            for (int i = 0; i < perWindow[window]; i++) {
                refuse(aggregates, A);
                clock.advance(Duration.ofMillis(100));
            }
            clock.set(START.plusSeconds(10L * (window + 1)));
        }
        aggregates.sweep(false);

        assertThat(rows).hasSize(3);
        assertThat(rows.values().stream().sorted((x, y) -> x.time().compareTo(y.time())).map(AuditEvent::count))
                .containsExactly(7L, 1L, 4L);
        AuditEvent first = rows.values().stream().filter(e -> e.count() == 7).findFirst().orElseThrow();
        assertThat(first.firstAt()).isEqualTo(START);
        assertThat(first.lastAt()).isEqualTo(START.plusMillis(600));
        // three first events, and one final event for each window that counted more than one refusal
        assertThat(offered).hasSize(5);
        assertThat(meters.counter("s4e.audit.refusals", "status", "401").count()).isEqualTo(12);
        assertThat(meters.counter("s4e.audit.refusal.aggregates.flushed").count()).isEqualTo(2);
        assertThat(aggregates.size()).isZero();
    }

    @Test
    void sourcesWhenDifferentThenOwnAggregatesAndAStopClosesThemAll() {
        RefusalAggregates aggregates = aggregates(Duration.ofSeconds(10), 100);
        for (int i = 0; i < 3; i++) {
            refuse(aggregates, A);
            refuse(aggregates, B);
        }
        assertThat(aggregates.size()).isEqualTo(2);
        assertThat(rows.values()).extracting(AuditEvent::count).containsOnly(1L);

        aggregates.stop();
        assertThat(rows.values()).extracting(AuditEvent::count).containsExactlyInAnyOrder(3L, 3L);
        assertThat(aggregates.size()).isZero();
        // after the stop, each refusal is a row of its own
        refuse(aggregates, A);
        refuse(aggregates, A);
        assertThat(rows).hasSize(4);
    }

    @Test
    void refusalsWhenConcurrentThenEveryOneCountedOnceAcrossWindowChanges() throws Exception {
        RefusalAggregates aggregates = aggregates(Duration.ofMillis(5), 100);
        int threads = 4;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    refuse(aggregates, i % 2 == 0 ? A : B);
                    if (i % 1000 == 0) {
                        clock.advance(Duration.ofMillis(3));
                        aggregates.sweep(false);
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        aggregates.stop();

        assertThat(rows.values().stream().mapToLong(AuditEvent::count).sum()).isEqualTo((long) threads * each);
        assertThat(rows.size()).isGreaterThan(2);
    }

    @Test
    void sourcesWhenMoreThanTheCapThenTheOverflowIsRecordedAtOnceAndCounted() {
        RefusalAggregates aggregates = aggregates(Duration.ofSeconds(10), 2);
        refuse(aggregates, A);
        refuse(aggregates, B);
        RefusalAggregates.Source c = source("192.0.2.3");
        refuse(aggregates, c);
        refuse(aggregates, c);
        assertThat(aggregates.size()).isEqualTo(2);
        assertThat(meters.counter("s4e.audit.refusal.aggregates.overflow").count()).isEqualTo(2);
        aggregates.stop();
        assertThat(rows.values().stream().mapToLong(AuditEvent::count).sum()).isEqualTo(4);
    }

    @Test
    void windowWhenZeroThenEveryRefusalIsItsOwnEvent() {
        RefusalAggregates aggregates = aggregates(Duration.ZERO, 100);
        for (int i = 0; i < 3; i++) {
            refuse(aggregates, A);
        }
        assertThat(rows).hasSize(3);
        assertThat(aggregates.size()).isZero();
    }

    /** What {@link AuditLog#refused} does with a refusal of {@code source}. */
    private void refuse(RefusalAggregates aggregates, RefusalAggregates.Source source) {
        if (aggregates.add(source)) {
            return;
        }
        Instant now = clock.instant();
        AuditEvent event = new AuditEvent(AuditLog.uuidV7(now), now, AuditEvents.REQUEST_REFUSED,
                AuditEvents.REFUSED, null, null, null, source.clientIp(), null, "rid", "GET", source.path(),
                Map.of("status", source.status(), "code", source.code()));
        if (aggregates.open(source, event)) {
            write(event);
        }
    }

    private void write(AuditEvent event) {
        offered.add(event);
        rows.merge(event.id(), event, (stored, next) -> next.count() > stored.count() ? next : stored);
    }

    private RefusalAggregates aggregates(Duration window, int maxOpen) {
        return new RefusalAggregates(window, maxOpen, clock, meters, this::write);
    }

    private static RefusalAggregates.Source source(String ip) {
        return new RefusalAggregates.Source(ip, 401, "unauthorized", null, null, null, "/api/assets/1");
    }

    /** A clock the test sets; safe to move from several threads. */
    static final class MovableClock extends Clock {

        private final AtomicLong millis;

        MovableClock(Instant start) {
            this.millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
        }

        void set(Instant to) {
            millis.set(to.toEpochMilli());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

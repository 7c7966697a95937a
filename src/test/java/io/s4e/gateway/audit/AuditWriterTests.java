package io.s4e.gateway.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit writer against a scripted store: order, batch size, retries without loss or repeats, overflow. */
class AuditWriterTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ScriptedStore store = new ScriptedStore();
    private AuditWriter writer;

    @AfterEach
    void stop() {
        if (writer != null && writer.isRunning()) {
            writer.stop();
        }
    }

    @Test
    void drainWhenStoreFailsTwiceThenEveryEventWrittenOnceInOrderInBoundedBatches() {
        writer = writer(100, 4);
        store.failuresLeft.set(2);
        writer.start();
        for (int i = 0; i < 10; i++) {
            writer.offer(event(i));
        }
        awaitWritten(10);

        assertThat(store.written).extracting(e -> e.detail().get("n")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(store.batchSizes).allMatch(size -> size <= 4);
        assertThat(meters.counter("s4e.audit.write.failures").count()).isEqualTo(2);
        assertThat(meters.counter("s4e.audit.write.retries").count()).isEqualTo(2);
        assertThat(meters.counter("s4e.audit.written").count()).isEqualTo(10);
    }

    @Test
    void offerWhenQueueFullThenOldestDroppedAndCounted() {
        writer = writer(3, 100);
        for (int i = 0; i < 5; i++) {
            writer.offer(event(i));
        }
        assertThat(writer.depth()).isEqualTo(3);
        assertThat(meters.counter("s4e.audit.dropped", "reason", "overflow").count()).isEqualTo(2);

        writer.start();
        awaitWritten(3);
        assertThat(store.written).extracting(e -> e.detail().get("n")).containsExactly(2, 3, 4);
    }

    @Test
    void stopWhenStoreAwayLongerThanShutdownTimeoutThenGivesUpAndCountsTheRest() throws Exception {
        writer = writer(100, 2);
        store.failuresLeft.set(Integer.MAX_VALUE);
        writer.start();
        for (int i = 0; i < 5; i++) {
            writer.offer(event(i));
        }
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        writer.stop(stopped::countDown);
        assertThat(stopped.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        awaitDropped(5);
        assertThat(store.written).isEmpty();
    }

    private AuditWriter writer(int capacity, int batch) {
        AuditProperties properties = new AuditProperties(true, capacity, batch, Duration.ofMillis(20),
                Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(300), null,
                null, null, null);
        return new AuditWriter(store, properties, meters);
    }

    private void awaitWritten(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (store.written.size() < count && System.nanoTime() < deadline) {
            AuditRows.sleep(10);
        }
        assertThat(store.written).hasSize(count);
    }

    private void awaitDropped(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (meters.counter("s4e.audit.dropped", "reason", "shutdown").count() < count
                && System.nanoTime() < deadline) {
            AuditRows.sleep(10);
        }
        assertThat(meters.counter("s4e.audit.dropped", "reason", "shutdown").count()).isEqualTo(count);
    }

    private static AuditEvent event(int n) {
        Instant now = Instant.now();
        return new AuditEvent(AuditLog.uuidV7(now), now, AuditEvents.REQUEST_REFUSED, AuditEvents.REFUSED, null, null,
                null, null, null, "r" + n, "GET", "/", Map.of("n", n));
    }

    /** A store that fails the first {@code failuresLeft} writes, then keeps what it is given. */
    private static final class ScriptedStore extends AuditRepository {

        final AtomicInteger failuresLeft = new AtomicInteger();
        final List<AuditEvent> written = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

        ScriptedStore() {
            super(null);
        }

        @Override
        public Mono<Long> insert(List<AuditEvent> events) {
            return Mono.defer(() -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    return Mono.error(new IllegalStateException("store away"));
                }
                batchSizes.add(events.size());
                written.addAll(new ArrayList<>(events));
                return Mono.just((long) events.size());
            });
        }
    }
}

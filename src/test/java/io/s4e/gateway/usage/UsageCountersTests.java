package io.s4e.gateway.usage;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-replica counters without a database: minutes, flushes that fail, bounds, and a hot path that allocates nothing. */
class UsageCountersTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MovingClock clock = new MovingClock(Instant.parse("2026-12-04T10:00:30Z"));
    private final Recording repository = new Recording();

    private UsageCounters counters(Integer maxKeys, Integer maxPending) {
        return new UsageCounters(repository, new UsageProperties(true, null, null, null, null, maxKeys, maxPending),
                clock, meters);
    }

    private static Principal key(String id) {
        return Principal.ofApiKey(1, "a@example.test", "member", id, java.util.Set.of("read:assets"));
    }

    @Test
    void countsWhenMinutesPassThenEachInItsMinuteBucket() {
        UsageCounters counters = counters(null, null);
        Principal a = key("key-0000000a");
        counters.forwarded(a);
        counters.forwarded(a);
        counters.limited(a);
        clock.advance(Duration.ofMinutes(1));
        counters.forwarded(a);
        counters.refused("key-0000000a");
        clock.advance(Duration.ofMinutes(1));
        // the slot of the first minute is reused now: its counts move to the pending buckets first
        counters.forwarded(a);
        counters.forwarded(Principal.ofSession(2, "s@example.test", "member", new RoleScopes.Grant(java.util.Set.of(), ""), false));

        assertThat(counters.flush().block()).isEqualTo(3);

        Map<Long, String> written = repository.byMinute("key-0000000a");
        long first = Instant.parse("2026-12-04T10:00:00Z").getEpochSecond() / 60;
        assertThat(written).containsEntry(first, "2/0/1").containsEntry(first + 1, "1/1/0")
                .containsEntry(first + 2, "1/0/0").hasSize(3);
        assertThat(meters.counter("s4e.usage.requests", "outcome", "allowed").count()).isEqualTo(4);
        assertThat(counters.flush().block()).isZero();
    }

    @Test
    void flushWhenWriteFailsThenCountsKeptAndMergedIntoTheNextFlush() {
        UsageCounters counters = counters(null, null);
        Principal a = key("key-0000000a");
        counters.forwarded(a);
        repository.failing.set(true);
        assertThat(counters.flush().block()).isZero();
        assertThat(counters.pendingBuckets()).isEqualTo(1);
        assertThat(meters.counter("s4e.usage.flushes", "result", "failure").count()).isEqualTo(1);

        counters.forwarded(a);
        repository.failing.set(false);
        assertThat(counters.flush().block()).isEqualTo(1);
        assertThat(repository.byMinute("key-0000000a").values()).containsExactly("2/0/0");
        assertThat(counters.pendingBuckets()).isZero();
    }

    @Test
    void pendingWhenBoundReachedThenFurtherBucketsDroppedAndCounted() {
        UsageCounters counters = counters(null, 2);
        repository.failing.set(true);
        for (int i = 0; i < 3; i++) {
            counters.forwarded(key("key-0000000" + i));
            counters.forwarded(key("key-0000000" + i));
        }
        counters.flush().block();
        assertThat(counters.pendingBuckets()).isEqualTo(2);
        assertThat(meters.counter("s4e.usage.dropped", "reason", "max_pending").count()).isEqualTo(2);
    }

    @Test
    void keysWhenBoundReachedThenNotCountedUntilIdleOnesAreForgotten() {
        UsageCounters counters = counters(2, null);
        counters.forwarded(key("key-00000001"));
        counters.forwarded(key("key-00000002"));
        counters.forwarded(key("key-00000003"));
        assertThat(meters.counter("s4e.usage.dropped", "reason", "max_keys").count()).isEqualTo(1);

        counters.flush().block();
        clock.advance(Duration.ofMinutes(3));
        counters.flush().block(); // both keys idle: forgotten
        counters.forwarded(key("key-00000003"));
        counters.flush().block();
        assertThat(repository.byMinute("key-00000003")).hasSize(1);
        assertThat(meters.find("s4e.usage.keys").gauge().value()).isEqualTo(1);
    }

    @Test
    void hotPathWhenKeyAlreadyCountedThenAllocatesNothing() {
        UsageCounters counters = counters(null, null);
        Principal a = key("key-0000000a");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            counters.forwarded(a); // warm-up: counters, adder cells, JIT
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            counters.forwarded(a);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 100,000 counted requests").isLessThan(1024);
    }

    /** A repository that records every batch, or fails while {@link #failing}. */
    static final class Recording extends UsageRepository {

        final AtomicBoolean failing = new AtomicBoolean();
        final List<Map<UsageCounters.Bucket, long[]>> batches = new ArrayList<>();

        Recording() {
            super(null, null);
        }

        @Override
        Mono<Void> add(Map<UsageCounters.Bucket, long[]> batch) {
            if (failing.get()) {
                return Mono.error(new IllegalStateException("PostgreSQL is away"));
            }
            batches.add(new HashMap<>(batch));
            return Mono.empty();
        }

        Map<Long, String> byMinute(String keyId) {
            Map<Long, long[]> sums = new HashMap<>();
            for (Map<UsageCounters.Bucket, long[]> batch : batches) {
                batch.forEach((bucket, counts) -> {
                    if (bucket.keyId().equals(keyId)) {
                        long[] sum = sums.computeIfAbsent(bucket.minute(), m -> new long[3]);
                        for (int i = 0; i < 3; i++) {
                            sum[i] += counts[i];
                        }
                    }
                });
            }
            Map<Long, String> out = new HashMap<>();
            sums.forEach((minute, sum) -> out.put(minute, sum[0] + "/" + sum[1] + "/" + sum[2]));
            return out;
        }
    }

    static final class MovingClock extends Clock {

        private final AtomicLong millis;

        MovingClock(Instant start) {
            this.millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
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
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

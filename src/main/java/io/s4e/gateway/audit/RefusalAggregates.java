package io.s4e.gateway.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The open {@code request.refused} aggregates of this replica (CONTRACT §8). The first refusal of a source (client
 * IP, status, code, principal or key hint, path) opens an aggregate: its event is logged and queued for writing at
 * once, with count 1. Every further refusal of that source within {@code s4e.audit.refusal-window} of the first is
 * one map lookup and one counter increment: no event, no log line, no write. When the window closes (found by a
 * sweep every quarter window, at most every second, or by the next refusal of the source), an aggregate that
 * counted more than one refusal is logged once more and queued again, the same row id with its final count and last
 * time; the writer upserts it. At shutdown every open aggregate is closed that way before the writer drains.
 *
 * <p>No refusal is lost: an increment that races with the close of its aggregate fails and opens the next one; when
 * {@code refusal-max-open} aggregates are open, the refusal of a new source is recorded as a row of its own at once.
 * Each replica writes its own rows, so the refusals of a source across replicas are the sum of {@code count} over
 * its rows.
 */
public final class RefusalAggregates {

    private static final long CLOSED = -1;

    private final ConcurrentHashMap<Source, Aggregate> open = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final Clock clock;
    private final long windowMillis;
    private final int maxOpen;
    private final Consumer<AuditEvent> closed;
    private final Counter refused401;
    private final Counter refused403;
    private final Counter refused429;
    private final Counter refusedOther;
    private final Counter flushed;
    private final Counter overflow;
    private volatile Disposable sweeper;
    private volatile boolean stopped;

    /**
     * @param closed receives the final event of each closed aggregate that counted more than one refusal
     */
    RefusalAggregates(Duration window, int maxOpen, Clock clock, MeterRegistry meters, Consumer<AuditEvent> closed) {
        this.clock = clock;
        this.windowMillis = window.toMillis();
        this.maxOpen = maxOpen;
        this.closed = closed;
        this.refused401 = meters.counter("s4e.audit.refusals", "status", "401");
        this.refused403 = meters.counter("s4e.audit.refusals", "status", "403");
        this.refused429 = meters.counter("s4e.audit.refusals", "status", "429");
        this.refusedOther = meters.counter("s4e.audit.refusals", "status", "other");
        this.flushed = meters.counter("s4e.audit.refusal.aggregates.flushed");
        this.overflow = meters.counter("s4e.audit.refusal.aggregates.overflow");
        meters.gauge("s4e.audit.refusal.aggregates.open", size);
    }

    /** True when refusals are aggregated at all (a positive window). */
    boolean enabled() {
        return windowMillis > 0;
    }

    /**
     * Counts a refusal of {@code source} in its open aggregate.
     *
     * @return true when it was counted; false when the source has no open aggregate, and the caller makes the event
     *         and calls {@link #open}
     */
    boolean add(Source source) {
        switch (source.status()) {
            case 401 -> refused401.increment();
            case 403 -> refused403.increment();
            case 429 -> refused429.increment();
            default -> refusedOther.increment();
        }
        if (windowMillis <= 0) {
            return false;
        }
        Aggregate aggregate = open.get(source);
        if (aggregate == null) {
            return false;
        }
        long now = clock.millis();
        if (now >= aggregate.closesAt) {
            close(source, aggregate);
            return false;
        }
        return aggregate.add(now);
    }

    /**
     * Opens the aggregate of {@code source} with its first event.
     *
     * @return true when {@code event} is to be logged and written now (it opened an aggregate, or it is recorded on
     *         its own); false when another thread opened the source's aggregate meanwhile and this refusal was
     *         counted there
     */
    boolean open(Source source, AuditEvent event) {
        if (windowMillis <= 0 || stopped) {
            return true;
        }
        long now = clock.millis();
        Aggregate fresh = new Aggregate(event, now + windowMillis, now);
        while (true) {
            Aggregate existing = open.get(source);
            if (existing == null) {
                if (size.get() >= maxOpen) {
                    overflow.increment();
                    return true;
                }
                if (open.putIfAbsent(source, fresh) == null) {
                    size.incrementAndGet();
                    return true;
                }
                continue;
            }
            if (now < existing.closesAt && existing.add(now)) {
                return false;
            }
            close(source, existing);
        }
    }

    /** Closes the aggregates whose window has ended, or all of them when {@code all}. */
    void sweep(boolean all) {
        long now = clock.millis();
        for (Map.Entry<Source, Aggregate> entry : open.entrySet()) {
            if (all || now >= entry.getValue().closesAt) {
                close(entry.getKey(), entry.getValue());
            }
        }
    }

    /** Aggregates open now. */
    int size() {
        return size.get();
    }

    private void close(Source source, Aggregate aggregate) {
        if (open.remove(source, aggregate)) {
            size.decrementAndGet();
        }
        long count = aggregate.count.getAndSet(CLOSED);
        if (count > 1) {
            flushed.increment();
            closed.accept(aggregate.first.counted(count, Instant.ofEpochMilli(aggregate.lastMillis)));
        }
    }

    /** Starts the sweep: every quarter window, at least every second, at most every 10 ms. */
    void start() {
        stopped = false;
        if (windowMillis <= 0 || sweeper != null) {
            return;
        }
        Duration every = Duration.ofMillis(Math.max(10, Math.min(1000, windowMillis / 4)));
        sweeper = Flux.interval(every, every).subscribe(tick -> sweep(false));
    }

    /** Stops the sweep and closes every open aggregate; later refusals are recorded one row each. */
    void stop() {
        stopped = true;
        Disposable current = sweeper;
        sweeper = null;
        if (current != null) {
            current.dispose();
        }
        sweep(true);
    }

    /** What makes two refusals the same source. */
    record Source(String clientIp, int status, String code, Long userId, String keyId, String keyHint, String path) {
    }

    private static final class Aggregate {

        final AuditEvent first;
        final long closesAt;
        final AtomicLong count = new AtomicLong(1);
        volatile long lastMillis;

        Aggregate(AuditEvent first, long closesAt, long now) {
            this.first = first;
            this.closesAt = closesAt;
            this.lastMillis = now;
        }

        /** Counts one more refusal at {@code now}; false when the aggregate was closed meanwhile. */
        boolean add(long now) {
            // the time first: a close that sees this increment also sees it
            if (now > lastMillis) {
                lastMillis = now;
            }
            while (true) {
                long current = count.get();
                if (current == CLOSED) {
                    return false;
                }
                if (count.compareAndSet(current, current + 1)) {
                    return true;
                }
            }
        }
    }
}

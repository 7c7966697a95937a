package io.s4e.gateway.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.s4e.gateway.principal.Authentication;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.RefusalListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The requests of each API key per minute, counted by this replica in memory and added to PostgreSQL in batches
 * (CONTRACT §12): never a store round trip, a lock or an allocation per request.
 * <p>
 * A request is one map lookup (the key id the principal already holds), a volatile read of the minute of one of the
 * key's two slots (one for even, one for odd minutes) and a {@link LongAdder} increment, plus one Micrometer counter
 * increment. Only the first request of a key in a new minute takes the key's monitor, to hand the counts of the
 * slot's old minute over to the pending buckets; the first request of a key not counted yet allocates its counters.
 * <p>
 * Every {@code s4e.usage.flush-interval} (and at shutdown) the slots are drained into pending (key, minute) buckets,
 * which are added to {@code usage_minutes} and {@code usage_hours} in one statement. A failed statement (PostgreSQL
 * down) puts its buckets back, merged with the newer ones, for the next flush; at most {@code max-pending} buckets
 * wait, and what does not fit is dropped and counted in {@code s4e.usage.dropped}. Keys idle for two minutes are
 * forgotten (drained once more at the next flush), so at most {@code max-keys} keys are held.
 */
@Component
public class UsageCounters implements SmartLifecycle, RefusalListener {

    static final int ALLOWED = 0;
    static final int REFUSED = 1;
    static final int LIMITED = 2;

    private static final Logger log = LoggerFactory.getLogger(UsageCounters.class);
    private static final long MINUTE = 60_000L;
    /** The envelope codes of refusals (401, 403, 429), each a label value of {@code s4e.security.refusals}. */
    static final List<String> REFUSAL_CODES = List.of("unauthorized", "token_expired", "forbidden", "mfa_required",
            "rate_limited");

    private final UsageRepository repository;
    private final Clock clock;
    private final boolean enabled;
    private final Duration interval;
    private final int maxKeys;
    private final int maxPending;
    private final ConcurrentHashMap<String, KeyCounters> keys = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    /** Retired counters, drained once more at the next flush in case a request still held them. */
    private final List<KeyCounters> retiring = new ArrayList<>();
    /** Buckets to be written, guarded by itself. */
    private final Map<Bucket, long[]> pending = new HashMap<>();
    private final AtomicInteger pendingSize = new AtomicInteger();
    /** Buckets of the flush being written. */
    private final AtomicInteger writing = new AtomicInteger();
    private final Counter[] outcomes = new Counter[3];
    private final Counter droppedKeys;
    private final Counter droppedPending;
    private final Counter flushes;
    private final Counter flushFailures;
    private final Counter flushedBuckets;
    private final Map<String, Counter> refusalsByCode = new HashMap<>();
    private final Counter refusalsOther;
    private volatile Disposable schedule;

    @Autowired
    public UsageCounters(UsageRepository repository, UsageProperties properties, Clock clock, MeterRegistry meters) {
        this.repository = repository;
        this.clock = clock;
        this.enabled = properties.enabled();
        this.interval = properties.flushInterval();
        this.maxKeys = properties.maxKeys();
        this.maxPending = properties.maxPending();
        outcomes[ALLOWED] = meters.counter("s4e.usage.requests", "outcome", "allowed");
        outcomes[REFUSED] = meters.counter("s4e.usage.requests", "outcome", "refused");
        outcomes[LIMITED] = meters.counter("s4e.usage.requests", "outcome", "limited");
        droppedKeys = meters.counter("s4e.usage.dropped", "reason", "max_keys");
        droppedPending = meters.counter("s4e.usage.dropped", "reason", "max_pending");
        flushes = meters.counter("s4e.usage.flushes", "result", "success");
        flushFailures = meters.counter("s4e.usage.flushes", "result", "failure");
        flushedBuckets = meters.counter("s4e.usage.flushed.buckets");
        for (String code : REFUSAL_CODES) {
            refusalsByCode.put(code, meters.counter("s4e.security.refusals", "code", code));
        }
        refusalsOther = meters.counter("s4e.security.refusals", "code", "other");
        meters.gauge("s4e.usage.pending.buckets", this, UsageCounters::pendingBuckets);
        meters.gauge("s4e.usage.keys", tracked);
    }

    /** Counters that count nothing (for filters built without a Spring context). */
    public static UsageCounters disabled() {
        return new UsageCounters(null, new UsageProperties(false, null, null, null, null, null, null),
                Clock.systemUTC(), new SimpleMeterRegistry());
    }

    /** A request of {@code principal} was forwarded after authentication: counted when it is an API key. */
    public void forwarded(Principal principal) {
        if (principal != null && principal.keyId() != null) {
            add(principal.keyId(), ALLOWED);
        }
    }

    /** A request of {@code principal} was refused by a rate or concurrency limit (429). */
    public void limited(Principal principal) {
        if (principal != null && principal.keyId() != null) {
            add(principal.keyId(), LIMITED);
        }
    }

    /** A request presenting the known key {@code keyId} was refused (401 or 403). */
    public void refused(String keyId) {
        if (keyId != null) {
            add(keyId, REFUSED);
        }
    }

    /**
     * Every refusal (401, 403, 429) as its envelope is written: counted by code; a 403 of a known key counted as
     * refused for the key, a 429 of a forwarded request whose principal step named a key as limited for it (a 401
     * of a known key, expired or rotated out, is counted where the key is checked).
     */
    @Override
    public void refused(ServerWebExchange exchange, int status, String code) {
        Counter counter = refusalsByCode.get(code);
        (counter == null ? refusalsOther : counter).increment();
        if (status == 429) {
            // set by the principal step of forwarded routes only, before the rate limits: a refused-key block or
            // a login throttle has none
            limited((Principal) exchange.getAttribute(GatewayAttributes.PRINCIPAL));
        }
        if (status == 403) {
            Principal principal = exchange.getAttribute(GatewayAttributes.PRINCIPAL);
            if (principal == null) {
                principal = resolvedPrincipal(exchange);
            }
            if (principal != null) {
                refused(principal.keyId());
            }
        }
    }

    /** The principal of a 403's credential when it is resolved by then; never starts a resolution. */
    private static Principal resolvedPrincipal(ServerWebExchange exchange) {
        Authentication authentication = exchange.getAttribute(GatewayAttributes.AUTHENTICATION);
        return authentication == null ? null : authentication.principalIfKnown();
    }

    private void add(String keyId, int outcome) {
        if (!enabled) {
            return;
        }
        outcomes[outcome].increment();
        long minute = clock.millis() / MINUTE;
        while (true) {
            KeyCounters counters = keys.get(keyId);
            if (counters == null) {
                counters = track(keyId);
                if (counters == null) {
                    droppedKeys.increment();
                    return;
                }
            }
            if (counters.add(minute, outcome)) {
                return;
            }
            // retired meanwhile: forget it here too, without waiting for the drain to (an event loop must never
            // spin on another thread's progress), and count in its successor
            keys.remove(keyId, counters);
        }
    }

    private KeyCounters track(String keyId) {
        if (tracked.get() >= maxKeys) {
            return null;
        }
        KeyCounters fresh = new KeyCounters(keyId);
        KeyCounters existing = keys.putIfAbsent(keyId, fresh);
        if (existing != null) {
            return existing;
        }
        tracked.incrementAndGet();
        return fresh;
    }

    /** Adds counts of a (key, minute) bucket to the pending ones; drops and counts them when too many wait. */
    private void park(String keyId, long minute, long allowed, long refused, long limited) {
        if (allowed == 0 && refused == 0 && limited == 0) {
            return;
        }
        synchronized (pending) {
            Bucket bucket = new Bucket(keyId, minute);
            long[] counts = pending.get(bucket);
            if (counts == null) {
                if (pending.size() >= maxPending) {
                    droppedPending.increment(allowed + refused + limited);
                    return;
                }
                counts = new long[3];
                pending.put(bucket, counts);
                pendingSize.set(pending.size());
            }
            counts[ALLOWED] += allowed;
            counts[REFUSED] += refused;
            counts[LIMITED] += limited;
        }
    }

    /** Moves every count into the pending buckets and forgets keys idle for two minutes. */
    private void drain() {
        long now = clock.millis() / MINUTE;
        List<KeyCounters> stragglers;
        synchronized (retiring) {
            stragglers = new ArrayList<>(retiring);
            retiring.clear();
        }
        for (KeyCounters counters : stragglers) {
            counters.drain(now, false);
        }
        for (KeyCounters counters : keys.values()) {
            if (counters.drain(now, true)) {
                keys.remove(counters.keyId, counters);
                tracked.decrementAndGet();
                synchronized (retiring) {
                    retiring.add(counters);
                }
            }
        }
    }

    private Map<Bucket, long[]> takePending() {
        synchronized (pending) {
            Map<Bucket, long[]> batch = new HashMap<>(pending);
            pending.clear();
            pendingSize.set(0);
            return batch;
        }
    }

    /**
     * Drains the counters and adds every pending bucket to PostgreSQL in one statement.
     *
     * @return the number of buckets written; never fails: a failed batch stays pending
     */
    public Mono<Integer> flush() {
        if (!enabled) {
            return Mono.just(0);
        }
        return Mono.defer(() -> {
            drain();
            Map<Bucket, long[]> batch = takePending();
            if (batch.isEmpty()) {
                return Mono.just(0);
            }
            writing.addAndGet(batch.size());
            return repository.add(batch)
                    .then(Mono.fromSupplier(() -> {
                        flushes.increment();
                        flushedBuckets.increment(batch.size());
                        return batch.size();
                    }))
                    .onErrorResume(failure -> {
                        flushFailures.increment();
                        log.warn("Could not write the usage of {} key minutes; keeping them for the next flush: {}",
                                batch.size(), failure.toString());
                        batch.forEach((bucket, counts) -> park(bucket.keyId(), bucket.minute(), counts[ALLOWED],
                                counts[REFUSED], counts[LIMITED]));
                        return Mono.just(0);
                    })
                    .doFinally(signal -> writing.addAndGet(-batch.size()));
        });
    }

    /** Buckets waiting to be written, or being written. */
    int pendingBuckets() {
        return pendingSize.get() + writing.get();
    }

    @Override
    public void start() {
        if (!enabled || schedule != null) {
            return;
        }
        schedule = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(tick -> flush(), 1)
                .subscribe();
    }

    @Override
    public void stop(Runnable callback) {
        Disposable current = schedule;
        schedule = null;
        if (current != null) {
            current.dispose();
        }
        if (!enabled) {
            callback.run();
            return;
        }
        flush().timeout(Duration.ofSeconds(5))
                .onErrorResume(failure -> Mono.just(0))
                .doFinally(signal -> callback.run())
                .subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return schedule != null;
    }

    @Override
    public int getPhase() {
        // stopped after the web server (which drains in-flight requests first), before the connection pools close
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /** A key and a minute (Unix minutes). */
    record Bucket(String keyId, long minute) {
    }

    /** The counts of one key: two slots, for even and odd minutes. */
    private final class KeyCounters {

        final String keyId;
        final Slot[] slots = {new Slot(), new Slot()};
        private boolean retired;

        KeyCounters(String keyId) {
            this.keyId = keyId;
        }

        /** Counts one request; false when these counters were retired (the caller counts in new ones). */
        boolean add(long minute, int outcome) {
            Slot slot = slots[(int) (minute & 1)];
            if (slot.minute != minute) {
                slot = advance(minute);
                if (slot == null) {
                    return false;
                }
            }
            slot.counts[outcome].increment();
            return true;
        }

        /** The slot of {@code minute}, after handing the counts of its previous minute over; null when retired. */
        private synchronized Slot advance(long minute) {
            if (retired) {
                return null;
            }
            Slot slot = slots[(int) (minute & 1)];
            if (slot.minute != minute) {
                drainSlot(slot);
                slot.minute = minute;
            }
            return slot;
        }

        /** Moves the counts of {@code slot} into the pending bucket of its minute; the sum of them. */
        private long drainSlot(Slot slot) {
            long allowed = slot.counts[ALLOWED].sumThenReset();
            long refused = slot.counts[REFUSED].sumThenReset();
            long limited = slot.counts[LIMITED].sumThenReset();
            if (slot.minute >= 0) {
                park(keyId, slot.minute, allowed, refused, limited);
            }
            return allowed + refused + limited;
        }

        /**
         * Moves the counts of both slots into the pending buckets.
         *
         * @param retire retire the counters when both slots are older than the previous minute and were empty
         * @return true when retired
         */
        synchronized boolean drain(long now, boolean retire) {
            boolean idle = true;
            for (Slot slot : slots) {
                long counted = drainSlot(slot);
                if (slot.minute >= now - 1 || counted > 0) {
                    idle = false;
                }
            }
            if (retire && idle) {
                retired = true;
                return true;
            }
            return false;
        }
    }

    private static final class Slot {

        volatile long minute = -1;
        final LongAdder[] counts = {new LongAdder(), new LongAdder(), new LongAdder()};
    }
}

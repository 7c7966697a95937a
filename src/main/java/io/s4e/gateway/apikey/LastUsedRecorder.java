package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.reactive.PeriodicJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code last_used} to the minute without a database write per request: uses are noted in memory (at most
 * once a minute per key) and written in one batched statement every {@code last-used-flush-interval}, and once more
 * on graceful shutdown. A failed batch is kept for the next one.
 */
@Component
public class LastUsedRecorder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LastUsedRecorder.class);

    private final ApiKeyRepository repository;
    private final Clock clock;
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastNoted = new ConcurrentHashMap<>();
    private final PeriodicJob flushes;

    public LastUsedRecorder(ApiKeyRepository repository, ApiKeyProperties properties, Clock clock,
                            MeterRegistry meters) {
        this.repository = repository;
        this.clock = clock;
        this.flushes = new PeriodicJob(properties.lastUsedFlushInterval(), this::flush,
                failure -> log.warn("Could not write last_used of keys; trying again: {}", failure.toString()));
        meters.gaugeMapSize("s4e.apikey.last_used.pending", java.util.List.of(), pending);
    }

    /** Notes a use of key {@code keyId} now; cheap, never touches the database. */
    void record(String keyId) {
        Instant minute = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        if (minute.equals(lastNoted.get(keyId))) {
            return;
        }
        lastNoted.put(keyId, minute);
        pending.merge(keyId, minute, (a, b) -> a.isAfter(b) ? a : b);
    }

    /**
     * Writes every noted use in one batch.
     *
     * @return the number of keys written; never fails: a failed batch stays pending
     */
    public Mono<Long> flush() {
        return Mono.defer(() -> {
            Map<String, Instant> batch = drain();
            if (batch.isEmpty()) {
                return Mono.just(0L);
            }
            return repository.touchLastUsed(batch)
                    .onErrorResume(failure -> {
                        log.warn("Could not write last_used for {} keys; keeping them for the next batch: {}",
                                batch.size(), failure.toString());
                        batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
                        return Mono.just(0L);
                    });
        });
    }

    private Map<String, Instant> drain() {
        Map<String, Instant> batch = new HashMap<>();
        for (String id : pending.keySet()) {
            Instant at = pending.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        }
        Instant stale = clock.instant().minus(Duration.ofMinutes(2));
        lastNoted.values().removeIf(at -> at.isBefore(stale));
        return batch;
    }

    @Override
    public void start() {
        flushes.start();
    }

    /** Stops the flushes, then writes what is still noted (within 5 s) before {@code callback}. */
    @Override
    public void stop(Runnable callback) {
        flushes.stopAfterOneMoreRun(Duration.ofSeconds(5), callback);
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return flushes.isRunning();
    }

    @Override
    public int getPhase() {
        // stopped after the web server (which drains in-flight requests first)
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }
}

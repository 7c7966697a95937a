package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
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
    private final Duration interval;
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastNoted = new ConcurrentHashMap<>();
    private volatile Disposable schedule;

    public LastUsedRecorder(ApiKeyRepository repository, ApiKeyProperties properties, Clock clock,
                            MeterRegistry meters) {
        this.repository = repository;
        this.clock = clock;
        this.interval = properties.lastUsedFlushInterval();
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
        schedule = Flux.interval(interval, interval)
                .concatMap(tick -> flush())
                .subscribe();
    }

    @Override
    public void stop(Runnable callback) {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
        flush().timeout(Duration.ofSeconds(5))
                .onErrorComplete()
                .doFinally(signal -> callback.run())
                .subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        Disposable current = schedule;
        return current != null && !current.isDisposed();
    }

    @Override
    public int getPhase() {
        // stopped after the web server (which drains in-flight requests first)
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }
}

package io.s4e.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.reactive.PeriodicJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps each session's {@code last_seen_at} (CONTRACT §10) without a Redis write per request: a request on a session
 * only notes the second in this replica's memory; every {@code s4e.accounts.last-seen-flush-interval} (default 60 s)
 * the noted sessions are written, one conditional HSET per session (never re-creating an ended session), and once
 * more on graceful shutdown. So each replica writes a session at most once per interval, and the stored value lags
 * the last use by at most one interval (plus a flush's duration); the session list of a replica adds its own
 * not-yet-written notes, so a user sees the current request at once. A failed flush keeps its notes for the next.
 */
@Component
public class SessionLastSeen implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SessionLastSeen.class);

    private final SessionStore store;
    private final Clock clock;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Counter writes;
    private final PeriodicJob flushes;

    public SessionLastSeen(SessionStore store, Clock clock, MeterRegistry meters,
                           @Value("${s4e.accounts.last-seen-flush-interval:60s}") Duration interval) {
        this.store = store;
        this.clock = clock;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("s4e.accounts.last-seen-flush-interval must be positive, not "
                    + interval);
        }
        this.flushes = new PeriodicJob(interval, this::flush,
                failure -> log.warn("Could not write last_seen_at of sessions; trying again: {}", failure.toString()));
        meters.gaugeMapSize("s4e.sessions.last_seen.pending", List.of(), pending);
        this.writes = Counter.builder("s4e.sessions.last_seen.writes")
                .description("Sessions whose last_seen_at was written to Redis by the batched flush")
                .register(meters);
    }

    /** Notes a use of session {@code sid} now; cheap, never touches Redis. */
    void touch(String sid) {
        long now = clock.millis() / 1000;
        Long noted = pending.get(sid);
        if (noted == null || noted < now) {
            pending.merge(sid, now, Math::max);
        }
    }

    /** The use of {@code sid} noted here and not yet written, or null. */
    public Instant pending(String sid) {
        Long noted = pending.get(sid);
        return noted == null ? null : Instant.ofEpochSecond(noted);
    }

    /**
     * Writes every noted use.
     *
     * @return the number of sessions written; never fails: what could not be written stays noted
     */
    public Mono<Long> flush() {
        return Mono.defer(() -> {
            Map<String, Long> batch = drain();
            if (batch.isEmpty()) {
                return Mono.just(0L);
            }
            return Flux.fromIterable(batch.entrySet())
                    .flatMap(seen -> store.lastSeen(seen.getKey(), Instant.ofEpochSecond(seen.getValue()))
                            .onErrorResume(failure -> {
                                pending.merge(seen.getKey(), seen.getValue(), Math::max);
                                return Mono.just(false);
                            }), 16)
                    .filter(Boolean::booleanValue)
                    .count()
                    .doOnNext(writes::increment)
                    .doOnNext(written -> {
                        if (written < batch.size() && !pending.isEmpty()) {
                            log.debug("last_seen_at of some sessions could not be written; kept for the next flush");
                        }
                    });
        });
    }

    private Map<String, Long> drain() {
        Map<String, Long> batch = new HashMap<>();
        for (String sid : pending.keySet()) {
            Long at = pending.remove(sid);
            if (at != null) {
                batch.put(sid, at);
            }
        }
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

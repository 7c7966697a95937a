package io.s4e.gateway.audit;

import java.time.Clock;
import java.time.Instant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes audit events older than {@code s4e.audit.retention} every {@code retention-interval}, in DELETEs of at
 * most {@code retention-batch-size} rows, one after the other, so no statement holds many locks or runs long. A
 * failed run is logged and tried again at the next interval. Replicas may run it at the same time; that only costs
 * a few empty deletes.
 */
@Component
public class AuditRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final AuditRepository repository;
    private final AuditProperties properties;
    private final Clock clock;
    private final Counter deleted;
    private volatile Disposable schedule;

    public AuditRetention(AuditRepository repository, AuditProperties properties, Clock clock, MeterRegistry meters) {
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
        this.deleted = meters.counter("s4e.audit.retention.deleted");
    }

    /**
     * Deletes every event older than the retention, batch by batch.
     *
     * @return the number deleted
     */
    public Mono<Long> run() {
        Instant cutoff = clock.instant().minus(properties.retention());
        int batch = properties.retentionBatchSize();
        return repository.deleteOlderThan(cutoff, batch)
                .expand(count -> count >= batch ? repository.deleteOlderThan(cutoff, batch) : Mono.empty())
                .reduce(0L, Long::sum)
                .doOnNext(count -> {
                    deleted.increment(count);
                    if (count > 0) {
                        log.info("Deleted {} audit events older than {}", count, cutoff);
                    }
                });
    }

    @Override
    public void start() {
        schedule = Flux.interval(properties.retentionInterval(), properties.retentionInterval())
                .onBackpressureDrop()
                .concatMap(tick -> run().onErrorResume(failure -> {
                    log.warn("Audit retention failed; trying again in {}: {}", properties.retentionInterval(),
                            failure.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable current = schedule;
        return current != null && !current.isDisposed();
    }
}

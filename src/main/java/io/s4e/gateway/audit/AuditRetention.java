package io.s4e.gateway.audit;

import java.time.Clock;
import java.time.Instant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.reactive.PeriodicJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private final PeriodicJob runs;

    public AuditRetention(AuditRepository repository, AuditProperties properties, Clock clock, MeterRegistry meters) {
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
        this.deleted = meters.counter("s4e.audit.retention.deleted");
        this.runs = new PeriodicJob(properties.retentionInterval(), this::run, failure -> log.warn(
                "Audit retention failed; trying again in {}: {}", properties.retentionInterval(), failure.toString()));
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
        runs.start();
    }

    @Override
    public void stop() {
        runs.stop();
    }

    @Override
    public boolean isRunning() {
        return runs.isRunning();
    }
}

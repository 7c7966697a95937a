package io.s4e.gateway.usage;

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
 * Deletes minute buckets older than {@code s4e.usage.minute-retention} and hour buckets older than
 * {@code s4e.usage.retention} every {@code s4e.usage.retention-interval}. Idempotent: replicas may run it at the same
 * time, which only costs an empty delete. A failed run is logged and tried again at the next interval.
 */
@Component
public class UsageRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageRetention.class);

    private final UsageRepository repository;
    private final UsageProperties properties;
    private final Clock clock;
    private final Counter deleted;
    private final PeriodicJob runs;

    public UsageRetention(UsageRepository repository, UsageProperties properties, Clock clock, MeterRegistry meters) {
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
        this.deleted = meters.counter("s4e.usage.retention.deleted");
        this.runs = new PeriodicJob(properties.retentionInterval(), this::run, failure -> log.warn(
                "Usage retention failed; trying again in {}: {}", properties.retentionInterval(), failure.toString()));
    }

    /**
     * Deletes every bucket past its retention.
     *
     * @return the number of rows deleted
     */
    public Mono<Long> run() {
        return Mono.defer(() -> {
            Instant now = clock.instant();
            return repository.deleteOlderThan(now.minus(properties.minuteRetention()), now.minus(properties.retention()))
                    .doOnNext(count -> {
                        deleted.increment(count);
                        if (count > 0) {
                            log.info("Deleted {} usage buckets past their retention", count);
                        }
                    });
        });
    }

    @Override
    public void start() {
        if (properties.enabled()) {
            runs.start();
        }
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

package io.s4e.gateway.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Writes audit events to PostgreSQL without ever making a request wait. Events go into a bounded in-memory queue
 * (lock-free); one drain at a time takes them in batches of at most {@code batch-size}, in order, and writes each
 * batch with one multi-row INSERT. A drain starts when {@code batch-size} events are queued, or every
 * {@code flush-interval}. A failed batch (PostgreSQL away, or slower than {@code write-timeout}) is retried with
 * exponential backoff, without end while the gateway runs; meanwhile new events wait behind it, in order.
 *
 * <p>Overflow policy: when {@code queue-capacity} events are waiting, each new event drops the oldest waiting one
 * (the most recent events are the most useful during an incident, and memory stays bounded); drops are counted
 * ({@code s4e.audit.dropped{reason=overflow}}) and logged at most once per 10 s. On graceful shutdown (after the web
 * server has finished its requests, before the connection pool closes) the queue is written within
 * {@code shutdown-timeout}; what cannot be written by then is counted ({@code reason=shutdown}) and logged.
 */
@Component
public class AuditWriter implements SmartLifecycle {

    /** Stopped after the web server has finished its requests, before the connection pool is closed. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    private static final Logger log = LoggerFactory.getLogger(AuditWriter.class);
    private static final long WARN_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final AuditRepository repository;
    private final AuditProperties properties;
    private final ConcurrentLinkedQueue<AuditEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong lastOverflowWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
    private final AtomicLong lastFailureWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
    private final Counter written;
    private final Counter overflowDropped;
    private final Counter shutdownDropped;
    private final Counter failures;
    private final Counter retries;
    private volatile boolean running;
    private volatile boolean abandoned;
    private volatile Disposable ticker;

    public AuditWriter(AuditRepository repository, AuditProperties properties, MeterRegistry meters) {
        this.repository = repository;
        this.properties = properties;
        meters.gauge("s4e.audit.queue.depth", depth);
        this.written = meters.counter("s4e.audit.written");
        this.overflowDropped = meters.counter("s4e.audit.dropped", "reason", "overflow");
        this.shutdownDropped = meters.counter("s4e.audit.dropped", "reason", "shutdown");
        this.failures = meters.counter("s4e.audit.write.failures");
        this.retries = meters.counter("s4e.audit.write.retries");
    }

    /** Queues {@code event}; cheap and lock-free. When the queue is full, the oldest waiting event is dropped. */
    void offer(AuditEvent event) {
        queue.add(event);
        if (depth.incrementAndGet() > properties.queueCapacity()) {
            if (queue.poll() != null) {
                depth.decrementAndGet();
                overflowDropped.increment();
                warnRarely(lastOverflowWarning, "The audit queue is full ({} events); dropping the oldest. Dropped "
                        + "so far: {}", properties.queueCapacity(), (long) overflowDropped.count());
            }
        }
        if (depth.get() >= properties.batchSize()) {
            drain();
        }
    }

    /** Events waiting to be written (the in-flight batch not included). */
    public int depth() {
        return depth.get();
    }

    /** Starts a drain unless one is running; it writes batches until the queue is empty. */
    void drain() {
        if (!running || !draining.compareAndSet(false, true)) {
            return;
        }
        drainAll().subscribe(done -> { }, failure -> {
            log.error("The audit writer stopped unexpectedly; it restarts with the next event", failure);
            draining.set(false);
        }, () -> {
            draining.set(false);
            if (running && depth.get() >= properties.batchSize()) {
                drain();
            }
        });
    }

    private Mono<Void> drainAll() {
        return Mono.defer(() -> {
            List<AuditEvent> batch = take();
            if (batch.isEmpty()) {
                return Mono.empty();
            }
            return write(batch).then(drainAll());
        });
    }

    private List<AuditEvent> take() {
        int max = properties.batchSize();
        List<AuditEvent> batch = new ArrayList<>(Math.min(max, Math.max(depth.get(), 1)));
        while (batch.size() < max) {
            AuditEvent event = queue.poll();
            if (event == null) {
                break;
            }
            depth.decrementAndGet();
            batch.add(event);
        }
        return batch;
    }

    /** Writes one batch, retrying with backoff until it is stored or the writer is abandoned at shutdown. */
    private Mono<Void> write(List<AuditEvent> batch) {
        return Mono.defer(() -> repository.insert(batch))
                .timeout(properties.writeTimeout())
                .doOnError(failure -> {
                    failures.increment();
                    warnRarely(lastFailureWarning, "Could not write {} audit events; retrying with backoff, {} more "
                            + "waiting: {}", batch.size(), depth.get(), failure.toString());
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, properties.retryInitialBackoff())
                        .maxBackoff(properties.retryMaxBackoff())
                        .filter(failure -> !abandoned)
                        .doBeforeRetry(signal -> retries.increment()))
                .doOnSuccess(rows -> written.increment(batch.size()))
                .onErrorResume(failure -> {
                    shutdownDropped.increment(batch.size());
                    log.error("Gave up writing {} audit events at shutdown: {}", batch.size(), failure.toString());
                    return Mono.empty();
                })
                .then();
    }

    private static void warnRarely(AtomicLong last, String message, Object... arguments) {
        long now = System.nanoTime();
        long previous = last.get();
        if (now - previous >= WARN_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
            log.warn(message, arguments);
        }
    }

    @Override
    public void start() {
        running = true;
        abandoned = false;
        ticker = Flux.interval(properties.flushInterval(), properties.flushInterval())
                .subscribe(tick -> drain());
    }

    /**
     * Writes what is queued, waiting at most {@code shutdown-timeout} (without blocking a thread), then reports what
     * could not be written.
     */
    @Override
    public void stop(Runnable callback) {
        Disposable current = ticker;
        if (current != null) {
            current.dispose();
        }
        Flux.interval(Duration.ZERO, Duration.ofMillis(20))
                .doOnNext(tick -> drain())
                .takeUntil(tick -> depth.get() == 0 && !draining.get())
                .then()
                .timeout(properties.shutdownTimeout())
                .onErrorResume(timeout -> {
                    abandoned = true;
                    int left = depth.getAndSet(0);
                    queue.clear();
                    if (left > 0) {
                        shutdownDropped.increment(left);
                        log.error("{} audit events could not be written before shutdown", left);
                    }
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    running = false;
                    callback.run();
                })
                .subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}

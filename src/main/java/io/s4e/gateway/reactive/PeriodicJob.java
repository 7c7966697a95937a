package io.s4e.gateway.reactive;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A job this replica runs every {@code interval} between the start and the stop of its owner's lifecycle (a
 * {@code SmartLifecycle} delegates {@code start}, {@code stop} and {@code isRunning} here). Runs never overlap: a
 * tick that comes while a run is still going is dropped. A failed run is handed to {@code onFailure} and the job
 * goes on at the next tick.
 */
public final class PeriodicJob {

    private final Duration interval;
    private final Supplier<? extends Mono<?>> run;
    private final Consumer<Throwable> onFailure;
    private volatile Disposable schedule;

    /**
     * @param interval  the time before the first run and between two ticks; positive
     * @param run       one run of the job, made anew for each tick
     * @param onFailure what to do with a run's failure (log it); must not throw
     */
    public PeriodicJob(Duration interval, Supplier<? extends Mono<?>> run, Consumer<Throwable> onFailure) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("A periodic job's interval must be positive, not " + interval);
        }
        this.interval = interval;
        this.run = run;
        this.onFailure = onFailure;
    }

    /** Starts the ticks; does nothing while they run. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        schedule = Flux.interval(interval, interval)
                .onBackpressureDrop()
                .concatMap(tick -> runOnce(), 1)
                .subscribe();
    }

    /** Stops the ticks; a run under way is cancelled. */
    public void stop() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
    }

    /**
     * Stops the ticks, then runs the job once more (for a job that writes out what it gathered, so nothing is lost
     * on a graceful shutdown), and calls {@code callback} when that run ended, failed or took longer than
     * {@code timeout}.
     */
    public void stopAfterOneMoreRun(Duration timeout, Runnable callback) {
        stop();
        runOnce().timeout(timeout)
                .onErrorComplete()
                .doFinally(signal -> callback.run())
                .subscribe();
    }

    /** Whether the ticks run. */
    public boolean isRunning() {
        Disposable current = schedule;
        return current != null && !current.isDisposed();
    }

    private Mono<Void> runOnce() {
        return Mono.defer(run::get)
                .then()
                .onErrorResume(failure -> {
                    onFailure.accept(failure);
                    return Mono.empty();
                });
    }
}

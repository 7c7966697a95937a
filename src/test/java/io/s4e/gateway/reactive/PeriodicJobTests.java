package io.s4e.gateway.reactive;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PeriodicJobTests {

    private static final Duration TICK = Duration.ofMillis(20);

    private final AtomicInteger runs = new AtomicInteger();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Test
    void startRunsTheJobEveryIntervalUntilStopped() {
        PeriodicJob job = new PeriodicJob(TICK, () -> Mono.fromRunnable(runs::incrementAndGet), failures::add);

        assertThat(job.isRunning()).isFalse();
        job.start();
        assertThat(job.isRunning()).isTrue();
        eventually(() -> runs.get() >= 3);
        job.stop();

        assertThat(job.isRunning()).isFalse();
        int stoppedAt = runs.get();
        sleep(TICK.multipliedBy(5));
        assertThat(runs).hasValue(stoppedAt);
        assertThat(failures).isEmpty();
    }

    @Test
    void startWhileRunningDoesNotStartASecondSchedule() {
        PeriodicJob job = new PeriodicJob(Duration.ofMillis(200), () -> Mono.fromRunnable(runs::incrementAndGet),
                failures::add);

        job.start();
        job.start();
        sleep(Duration.ofMillis(300));
        job.stop();

        assertThat(runs).hasValue(1);
    }

    @Test
    void aFailedRunIsHandedOverAndTheJobGoesOn() {
        PeriodicJob job = new PeriodicJob(TICK, () -> runs.incrementAndGet() == 1
                ? Mono.error(new IllegalStateException("store down")) : Mono.empty(), failures::add);

        job.start();
        eventually(() -> runs.get() >= 3);
        job.stop();

        assertThat(failures).singleElement().satisfies(f -> assertThat(f).hasMessage("store down"));
    }

    @Test
    void runsNeverOverlap() {
        Sinks.One<Void> slow = Sinks.one();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        PeriodicJob job = new PeriodicJob(TICK, () -> Mono.defer(() -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return runs.incrementAndGet() == 1 ? slow.asMono() : Mono.<Void>empty();
        }).doOnTerminate(inFlight::decrementAndGet), failures::add);

        job.start();
        sleep(TICK.multipliedBy(10)); // ticks while the first run is still going
        slow.tryEmitEmpty();
        eventually(() -> runs.get() >= 3);
        job.stop();

        assertThat(mostInFlight).hasValue(1);
    }

    @Test
    void stopAfterOneMoreRunRunsOnceMoreThenCallsBack() throws InterruptedException {
        PeriodicJob job = new PeriodicJob(Duration.ofHours(1), () -> Mono.fromRunnable(runs::incrementAndGet),
                failures::add);
        job.start();
        CountDownLatch stopped = new CountDownLatch(1);

        job.stopAfterOneMoreRun(Duration.ofSeconds(5), stopped::countDown);

        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(runs).hasValue(1);
        assertThat(job.isRunning()).isFalse();
    }

    @Test
    void stopAfterOneMoreRunCallsBackWhenTheRunTakesTooLong() throws InterruptedException {
        PeriodicJob job = new PeriodicJob(Duration.ofHours(1), Mono::never, failures::add);
        CountDownLatch stopped = new CountDownLatch(1);

        job.stopAfterOneMoreRun(Duration.ofMillis(50), stopped::countDown);

        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anIntervalMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PeriodicJob(Duration.ZERO, Mono::empty, f -> { }));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PeriodicJob(Duration.ofSeconds(-1), Mono::empty, f -> { }));
    }

    private static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 5 s").isLessThan(deadline);
            sleep(Duration.ofMillis(5));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

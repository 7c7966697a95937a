package io.s4e.gateway;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** BlockHound is installed in the test JVM, so a blocking call on a non-blocking thread fails the test that made it. */
class BlockHoundActiveTests {

    @Test
    void sleepWhenOnParallelSchedulerThenBlockingOperationError() {
        Mono<Void> blocking = Mono.<Void>fromRunnable(() -> {
                    try {
                        Thread.sleep(1);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .subscribeOn(Schedulers.parallel());
        StepVerifier.create(blocking)
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(5));
    }
}

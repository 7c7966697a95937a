package io.s4e.gateway.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/** The request id reaches the MDC exactly around the gateway's own log lines, on whatever thread writes them. */
class RequestIdLogContextTests {

    @Test
    void logOnErrorWhenFailureArrivesOnAnotherThreadThenLineSeesTheSubscribersRequestId() {
        List<String> seen = new ArrayList<>();
        AtomicReference<String> thread = new AtomicReference<>();
        Mono<String> failing = Mono.<String>error(new IllegalStateException("store down"))
                .delaySubscription(Duration.ofMillis(5), Schedulers.parallel())
                .transform(RequestIdLogContext.logOnError(failure -> {
                    thread.set(Thread.currentThread().getName());
                    seen.add(MDC.get("requestId") + ":" + failure.getMessage());
                }))
                .contextWrite(Context.of(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, "req-77"));

        StepVerifier.create(failing).expectErrorMessage("store down").verify(Duration.ofSeconds(2));

        assertThat(seen).containsExactly("req-77:store down");
        assertThat(thread.get()).startsWith("parallel");
        assertThat(MDC.get("requestId")).isNull();
    }

    @Test
    void logOnErrorWhenMonoSucceedsThenNothingIsLogged() {
        List<Throwable> seen = new ArrayList<>();
        StepVerifier.create(Mono.just("ok").transform(RequestIdLogContext.logOnError(seen::add)))
                .expectNext("ok").verifyComplete();
        assertThat(seen).isEmpty();
    }

    @Test
    void logWhenAnotherIdIsInTheMdcThenItIsRestoredAfterTheLine() {
        MDC.put("requestId", "outer");
        try {
            AtomicReference<String> during = new AtomicReference<>();
            RequestIdLogContext.log("inner", () -> during.set(MDC.get("requestId")));
            assertThat(during.get()).isEqualTo("inner");
            assertThat(MDC.get("requestId")).isEqualTo("outer");
        }
        finally {
            MDC.remove("requestId");
        }
    }

    @Test
    void logWhenContextHoldsNoIdThenLineIsWrittenWithoutOne() {
        AtomicReference<String> during = new AtomicReference<>("unset");
        RequestIdLogContext.log(Context.empty(), () -> during.set(MDC.get("requestId")));
        assertThat(during.get()).isNull();
    }
}

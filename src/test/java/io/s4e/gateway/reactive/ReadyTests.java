package io.s4e.gateway.reactive;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadyTests {

    @Test
    void monoWhenJustEmptyOrErrorThenReadyWithItsOutcome() {
        assertThat(Ready.isReady(Mono.just("v"))).isTrue();
        assertThat(Ready.outcome(Mono.just("v"))).isEqualTo("v");
        assertThat(Ready.isReady(Mono.empty())).isTrue();
        assertThat(Ready.outcome(Mono.<String>empty())).isNull();
        Mono<String> refused = Mono.error(new IllegalArgumentException("refused"));
        assertThat(Ready.isReady(refused)).isTrue();
        assertThatThrownBy(() -> Ready.outcome(refused)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("refused");
    }

    @Test
    void monoWhenItsValueIsStillToComeThenNotReady() {
        assertThat(Ready.isReady(Mono.just("v").delayElement(Duration.ofMillis(1)))).isFalse();
        assertThat(Ready.isReady(Mono.just("v").map(String::length))).isFalse();
        assertThat(Ready.isReady(Mono.defer(() -> Mono.just("v")))).isFalse();
    }

    @Test
    void futureWhenCompletedNormallyThenItsValueElseNull() {
        assertThat(Ready.valueOf(CompletableFuture.completedFuture("v"))).isEqualTo("v");
        assertThat(Ready.valueOf(new CompletableFuture<String>())).as("pending").isNull();
        assertThat(Ready.valueOf(CompletableFuture.<String>failedFuture(new IllegalStateException()))).isNull();
        assertThat(Ready.valueOf((CompletableFuture<String>) null)).isNull();
    }
}

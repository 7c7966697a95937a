package io.s4e.gateway.reactive;

import java.util.concurrent.CompletableFuture;

import reactor.core.Fuseable;
import reactor.core.publisher.Mono;

/**
 * Answers that are already known. A cached key, session, tier or reserved token comes back as a ready {@code Mono}
 * ({@code Mono.just}, {@code Mono.empty} or {@code Mono.error}) or a completed future; the request path reads it
 * at once instead of subscribing operators to it, which is most of what a cached answer would otherwise cost.
 */
public final class Ready {

    private Ready() {
    }

    /** Whether {@code mono}'s outcome is already known, without subscribing to it. */
    public static boolean isReady(Mono<?> mono) {
        return mono instanceof Fuseable.ScalarCallable<?>;
    }

    /**
     * The outcome of a ready {@code mono} (see {@link #isReady}).
     *
     * @return its value; null when it is empty; throws its error (a checked one wrapped by Reactor)
     */
    @SuppressWarnings("unchecked")
    public static <T> T outcome(Mono<T> mono) {
        try {
            return ((Fuseable.ScalarCallable<T>) mono).call();
        }
        catch (RuntimeException | Error thrown) {
            throw thrown;
        }
        catch (Exception checked) {
            throw new IllegalStateException(checked);
        }
    }

    /** The value of {@code future} when it has completed normally; null when absent, pending or failed. */
    public static <T> T valueOf(CompletableFuture<T> future) {
        return future != null && future.isDone() && !future.isCompletedExceptionally() ? future.getNow(null) : null;
    }
}

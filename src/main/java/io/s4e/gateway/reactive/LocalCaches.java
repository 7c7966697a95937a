package io.s4e.gateway.reactive;

import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The builder of every in-memory cache on the request path. Caffeine keeps its bookkeeping (recording reads,
 * expiring, evicting) in buffers that it drains now and then on its executor, by default the common fork-join
 * pool: a request path that reads several caches woke a pool thread every few requests, each time a context switch
 * and a cross-thread hand-off on a machine whose cores the event loops already use. Here the draining runs on the
 * thread that filled the buffer, in small bounded steps. A read takes Caffeine's eviction lock only with
 * {@code tryLock}; a write waits for it only when Caffeine's write buffer is full, which takes a burst of inserts
 * faster than the draining (the suite runs under BlockHound with these caches on the event loops).
 */
public final class LocalCaches {

    private LocalCaches() {
    }

    /** A Caffeine builder whose maintenance runs on the calling thread. */
    public static Caffeine<Object, Object> builder() {
        return Caffeine.newBuilder().executor(Runnable::run);
    }
}

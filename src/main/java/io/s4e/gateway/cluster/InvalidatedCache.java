package io.s4e.gateway.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.s4e.gateway.reactive.LocalCaches;
import io.s4e.gateway.reactive.Ready;
import reactor.core.publisher.Mono;

/**
 * A replica's bounded near cache of what a shared store (PostgreSQL, Redis) answered, which every replica forgets
 * when told to on the {@link InvalidationBus}, including what a load under way when the message came would bring.
 * Each entry lives for the time-to-live its value is given when loaded; that is the backstop when an invalidation
 * message is lost. Concurrent requests for one uncached key share one
 * load; an empty answer is not cached, and a failed load is dropped before its error reaches any caller. Its
 * statistics are published as Micrometer's cache meters ({@code cache.gets} and the rest) tagged with its name.
 *
 * @param <V> the cached value; keys are the strings the invalidation messages carry
 */
public final class InvalidatedCache<V> {

    private final AsyncCache<String, V> entries;
    private final StatsCounter stats = new ConcurrentStatsCounter();

    /**
     * @param name     the {@code cache} tag of its meters
     * @param maxSize  the most entries it holds
     * @param lifetime how long a freshly loaded value may be served (negative counts as zero)
     */
    public InvalidatedCache(String name, long maxSize, Function<? super V, Duration> lifetime, MeterRegistry meters) {
        this.entries = LocalCaches.builder()
                .maximumSize(maxSize)
                .expireAfter(new Lifetime<V>(lifetime))
                .recordStats(() -> stats)
                .buildAsync();
        CaffeineCacheMetrics.monitor(meters, entries.synchronous(), name);
    }

    /**
     * Forgets the entry of a message's value on every message of {@code topic}, and every entry on
     * {@link InvalidationBus#ALL}.
     */
    public InvalidatedCache<V> forgetKeyOn(InvalidationBus bus, String topic) {
        bus.listen(topic, key -> {
            if (key == null) {
                invalidateAll();
            } else {
                invalidate(key);
            }
        });
        return this;
    }

    /**
     * Forgets every entry {@code matching} returns for a message's value on every message of {@code topic}, and
     * every entry on {@link InvalidationBus#ALL}. It scans the cache: for rare messages only.
     */
    public InvalidatedCache<V> forgetMatchingOn(InvalidationBus bus, String topic,
                                                Function<String, Predicate<? super V>> matching) {
        bus.listen(topic, value -> {
            if (value == null) {
                invalidateAll();
            } else {
                invalidateIf(matching.apply(value));
            }
        });
        return this;
    }

    /** The value cached for {@code key} when its load has completed; null otherwise. No statistic is counted. */
    public V peek(String key) {
        return Ready.valueOf(entries.asMap().get(key));
    }

    /**
     * The value cached for {@code key} when its load has completed, counted as a hit; null otherwise. A cached
     * value (the common case) is answered without any operator around it.
     */
    public V cached(String key) {
        return cached(key, value -> true);
    }

    /**
     * The value cached for {@code key} when its load has completed and {@code usable} accepts it, counted as a hit;
     * null otherwise.
     */
    public V cached(String key, Predicate<? super V> usable) {
        V value = peek(key);
        if (value != null && usable.test(value)) {
            stats.recordHits(1);
            return value;
        }
        return null;
    }

    /**
     * The cached value of {@code key}, or one load shared by every caller until it completes. The load runs with the
     * context of the request that started it, so its log lines carry that request's id. A failed load is dropped
     * from the cache before its error reaches the caller: Caffeine drops it too, but only after the callers' own
     * callbacks have run, so a request arriving just after a failure could otherwise be given the same failure
     * without the store being asked again.
     */
    public Mono<V> load(String key, Function<String, Mono<V>> loader) {
        return Mono.deferContextual(context -> {
            CompletableFuture<V> value = entries.get(key,
                    (k, executor) -> loader.apply(k).contextWrite(context).toFuture());
            return Mono.fromFuture(value, true)
                    .doOnError(failure -> entries.asMap().remove(key, value));
        });
    }

    /** Drops the entry of {@code key}. */
    public void invalidate(String key) {
        entries.synchronous().invalidate(key);
    }

    /**
     * Drops every entry {@code matching} accepts, and every load still under way: such a load may have read the
     * store before the change this drop is for, and what it reads must then not be kept. Its callers, whose requests
     * came before the change, still get its value.
     */
    public void invalidateIf(Predicate<? super V> matching) {
        Map<String, CompletableFuture<V>> map = entries.asMap();
        for (Map.Entry<String, CompletableFuture<V>> entry : map.entrySet()) {
            CompletableFuture<V> future = entry.getValue();
            V value = Ready.valueOf(future);
            if (!future.isDone() || (value != null && matching.test(value))) {
                map.remove(entry.getKey(), future);
            }
        }
    }

    /** Drops every entry. */
    public void invalidateAll() {
        entries.synchronous().invalidateAll();
    }

    private record Lifetime<V>(Function<? super V, Duration> lifetime) implements Expiry<String, V> {

        @Override
        public long expireAfterCreate(String key, V value, long currentTime) {
            return Math.max(0, lifetime.apply(value).toNanos());
        }

        @Override
        public long expireAfterUpdate(String key, V value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, V value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}

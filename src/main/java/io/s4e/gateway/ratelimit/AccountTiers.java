package io.s4e.gateway.ratelimit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.AsyncCache;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.reactive.LocalCaches;
import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The tier of each account, read from {@code users.tier} and kept per replica for {@code tier-cache-ttl}. A change
 * of a user by an admin is published on the {@code user} invalidation topic and drops the cached tier on every
 * replica, so a new tier applies to the next request; while Redis is away, the TTL is the bound. Concurrent requests
 * of one account share one lookup. When PostgreSQL cannot answer, the default tier applies (not cached).
 */
@Component
public class AccountTiers {

    private static final Logger log = LoggerFactory.getLogger(AccountTiers.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);
    private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(30).toNanos();

    private final UserRepository users;
    private final String defaultTier;
    private final AsyncCache<Long, String> tiers;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    public AccountTiers(UserRepository users, RateLimitProperties properties, InvalidationBus bus) {
        this.users = users;
        this.defaultTier = properties.defaultTier();
        this.tiers = LocalCaches.builder()
                .maximumSize(properties.localCacheSize())
                .expireAfterWrite(properties.tierCacheTtl())
                .buildAsync();
        bus.listen(InvalidationTopics.USER, this::invalidate);
    }

    /**
     * The tier of account {@code userId}.
     *
     * @return the tier; the default tier when the user is unknown or PostgreSQL cannot answer; never an error
     */
    public Mono<String> tierOf(long userId) {
        CompletableFuture<String> tier = tiers.get(userId, (id, executor) -> lookup(id).toFuture());
        return Mono.fromFuture(tier, true)
                .onErrorResume(failure -> {
                    tiers.asMap().remove(userId, tier);
                    warn(failure);
                    return Mono.just(defaultTier);
                });
    }

    /** The tier of account {@code userId} when this replica already holds it; null otherwise. */
    public String cachedTierOf(long userId) {
        return Ready.valueOf(tiers.asMap().get(userId));
    }

    private Mono<String> lookup(long userId) {
        return users.findByIdForReads(userId)
                .map(UserRecord::tier)
                .defaultIfEmpty(defaultTier)
                .timeout(LOOKUP_TIMEOUT);
    }

    private void warn(Throwable failure) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("Account tiers cannot be read ({}); the default tier applies meanwhile",
                    failure.getClass().getSimpleName());
        }
    }

    /** Drops the cached tier of {@code userId}, or every tier when null. */
    void invalidate(String userId) {
        if (userId == null) {
            tiers.synchronous().invalidateAll();
        } else {
            tiers.synchronous().invalidate(Long.parseLong(userId));
        }
    }
}

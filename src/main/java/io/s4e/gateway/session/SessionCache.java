package io.s4e.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.cluster.InvalidationBus;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The replica's near cache of sessions in front of {@link SessionStore}: a session read from Redis is served from
 * memory for {@code s4e.session.cache-ttl} (at most 1 s, never beyond the session's own expiry), so a busy session
 * costs one Redis read per replica per second instead of one per request.
 * <p>
 * Ended sessions leave every replica's cache at once: logout, refresh and the revocations of a user publish on the
 * {@link InvalidationBus} after Redis changed ({@link #SESSION_TOPIC} with the session id, {@link #USER_TOPIC} with
 * the user id), and this replica applies its own messages before answering. The time-to-live is the backstop when a
 * message is lost or a session is removed from Redis by something else: the contract's "refused on every replica
 * within 1 s" holds either way. Concurrent requests of one uncached session share one Redis read; a session that is
 * not found, or a read that fails (503), is not cached. A cache-ttl of 0 reads Redis on every request.
 */
@Component
public class SessionCache {

    /** Invalidation topic of one session; the value is its session id. */
    public static final String SESSION_TOPIC = "session";
    /** Invalidation topic of every session of a user; the value is the user id. */
    public static final String USER_TOPIC = "user-sessions";

    private final SessionStore store;
    private final AsyncCache<String, Session> sessions;
    private final StatsCounter stats = new ConcurrentStatsCounter();

    public SessionCache(SessionStore store, SessionProperties properties, InvalidationBus bus, MeterRegistry meters,
                        Clock clock) {
        this.store = store;
        if (properties.cacheTtl().isZero()) {
            this.sessions = null;
            return;
        }
        this.sessions = Caffeine.newBuilder()
                .maximumSize(properties.cacheMaxSize())
                .expireAfter(new UntilSessionEnds(properties.cacheTtl(), clock))
                .recordStats(() -> stats)
                .buildAsync();
        CaffeineCacheMetrics.monitor(meters, sessions.synchronous(), "s4e.sessions");
        bus.listen(SESSION_TOPIC, this::invalidateSession);
        bus.listen(USER_TOPIC, this::invalidateUser);
    }

    /**
     * The live session {@code sid} of {@code userId}, from this replica's cache or from Redis.
     *
     * @return the session; empty when it ended or is not {@code userId}'s; a 503 error when Redis is needed and cannot be reached
     */
    public Mono<Session> find(String sid, long userId) {
        if (sessions == null) {
            return store.find(sid, userId);
        }
        Session cached = Ready.valueOf(sessions.asMap().get(sid));
        if (cached != null && cached.userId() == userId) {
            stats.recordHits(1);
            return Mono.just(cached);
        }
        return Mono.deferContextual(context -> {
            CompletableFuture<Session> session = sessions.get(sid,
                    (id, executor) -> store.find(id, userId).contextWrite(context).toFuture());
            return Mono.fromFuture(session, true)
                    .doOnError(failure -> sessions.asMap().remove(sid, session));
        });
    }

    /** Drops session {@code sid}, or every session when null. */
    void invalidateSession(String sid) {
        if (sessions == null) {
            return;
        }
        if (sid == null) {
            sessions.synchronous().invalidateAll();
        } else {
            sessions.synchronous().invalidate(sid);
        }
    }

    /** Drops every session of user {@code userId}, or every session when null. Rare: a scan is fine. */
    void invalidateUser(String userId) {
        if (sessions == null) {
            return;
        }
        if (userId == null) {
            sessions.synchronous().invalidateAll();
            return;
        }
        long id = Long.parseLong(userId);
        sessions.synchronous().asMap().values().removeIf(session -> session.userId() == id);
    }

    /** The cache-ttl, cut short by the session's own expiry. */
    private record UntilSessionEnds(Duration ttl, Clock clock) implements Expiry<String, Session> {

        @Override
        public long expireAfterCreate(String sid, Session session, long currentTime) {
            long untilExpiry = Duration.between(clock.instant(), session.expiresAt()).toNanos();
            return Math.max(0, Math.min(ttl.toNanos(), untilExpiry));
        }

        @Override
        public long expireAfterUpdate(String sid, Session session, long currentTime, long currentDuration) {
            return expireAfterCreate(sid, session, currentTime);
        }

        @Override
        public long expireAfterRead(String sid, Session session, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}

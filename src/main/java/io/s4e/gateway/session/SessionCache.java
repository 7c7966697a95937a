package io.s4e.gateway.session;

import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.cluster.InvalidatedCache;
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
    private final InvalidatedCache<Session> sessions;

    public SessionCache(SessionStore store, SessionProperties properties, InvalidationBus bus, MeterRegistry meters,
                        Clock clock) {
        this.store = store;
        if (properties.cacheTtl().isZero()) {
            this.sessions = null;
            return;
        }
        Duration ttl = properties.cacheTtl();
        this.sessions = new InvalidatedCache<Session>("s4e.sessions", properties.cacheMaxSize(), session -> {
            Duration untilExpiry = Duration.between(clock.instant(), session.expiresAt());
            return untilExpiry.compareTo(ttl) < 0 ? untilExpiry : ttl; // never beyond the session's own expiry
        }, meters)
                .forgetKeyOn(bus, SESSION_TOPIC)
                .forgetMatchingOn(bus, USER_TOPIC, userId -> {
                    long id = Long.parseLong(userId);
                    return session -> session.userId() == id;
                });
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
        Session cached = sessions.cached(sid, session -> session.userId() == userId);
        if (cached != null) {
            return Mono.just(cached);
        }
        return sessions.load(sid, id -> store.find(id, userId));
    }
}

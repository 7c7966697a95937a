package io.s4e.gateway.session;

import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Ends every session of a user in Redis (logout-all, a disabled or re-roled user), then tells every replica's
 * {@link SessionCache}. Sessions being issued at the same moment are caught by the user's
 * {@link SessionGenerations generation}, which moves before the sweep.
 */
@Component
public class SessionRevocations {

    private final ReactiveStringRedisTemplate redis;
    private final SessionKeys keys;
    private final InvalidationBus bus;
    private final SessionGenerations generations;
    private final SessionStore store;

    public SessionRevocations(ReactiveStringRedisTemplate redis, SessionKeys keys, InvalidationBus bus,
                              SessionGenerations generations, SessionStore store) {
        this.redis = redis;
        this.keys = keys;
        this.bus = bus;
        this.generations = generations;
        this.store = store;
    }

    /**
     * Ends every session of {@code userId} but {@code keep} (a password change keeps the session it was made in), and
     * every session and MFA step still being issued. The generation moves on first; then {@code keep} is moved into
     * the new generation (so its token keeps working), and the others are deleted. Between the two steps, about one
     * Redis round trip, {@code keep} is refused when read from Redis; replicas that hold it in their session cache
     * (at most {@code s4e.session.cache-ttl}) go on serving it, and the user's cache entries are dropped everywhere
     * only after it was moved.
     *
     * Redis Cluster: every step is a command on one key (the generation, the kept session, each other session, the
     * user's set), so no step needs the keys in one slot.
     *
     * @return the number of sessions ended; a 503 error when Redis cannot be reached
     */
    public Mono<Long> revokeAllExcept(long userId, String keep) {
        String index = keys.userSessions(userId);
        return generations.advance(userId)
                .flatMap(generation -> store.adoptGeneration(keep, generation))
                .thenMany(redis.opsForSet().members(index))
                .filter(sid -> !sid.equals(keep))
                .concatMap(sid -> redis.delete(keys.session(sid))
                        .flatMap(deleted -> redis.opsForSet().remove(index, sid).thenReturn(deleted)))
                .reduce(0L, Long::sum)
                .onErrorMap(e -> !(e instanceof io.s4e.gateway.web.GatewayException),
                        e -> Errors.unavailable("Sessions cannot be changed right now. Try again shortly."))
                .flatMap(ended -> bus.publish(SessionCache.USER_TOPIC, Long.toString(userId)).thenReturn(ended));
    }

    /**
     * Ends every session of {@code userId}, and every session and MFA step still being issued: the user's
     * {@linkplain SessionGenerations generation} moves on first, then the sessions are deleted.
     *
     * Redis Cluster: the sessions' keys lie in many slots; the client splits the multi-key DEL by slot (covered by
     * RedisClusterIntegrationTests), and no step needs the keys in one slot atomically: the generation moved first.
     *
     * @return the number of sessions ended; a 503 error when Redis cannot be reached
     */
    public Mono<Long> revokeAll(long userId) {
        String index = keys.userSessions(userId);
        return generations.advance(userId)
                .thenMany(redis.opsForSet().members(index))
                .map(keys::session)
                .collectList()
                .flatMap(sessions -> sessions.isEmpty() ? Mono.just(0L)
                        : redis.delete(sessions.toArray(String[]::new)))
                .flatMap(ended -> redis.delete(index).thenReturn(ended))
                .onErrorMap(e -> !(e instanceof io.s4e.gateway.web.GatewayException),
                        e -> Errors.unavailable("Sessions cannot be changed right now. Try again shortly."))
                .flatMap(ended -> bus.publish(SessionCache.USER_TOPIC, Long.toString(userId)).thenReturn(ended));
    }
}

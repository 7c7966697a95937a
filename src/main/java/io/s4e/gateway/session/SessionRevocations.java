package io.s4e.gateway.session;

import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Ends every session of a user in Redis (logout-all, a disabled or re-roled user), then tells every replica's
 * {@link SessionCache}.
 */
@Component
public class SessionRevocations {

    private final ReactiveStringRedisTemplate redis;
    private final SessionKeys keys;
    private final InvalidationBus bus;

    public SessionRevocations(ReactiveStringRedisTemplate redis, SessionKeys keys, InvalidationBus bus) {
        this.redis = redis;
        this.keys = keys;
        this.bus = bus;
    }

    /**
     * Ends every session of {@code userId}.
     *
     * @return the number of sessions ended; a 503 error when Redis cannot be reached
     */
    public Mono<Long> revokeAll(long userId) {
        String index = keys.userSessions(userId);
        return redis.opsForSet().members(index)
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

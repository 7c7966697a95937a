package io.s4e.gateway.session;

import java.time.Duration;

import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Each user's session generation in Redis ({@code <prefix>user-gen:<userId>}, 0 until the first revocation, kept
 * without expiry so it never goes back). Revoking a user's sessions (disable, a new role, logout everywhere, a
 * factor reset) moves it on <em>before</em> the sessions are swept; every session and open MFA step carries the
 * generation it was issued in, and:
 * <ul>
 *   <li>a new session is checked after it is written: if the generation moved meanwhile, it is deleted and
 *       refused; if not, it was written before the move and the sweep that follows it finds it;</li>
 *   <li>a session of an earlier generation is refused when used, refreshed, or completed from an MFA step.</li>
 * </ul>
 * So a login, refresh or MFA step in flight during a revocation can never leave a session behind it.
 */
@Component
public class SessionGenerations {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveStringRedisTemplate redis;
    private final String prefix;

    public SessionGenerations(ReactiveStringRedisTemplate redis, RedisKeyProperties keys) {
        this.redis = redis;
        this.prefix = keys.keyPrefix();
    }

    /**
     * The current generation of {@code userId}.
     *
     * @return the generation, 0 when it never moved; a 503 error when Redis cannot be reached
     */
    public Mono<Long> current(long userId) {
        return redis.opsForValue().get(key(userId))
                .map(Long::parseLong)
                .defaultIfEmpty(0L)
                .transform(SessionGenerations::bounded);
    }

    /**
     * Moves the generation of {@code userId} on: every session and MFA step issued before stops counting.
     *
     * @return the new generation; a 503 error when Redis cannot be reached
     */
    public Mono<Long> advance(long userId) {
        return redis.opsForValue().increment(key(userId)).transform(SessionGenerations::bounded);
    }

    String key(long userId) {
        return prefix + "user-gen:" + userId;
    }

    private static <T> Mono<T> bounded(Mono<T> call) {
        return call.timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Sessions cannot be checked right now. Try again shortly."));
    }
}

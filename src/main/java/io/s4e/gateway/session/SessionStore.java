package io.s4e.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Sessions in Redis, laid out by {@link SessionKeys}: a hash per session expiring with it, and the set of a user's
 * session ids. A session exists exactly as long as its hash. Every call is bounded by a timeout; Redis that cannot
 * be reached is a 503, never a refusal. A session that ends or changes is announced to every replica's
 * {@link SessionCache} once Redis has it.
 */
@Component
public class SessionStore {

    /** Longest wait for Redis before answering 503. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static final String USER_ID = "user_id";
    private static final String EMAIL = "email";
    private static final String ROLE = "role";
    private static final String AMR = "amr";
    private static final String LOGIN_AT = "login_at";
    private static final String EXPIRES_AT = "expires_at";
    private static final String REFRESHED = "refreshed";

    private final ReactiveStringRedisTemplate redis;
    private final SessionKeys keys;
    private final SessionProperties properties;
    private final InvalidationBus bus;

    public SessionStore(ReactiveStringRedisTemplate redis, SessionKeys keys, SessionProperties properties,
                        InvalidationBus bus) {
        this.redis = redis;
        this.keys = keys;
        this.properties = properties;
        this.bus = bus;
    }

    /**
     * Stores {@code session}, expiring at its {@code expiresAt}, and adds it to its user's set.
     *
     * @return the session; a 503 error when Redis cannot be reached
     */
    public Mono<Session> create(Session session, Instant now) {
        String key = keys.session(session.sid());
        String index = keys.userSessions(session.userId());
        Duration ttl = Duration.between(now, session.expiresAt());
        return redis.opsForHash().putAll(key, fields(session))
                .then(redis.expire(key, ttl))
                .then(redis.opsForSet().add(index, session.sid()))
                .then(redis.expire(index, properties.maxLifetime()))
                .thenReturn(session)
                .transform(this::bounded);
    }

    /**
     * The session {@code sid}, in one round trip.
     *
     * @return the session; empty when it ended (logout, expiry, refreshed away after the grace); a 503 error when
     *         Redis cannot be reached
     */
    public Mono<Session> find(String sid) {
        return redis.<String, String>opsForHash().entries(keys.session(sid))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .transform(this::bounded)
                .flatMap(fields -> fields.isEmpty() ? Mono.empty() : Mono.justOrEmpty(session(sid, fields)));
    }

    /**
     * Ends session {@code sid} of {@code userId} at once.
     *
     * @return true when it existed; a 503 error when Redis cannot be reached
     */
    public Mono<Boolean> delete(String sid, long userId) {
        return redis.delete(keys.session(sid))
                .flatMap(deleted -> redis.opsForSet().remove(keys.userSessions(userId), sid).thenReturn(deleted > 0))
                .transform(this::bounded)
                .flatMap(deleted -> ended(sid).thenReturn(deleted));
    }

    /**
     * Marks session {@code sid} as refreshed and lets it live at most {@code grace} longer.
     *
     * @return true when this call marked it (false: it was already refreshed or is gone, so the caller must not
     *         issue another session from it); a 503 error when Redis cannot be reached
     */
    public Mono<Boolean> retire(String sid, Duration grace) {
        String key = keys.session(sid);
        return redis.<String, String>opsForHash().putIfAbsent(key, REFRESHED, "1")
                .flatMap(marked -> !marked ? Mono.just(false) : shorten(key, grace).thenReturn(true))
                .transform(this::bounded)
                .flatMap(marked -> ended(sid).thenReturn(marked));
    }

    /** Tells every replica's {@link SessionCache} that session {@code sid} changed in Redis. */
    private Mono<Void> ended(String sid) {
        return bus.publish(SessionCache.SESSION_TOPIC, sid);
    }

    private Mono<Boolean> shorten(String key, Duration grace) {
        return grace.isZero() ? redis.delete(key).thenReturn(true) : redis.expire(key, grace);
    }

    private <T> Mono<T> bounded(Mono<T> call) {
        return call.timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Sessions cannot be checked right now. Try again shortly."));
    }

    private static Map<String, String> fields(Session session) {
        Map<String, String> fields = new HashMap<>();
        fields.put(USER_ID, Long.toString(session.userId()));
        fields.put(EMAIL, session.email());
        fields.put(ROLE, session.role());
        fields.put(AMR, String.join(",", session.amr()));
        fields.put(LOGIN_AT, Long.toString(session.loginAt().getEpochSecond()));
        fields.put(EXPIRES_AT, Long.toString(session.expiresAt().getEpochSecond()));
        return fields;
    }

    /** The session of {@code fields}; null when the hash is incomplete (e.g. only a late mark survived). */
    private static Session session(String sid, Map<String, String> fields) {
        try {
            String amr = fields.getOrDefault(AMR, "");
            return new Session(sid, Long.parseLong(fields.get(USER_ID)), fields.get(EMAIL), fields.get(ROLE),
                    amr.isEmpty() ? List.of() : Arrays.asList(amr.split(",")),
                    Instant.ofEpochSecond(Long.parseLong(fields.get(LOGIN_AT))),
                    Instant.ofEpochSecond(Long.parseLong(fields.get(EXPIRES_AT))),
                    fields.containsKey(REFRESHED));
        }
        catch (RuntimeException incomplete) {
            return null;
        }
    }
}

package io.s4e.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.cluster.InvalidationBus;
import org.springframework.data.redis.core.script.RedisScript;
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
    private static final String GENERATION = "gen";
    private static final String CHAIN = "chain";
    private static final String CLIENT_IP = "ip";
    private static final String USER_AGENT = "ua";
    private static final String LAST_SEEN = "last_seen";

    /**
     * Marks a session refreshed only while it exists and was not refreshed yet, then shortens it to the grace.
     * KEYS[1]: the session; ARGV[1]: the grace (ms; 0 deletes it). Returns 1 when this call marked it.
     * Redis Cluster: one key only, so always one slot.
     */
    private static final RedisScript<Long> RETIRE = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            if redis.call('HSETNX', KEYS[1], 'refreshed', '1') == 0 then return 0 end
            if ARGV[1] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return 1
            """, Long.class);

    /**
     * Sets one field of a session hash only while the session exists (an HSET alone would re-create an ended
     * session's hash, without expiry). KEYS[1]: the session; ARGV[1]: the field; ARGV[2]: the value. Returns 1 when
     * set. Redis Cluster: one key only.
     */
    private static final RedisScript<Long> SET_IF_EXISTS = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """, Long.class);

    static {
        RETIRE.getSha1(); // hashed once here, never on an event loop
        SET_IF_EXISTS.getSha1();
    }

    private final ReactiveStringRedisTemplate redis;
    private final SessionKeys keys;
    private final SessionProperties properties;
    private final InvalidationBus bus;
    private final SessionGenerations generations;

    public SessionStore(ReactiveStringRedisTemplate redis, SessionKeys keys, SessionProperties properties,
                        InvalidationBus bus, SessionGenerations generations) {
        this.redis = redis;
        this.keys = keys;
        this.properties = properties;
        this.bus = bus;
        this.generations = generations;
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
        return Mono.deferContextual(context -> redis.opsForHash()
                        .putAll(key, fields(session, context.getOrDefault(SessionDevice.class, null))))
                .then(redis.expire(key, ttl))
                .then(redis.opsForSet().add(index, session.sid()))
                .then(redis.expire(index, properties.maxLifetime()))
                .thenReturn(session)
                .transform(this::bounded);
    }

    /**
     * The session {@code sid} of {@code userId}, with the user's session generation, in one round trip (the two
     * reads are sent together). Redis Cluster: two single-key reads, each routed to its own slot's master, so the
     * session hash and the generation key need no common slot.
     *
     * @return the session; empty when it ended (logout, expiry, refreshed away after the grace), belongs to another
     *         user, or was issued in an earlier generation (its user's sessions were revoked); a 503 error when
     *         Redis cannot be reached
     */
    public Mono<Session> find(String sid, long userId) {
        Mono<Map<String, String>> fields = redis.<String, String>opsForHash().entries(keys.session(sid))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
        return Mono.zip(fields, generations.current(userId))
                .transform(this::bounded)
                .flatMap(found -> {
                    Session session = found.getT1().isEmpty() ? null : session(sid, found.getT1());
                    return session != null && session.userId() == userId && session.generation() == found.getT2()
                            ? Mono.just(session) : Mono.empty();
                });
    }

    /**
     * Counts one refresh of the login chain {@code chain} in the current minute.
     *
     * @return the refreshes of the chain in this minute, this one included; a 503 error when Redis cannot be
     *         reached
     */
    public Mono<Long> countRefresh(String chain) {
        String key = keys.refreshes(chain);
        return redis.opsForValue().increment(key)
                .flatMap(count -> count == 1 ? redis.expire(key, Duration.ofMinutes(1)).thenReturn(count)
                        : Mono.just(count))
                .transform(this::bounded);
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
        return redis.execute(RETIRE, List.of(keys.session(sid)), List.of(Long.toString(grace.toMillis())))
                .next()
                .map(marked -> marked == 1L)
                .defaultIfEmpty(false)
                .transform(this::bounded)
                .flatMap(marked -> ended(sid).thenReturn(marked));
    }

    /** Tells every replica's {@link SessionCache} that session {@code sid} changed in Redis. */
    private Mono<Void> ended(String sid) {
        return bus.publish(SessionCache.SESSION_TOPIC, sid);
    }

    private <T> Mono<T> bounded(Mono<T> call) {
        return call.timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Sessions cannot be checked right now. Try again shortly."));
    }

    /**
     * The sessions of {@code userId} in its generation {@code generation}, as the session list shows them; session
     * ids of the user's set whose session is gone are removed from the set on the way.
     *
     * @return the live, not refreshed-away sessions, oldest first; a 503 error when Redis cannot be reached
     */
    public Mono<List<SessionSummary>> list(long userId, long generation) {
        String index = keys.userSessions(userId);
        return redis.opsForSet().members(index)
                .flatMap(sid -> redis.<String, String>opsForHash().entries(keys.session(sid))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                        .flatMap(found -> {
                            if (found.isEmpty()) {
                                return redis.opsForSet().remove(index, sid).then(Mono.empty());
                            }
                            Session session = session(sid, found);
                            return session == null || session.userId() != userId || session.refreshed()
                                    || session.generation() != generation ? Mono.<SessionSummary>empty()
                                    : Mono.just(summary(session, found));
                        }), 8)
                .collectList()
                .map(list -> list.stream()
                        .sorted(java.util.Comparator.comparing(SessionSummary::createdAt)
                                .thenComparing(SessionSummary::sid))
                        .toList())
                .transform(this::bounded);
    }

    /**
     * The session {@code sid} as stored, whatever its user or generation.
     *
     * @return the session; empty when there is none; a 503 error when Redis cannot be reached
     */
    public Mono<Session> peek(String sid) {
        return redis.<String, String>opsForHash().entries(keys.session(sid))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .transform(this::bounded)
                .flatMap(found -> Mono.justOrEmpty(found.isEmpty() ? null : session(sid, found)));
    }

    /**
     * Moves session {@code sid} into generation {@code generation}, so that it outlives a revocation of its user's
     * other sessions (a password change keeps the session it was made in).
     *
     * @return true when the session still existed; a 503 error when Redis cannot be reached
     */
    public Mono<Boolean> adoptGeneration(String sid, long generation) {
        return setIfExists(sid, GENERATION, Long.toString(generation));
    }

    /**
     * Writes when session {@code sid} was last seen, unless it ended meanwhile.
     *
     * @return true when written; a 503 error when Redis cannot be reached
     */
    public Mono<Boolean> lastSeen(String sid, Instant at) {
        return setIfExists(sid, LAST_SEEN, Long.toString(at.getEpochSecond()));
    }

    private Mono<Boolean> setIfExists(String sid, String field, String value) {
        return redis.execute(SET_IF_EXISTS, List.of(keys.session(sid)), List.of(field, value))
                .next()
                .map(set -> set == 1L)
                .defaultIfEmpty(false)
                .transform(this::bounded);
    }

    private static SessionSummary summary(Session session, Map<String, String> fields) {
        Instant lastSeen = null;
        try {
            String seen = fields.get(LAST_SEEN);
            lastSeen = seen == null ? null : Instant.ofEpochSecond(Long.parseLong(seen));
        }
        catch (NumberFormatException ignored) {
            // written only by lastSeen(): never malformed; treated as never seen
        }
        return new SessionSummary(session.sid(), session.loginAt(), lastSeen, fields.get(CLIENT_IP),
                fields.get(USER_AGENT), session.amr(), session.expiresAt());
    }

    private static Map<String, String> fields(Session session, SessionDevice device) {
        Map<String, String> fields = fields(session);
        if (device != null && device.clientIp() != null) {
            fields.put(CLIENT_IP, device.clientIp());
        }
        if (device != null && device.userAgent() != null) {
            fields.put(USER_AGENT, device.userAgent());
        }
        return fields;
    }

    private static Map<String, String> fields(Session session) {
        Map<String, String> fields = new HashMap<>();
        fields.put(USER_ID, Long.toString(session.userId()));
        fields.put(EMAIL, session.email());
        fields.put(ROLE, session.role());
        fields.put(AMR, String.join(",", session.amr()));
        fields.put(LOGIN_AT, Long.toString(session.loginAt().getEpochSecond()));
        fields.put(EXPIRES_AT, Long.toString(session.expiresAt().getEpochSecond()));
        fields.put(GENERATION, Long.toString(session.generation()));
        fields.put(CHAIN, session.chain());
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
                    fields.containsKey(REFRESHED), Long.parseLong(fields.getOrDefault(GENERATION, "0")),
                    fields.getOrDefault(CHAIN, sid));
        }
        catch (RuntimeException incomplete) {
            return null;
        }
    }
}

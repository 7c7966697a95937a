package io.s4e.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.RedisKeyProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The lockouts and blocks in force on all replicas (login locks of an e-mail, MFA locks of an account, refused-key
 * blocks of a client IP), listed without {@code KEYS} or {@code SCAN} so it works on a Redis Cluster: each lock is
 * also noted, when it is set, in one sorted set (member {@code kind|subject|label}, score the end of the lock in
 * Unix ms), whose entries past their end are dropped when it is read. Noting a lock is one command sent after the
 * refusal that set it; it never delays the request, and a failure only leaves the lock out of the list.
 * <p>
 * Lifting a lockout deletes the lock and the failures counted towards it in Redis, drops the entry, and tells every
 * replica (over the {@link InvalidationBus}) to forget what it keeps in memory about the subject (a refused-key
 * block, in-process fallback counts).
 */
@Component
public class Lockouts {

    /** Topic of the invalidation bus that names a lifted subject. */
    static final String TOPIC = "lockout";

    private static final Logger log = LoggerFactory.getLogger(Lockouts.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final int MAX_LISTED = 1000;

    private final ReactiveStringRedisTemplate redis;
    private final RateLimitKeys keys;
    private final InvalidationBus bus;
    private final Clock clock;
    private final String index;
    private final List<Consumer<String>> liftListeners = new CopyOnWriteArrayList<>();

    public Lockouts(ReactiveStringRedisTemplate redis, RateLimitKeys keys, RedisKeyProperties prefix,
                    InvalidationBus bus, FailureLocks locks, Clock clock) {
        this.redis = redis;
        this.keys = keys;
        this.bus = bus;
        this.clock = clock;
        this.index = prefix.keyPrefix() + "rl:{lockouts}";
        bus.listen(TOPIC, subject -> {
            locks.forgetLocal(subject);
            liftListeners.forEach(listener -> listener.accept(subject));
        });
    }

    /** The kinds of lockout. */
    public enum Kind {
        /** Wrong passwords for one e-mail address. */
        LOGIN("login"),
        /** Wrong MFA codes for one account. */
        MFA("mfa"),
        /** Refused API keys from one client IP. */
        REFUSED_KEYS("refused_keys");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Kind ofWire(String wire) {
            for (Kind kind : values()) {
                if (kind.wire.equals(wire)) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** One lockout: an opaque id, its kind, what it names for a person (e-mail, user id, IP), and its end. */
    public record Lockout(String id, Kind kind, String label, Instant until) {
    }

    /**
     * Notes that {@code subject} (as in {@link RateLimitKeys#lock}) is locked for {@code locked} from now; sent
     * without waiting for it, never fails.
     */
    void noteLocked(Kind kind, String subject, String label, Duration locked) {
        if (locked.isZero() || locked.isNegative()) {
            return;
        }
        long until = clock.millis() + locked.toMillis();
        String member = kind.wire() + "|" + subject + "|" + (label == null ? "" : label);
        redis.opsForZSet().add(index, member, until)
                .timeout(TIMEOUT)
                .subscribe(added -> { }, failure -> log.debug("Could not note a lockout: {}", failure.toString()));
    }

    /** Calls {@code listener} with every lifted subject (on every replica), or null when all must be forgotten. */
    void whenLifted(Consumer<String> listener) {
        liftListeners.add(listener);
    }

    /** The lockouts in force now, ending soonest first (at most 1000). */
    public Flux<Lockout> current() {
        return Mono.defer(() -> {
                    long now = clock.millis();
                    return redis.opsForZSet().removeRangeByScore(index, Range.closed(0.0, (double) now))
                            .then(redis.opsForZSet().rangeByScoreWithScores(index,
                                            Range.rightUnbounded(Range.Bound.exclusive((double) now)),
                                            Limit.limit().count(MAX_LISTED))
                                    .collectList());
                })
                .timeout(TIMEOUT)
                .flatMapMany(Flux::fromIterable)
                .mapNotNull(tuple -> lockout(tuple.getValue(), tuple.getScore()))
                .distinct(Lockout::id);
    }

    /**
     * Lifts lockout {@code id}: deletes the lock and its counts, drops every entry of the subject, and tells every
     * replica.
     *
     * @return the lifted lockout; empty when no lockout with this id is in force
     */
    public Mono<Lockout> lift(String id) {
        return current().filter(lockout -> lockout.id().equals(id)).next()
                .flatMap(lockout -> {
                    String subject = subjectOf(id);
                    return redis.delete(keys.lock(subject), keys.failures(subject), keys.attempts(subject))
                            .then(redis.opsForZSet().rangeByScore(index, Range.unbounded())
                                    .filter(member -> subject.equals(subjectOfMember(member)))
                                    .collectList()
                                    .flatMap(members -> members.isEmpty() ? Mono.just(0L)
                                            : redis.opsForZSet().remove(index, members.toArray())))
                            .timeout(TIMEOUT)
                            .then(bus.publish(TOPIC, subject))
                            .thenReturn(lockout);
                });
    }

    private static Lockout lockout(String member, Double score) {
        if (member == null || score == null) {
            return null;
        }
        int first = member.indexOf('|');
        int last = first < 0 ? -1 : member.indexOf('|', first + 1);
        if (last < 0) {
            return null;
        }
        Kind kind = Kind.ofWire(member.substring(0, first));
        if (kind == null) {
            return null;
        }
        String subject = member.substring(first + 1, last);
        String label = member.substring(last + 1);
        return new Lockout(idOf(subject), kind, label.isEmpty() ? null : label,
                Instant.ofEpochMilli(score.longValue()));
    }

    private static String subjectOfMember(String member) {
        int first = member.indexOf('|');
        int last = first < 0 ? -1 : member.indexOf('|', first + 1);
        return last < 0 ? null : member.substring(first + 1, last);
    }

    /** The id of a subject: its text in base64url, so it is one path segment whatever it holds. */
    static String idOf(String subject) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(subject.getBytes(StandardCharsets.UTF_8));
    }

    private static String subjectOf(String id) {
        return new String(Base64.getUrlDecoder().decode(id), StandardCharsets.UTF_8);
    }
}

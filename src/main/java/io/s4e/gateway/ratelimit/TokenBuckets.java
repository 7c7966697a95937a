package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Token buckets shared by every replica: one Lua script per decision takes a token from each bucket atomically, or
 * from none (one round trip, {@code EVALSHA}; Spring falls back to {@code EVAL} once after {@code NOSCRIPT}, which
 * loads the script again). Time is the gateway's {@link Clock}, passed in, so decisions do not depend on which
 * replica asks beyond the replicas' clock skew: a replica whose clock is behind a bucket's last refill adds no tokens
 * until it catches up. Every key expires once its bucket would be full again.
 *
 * <p>A take may be served from tokens this replica reserved ahead ({@link TokenReservations}): one round trip per
 * batch for a busy account, never an admission without a token of every shared bucket. The buckets of one decision
 * (a tier quota and a route's own limit) are reserved together: the script takes the same number of tokens from each,
 * so a batch of N is N admissions' worth of every bucket, and the batch size follows the smallest bucket.
 *
 * <p>When Redis does not answer within {@code s4e.rate-limits.redis-timeout}, or failed less than
 * {@code redis-retry} ago, the same buckets are kept in-process per replica ({@link LocalBuckets}): never "allow
 * everything".
 */
@Component
public class TokenBuckets {

    private static final RedisScript<List> SCRIPT = LuaScripts.load("take",
            List.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisAvailability availability;
    private final RateLimitMetrics metrics;
    private final Clock clock;
    private final Duration timeout;
    private final LocalBuckets local;
    private final TokenReservations reservations;

    public TokenBuckets(ReactiveStringRedisTemplate redis, RedisAvailability availability, RateLimitMetrics metrics,
                        RateLimitProperties properties, Clock clock) {
        this.redis = redis;
        this.availability = availability;
        this.metrics = metrics;
        this.clock = clock;
        this.timeout = properties.redisTimeout();
        this.local = new LocalBuckets(properties.localCacheSize());
        this.reservations = new TokenReservations(properties.reservation(), properties.localCacheSize());
    }

    /**
     * Takes one token from each of {@code buckets}, or none when one of them is empty.
     *
     * @return the decision; never an error (Redis failures are decided in-process)
     */
    public Mono<Decision> take(List<Bucket> buckets) {
        long now = clock.millis();
        Bucket reservable = buckets.size() == 1 ? buckets.get(0) : Bucket.together(buckets);
        boolean reserving = reservations.applies(reservable);
        if (reserving) {
            Decision reserved = reservations.takeReserved(reservable);
            if (reserved != null) {
                metrics.servedFromReservation(reserved.kind());
                metrics.decided(reserved.kind(), true);
                long ahead = availability.usable() ? reservations.refillWanted(reservable, now) : 0;
                if (ahead > 0) {
                    fetchAhead(buckets, reservable, ahead, now);
                }
                return Mono.just(reserved);
            }
        }
        if (!availability.usable()) {
            return Mono.fromSupplier(() -> fallback(buckets, now));
        }
        long want = reserving ? reservations.want(reservable, now) : 1;
        return script(buckets, want, now)
                .map(result -> {
                    long taken = number(result, 0);
                    Decision shared = decision(buckets, taken > 0, result, now);
                    if (!reserving) {
                        return shared;
                    }
                    Decision answer = reservations.received(reservable, want, taken, shared);
                    if (!answer.allowed()) {
                        // a fetch ahead, sent before this take on the same connection, may have brought tokens that
                        // this request's refusal did not see: they are this replica's to hand out
                        Decision held = reservations.takeReserved(reservable);
                        if (held != null) {
                            return held;
                        }
                    }
                    return answer;
                })
                .doOnNext(ok -> availability.succeeded())
                .onErrorResume(failure -> {
                    if (want > 1) {
                        reservations.abandoned(reservable, want);
                    }
                    availability.failed(failure);
                    return Mono.fromSupplier(() -> fallback(buckets, now));
                })
                .doOnNext(decision -> metrics.decided(decision.kind(), decision.allowed()));
    }

    private Decision fallback(List<Bucket> buckets, long now) {
        Decision decision = local.take(buckets, now);
        metrics.fellBack(decision.kind());
        return decision;
    }

    /**
     * Takes {@code want} tokens of every bucket of {@code buckets} into this replica's reservation
     * {@code reservable}, in the background.
     */
    private void fetchAhead(List<Bucket> buckets, Bucket reservable, long want, long now) {
        script(buckets, want, now)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("no answer from the token script")))
                .subscribe(result -> {
                    long taken = number(result, 0);
                    reservations.refilled(reservable, want, taken, decision(buckets, taken > 0, result, now));
                }, failure -> reservations.abandoned(reservable, want + 1));
    }

    /** One run of the take script: up to {@code want} tokens from every bucket, or none. */
    private Mono<List> script(List<Bucket> buckets, long want, long now) {
        List<String> keys = new ArrayList<>(buckets.size());
        List<String> args = new ArrayList<>(2 + 2 * buckets.size());
        args.add(Long.toString(now));
        args.add(Long.toString(want));
        for (Bucket bucket : buckets) {
            keys.add(bucket.key());
            args.add(Long.toString(bucket.capacity()));
            args.add(Double.toString(bucket.perMilli()));
        }
        return redis.execute(SCRIPT, keys, args).next().timeout(timeout);
    }

    private static Decision decision(List<Bucket> buckets, boolean allowed, List<?> result, long now) {
        long[][] states = new long[buckets.size()][];
        for (int i = 0; i < buckets.size(); i++) {
            states[i] = new long[] {number(result, 1 + 3 * i), number(result, 2 + 3 * i), number(result, 3 + 3 * i)};
        }
        return Decision.of(allowed, buckets, states, now);
    }

    private static long number(List<?> result, int index) {
        return ((Number) result.get(index)).longValue();
    }
}

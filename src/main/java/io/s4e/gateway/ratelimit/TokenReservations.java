package io.s4e.gateway.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import io.s4e.gateway.reactive.LocalCaches;

/**
 * Tokens one replica took from shared single-bucket quotas ahead of use ({@code s4e.rate-limits.reservation}).
 *
 * <p>Every admitted request still spends a token taken from the shared bucket, so no replica ever admits more than
 * the bucket allows. What changes is when the token leaves Redis: a busy account's replica takes a batch in one round
 * trip and hands the rest out in-process. The batch starts at one and doubles each time a reservation was used up
 * within a second of the previous fetch, up to {@link RateLimitProperties.Reservation#batchFor(long)}; while the
 * account stays busy, the next batch is fetched ahead, in the background, once half of the current one is spent, so
 * concurrent requests do not run dry together and each ask Redis for a single token. An account that slows down
 * falls back to one token per round trip, which is exact. Unused tokens stay with the replica that holds them (at
 * most one and a half batches per account), so the account may be refused by another replica up to that many tokens
 * early; they are dropped when the account has been idle for ten seconds.
 *
 * <p>All state of one account sits in a small object guarded by its own monitor, held for a few field updates only.
 */
final class TokenReservations {

    private static final long DOUBLING_WINDOW_MILLIS = 1_000;

    private final RateLimitProperties.Reservation settings;
    private final Cache<String, Held> byKey;

    TokenReservations(RateLimitProperties.Reservation settings, int maxAccounts) {
        this.settings = settings;
        this.byKey = LocalCaches.builder().maximumSize(maxAccounts).expireAfterAccess(Duration.ofSeconds(10)).build();
    }

    /** True when {@code bucket} may be served from reservations (it allows batches larger than one token). */
    boolean applies(Bucket bucket) {
        return settings.batchFor(bucket.capacity()) > 1;
    }

    /**
     * Takes one reserved token of {@code bucket}.
     *
     * @return the decision, or {@code null} when this replica holds no token of it
     */
    Decision takeReserved(Bucket bucket) {
        Held held = byKey.getIfPresent(bucket.key());
        if (held == null) {
            return null;
        }
        synchronized (held) {
            if (held.capacity != bucket.capacity() || held.left == 0 || held.last == null) {
                return null;
            }
            held.left--;
            return held.last.withRemaining(held.sharedRemaining + held.left);
        }
    }

    /**
     * How many tokens to ask the shared bucket for now: one for this request plus what the reservation may grow by.
     * Every call must be followed by {@link #received} with the same {@code want}.
     */
    long want(Bucket bucket, long nowMillis) {
        int max = settings.batchFor(bucket.capacity());
        Held held = byKey.get(bucket.key(), key -> new Held(bucket.capacity()));
        synchronized (held) {
            held.resetIfResized(bucket.capacity());
            boolean busy = held.lastFetchMillis != 0 && nowMillis - held.lastFetchMillis < DOUBLING_WINDOW_MILLIS;
            held.batch = busy ? Math.min(max, held.batch * 2) : 1;
            held.lastFetchMillis = nowMillis;
            long extra = Math.max(0, Math.min(held.batch - 1, max - 1 - held.left - held.inFlightExtra));
            held.inFlightExtra += extra;
            return 1 + extra;
        }
    }

    /**
     * Keeps what the shared bucket gave beyond this request's token.
     *
     * @param want   what {@link #want} returned
     * @param taken  tokens the shared bucket gave (0 when it refused)
     * @param shared the decision as the shared bucket saw it after the take
     * @return the request's decision, its remaining count including the tokens this replica now holds
     */
    Decision received(Bucket bucket, long want, long taken, Decision shared) {
        Held held = byKey.get(bucket.key(), key -> new Held(bucket.capacity()));
        synchronized (held) {
            held.inFlightExtra = Math.max(0, held.inFlightExtra - (want - 1));
            if (held.capacity != bucket.capacity()) {
                return shared;
            }
            if (taken == 0) {
                held.batch = 1;
                return shared.withRemaining(shared.remaining() + held.left);
            }
            held.left += taken - 1;
            held.sharedRemaining = shared.remaining();
            held.last = shared;
            return shared.withRemaining(held.sharedRemaining + held.left);
        }
    }

    /**
     * How many tokens to fetch ahead now, after a reserved token was handed out: a busy account's replica fetches its
     * next batch while it still holds half of the current one, so its requests do not all run dry together and each
     * ask Redis for one token. Zero when the reservation is still full enough, a fetch is in flight, or the account
     * is not busy. A positive answer must be followed by {@link #refilled} or {@link #abandoned} with {@code want + 1}.
     */
    long refillWanted(Bucket bucket, long nowMillis) {
        Held held = byKey.getIfPresent(bucket.key());
        if (held == null) {
            return 0;
        }
        synchronized (held) {
            if (held.capacity != bucket.capacity() || held.inFlightExtra > 0 || held.batch < 2
                    || held.left > held.batch / 2
                    || nowMillis - held.lastFetchMillis >= DOUBLING_WINDOW_MILLIS) {
                return 0;
            }
            held.batch = Math.min(settings.batchFor(bucket.capacity()), held.batch * 2);
            held.lastFetchMillis = nowMillis;
            held.inFlightExtra = held.batch;
            return held.batch;
        }
    }

    /** Keeps the tokens a fetch ahead ({@link #refillWanted}) brought; no request spends one of them yet. */
    void refilled(Bucket bucket, long want, long taken, Decision shared) {
        Held held = byKey.get(bucket.key(), key -> new Held(bucket.capacity()));
        synchronized (held) {
            held.inFlightExtra = Math.max(0, held.inFlightExtra - want);
            if (held.capacity != bucket.capacity() || taken == 0) {
                return;
            }
            held.left += taken;
            held.sharedRemaining = shared.remaining();
            held.last = shared;
        }
    }

    /** Drops a failed fetch's claim on the reservation's growth. */
    void abandoned(Bucket bucket, long want) {
        Held held = byKey.getIfPresent(bucket.key());
        if (held != null) {
            synchronized (held) {
                held.inFlightExtra = Math.max(0, held.inFlightExtra - (want - 1));
            }
        }
    }

    /** One account's reservation on this replica. */
    private static final class Held {
        long capacity;
        long left;
        long inFlightExtra;
        long batch = 1;
        long lastFetchMillis;
        long sharedRemaining;
        Decision last;

        Held(long capacity) {
            this.capacity = capacity;
        }

        void resetIfResized(long newCapacity) {
            if (capacity != newCapacity) {
                capacity = newCapacity;
                left = 0;
                batch = 1;
                last = null;
            }
        }
    }
}

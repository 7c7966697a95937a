package io.s4e.gateway.ratelimit;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import io.s4e.gateway.reactive.LocalCaches;

/**
 * In-process token buckets with the arithmetic of the Redis script, for one replica while Redis cannot be reached.
 * Bounded in size; an idle bucket is dropped after a while (it would be full again anyway).
 */
final class LocalBuckets {

    private final Cache<String, double[]> buckets;

    LocalBuckets(int maxSize) {
        this.buckets = LocalCaches.builder().maximumSize(maxSize).expireAfterAccess(Duration.ofHours(1)).build();
    }

    /** Takes one token from every bucket, or from none when one is empty. */
    Decision take(List<Bucket> wanted, long now) {
        double[][] states = new double[wanted.size()][];
        for (int i = 0; i < wanted.size(); i++) {
            Bucket bucket = wanted.get(i);
            states[i] = buckets.get(bucket.key(), k -> new double[] {bucket.capacity(), now});
        }
        // One lock at a time in a fixed order (by key) would be needed for several buckets under contention; one
        // global lock is simpler and the fallback is short-lived and per replica.
        synchronized (this) {
            boolean allowed = true;
            for (int i = 0; i < wanted.size(); i++) {
                refill(states[i], wanted.get(i), now);
                if (states[i][0] < 1) {
                    allowed = false;
                }
            }
            long[][] out = new long[wanted.size()][];
            for (int i = 0; i < wanted.size(); i++) {
                Bucket bucket = wanted.get(i);
                double[] state = states[i];
                if (allowed) {
                    state[0] -= 1;
                }
                double tokens = state[0];
                long wait = tokens < 1 ? (long) Math.ceil((1 - tokens) / bucket.perMilli()) : 0;
                long full = (long) Math.ceil((bucket.capacity() - tokens) / bucket.perMilli());
                out[i] = new long[] {(long) Math.floor(tokens), wait, full};
            }
            return Decision.of(allowed, wanted, out, now);
        }
    }

    private static void refill(double[] state, Bucket bucket, long now) {
        if (now > state[1]) {
            state[0] = Math.min(bucket.capacity(), state[0] + (now - state[1]) * bucket.perMilli());
            state[1] = now;
        }
        if (state[0] > bucket.capacity()) {
            state[0] = bucket.capacity();
        }
    }
}

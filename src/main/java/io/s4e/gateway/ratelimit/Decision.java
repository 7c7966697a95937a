package io.s4e.gateway.ratelimit;

/**
 * The outcome of taking a token from one or more buckets, described by the bucket that binds: when refused, the one
 * that refills last; when allowed, the one with the fewest tokens left.
 *
 * @param allowed         true when a token was taken from every bucket (otherwise none was taken)
 * @param kind            the binding bucket's kind
 * @param limit           the binding bucket's capacity ({@code X-RateLimit-Limit})
 * @param remaining       whole tokens left in it ({@code X-RateLimit-Remaining})
 * @param resetEpochSecond when it is full again, Unix seconds ({@code X-RateLimit-Reset})
 * @param retryAfterSeconds when refused, seconds until a token is available; at least 1
 */
public record Decision(boolean allowed, LimitKind kind, long limit, long remaining, long resetEpochSecond,
                       int retryAfterSeconds) {

    /**
     * The decision of buckets whose state after the attempt is known.
     *
     * @param allowed whether the tokens were taken
     * @param buckets the buckets, in order
     * @param states  per bucket: whole tokens left, milliseconds until one token, milliseconds until full
     * @param nowMillis the time of the decision
     */
    static Decision of(boolean allowed, java.util.List<Bucket> buckets, long[][] states, long nowMillis) {
        int binding = 0;
        for (int i = 1; i < buckets.size(); i++) {
            boolean better = allowed
                    ? states[i][0] < states[binding][0]
                    : states[i][1] > states[binding][1];
            if (better) {
                binding = i;
            }
        }
        long[] state = states[binding];
        Bucket bucket = buckets.get(binding);
        long reset = (nowMillis + state[2] + 999) / 1000;
        int retryAfter = (int) Math.max(1, (state[1] + 999) / 1000);
        return new Decision(allowed, bucket.kind(), bucket.capacity(), Math.max(0, state[0]), reset, retryAfter);
    }

    /** This decision with another {@code remaining} count. */
    Decision withRemaining(long newRemaining) {
        return new Decision(allowed, kind, limit, Math.max(0, newRemaining), resetEpochSecond, retryAfterSeconds);
    }
}

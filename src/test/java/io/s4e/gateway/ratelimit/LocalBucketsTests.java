package io.s4e.gateway.ratelimit;

import java.util.List;

import io.s4e.gateway.route.Rate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process fallback buckets follow the arithmetic of the Redis script. */
class LocalBucketsTests {

    private static final RateLimitProperties.Tier STANDARD = new RateLimitProperties.Tier(100L, 20L);

    @Test
    void fullBucketAllowsItsCapacityThenRefillsAtTheRate() {
        LocalBuckets buckets = new LocalBuckets(10);
        List<Bucket> tier = List.of(Bucket.ofTier("t", STANDARD));
        long now = 1_000_000;
        for (int i = 1; i <= 120; i++) {
            Decision decision = buckets.take(tier, now);
            assertThat(decision.allowed()).as("request " + i).isTrue();
            assertThat(decision.remaining()).isEqualTo(120 - i);
        }
        Decision refused = buckets.take(tier, now);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.resetEpochSecond()).isEqualTo((now + 72_000 + 999) / 1000);

        long later = now + 6_000;
        int allowed = 0;
        while (buckets.take(tier, later).allowed()) {
            allowed++;
        }
        assertThat(allowed).isEqualTo(10);
        assertThat(buckets.take(tier, now).allowed()).as("a clock behind adds nothing").isFalse();
    }

    @Test
    void severalBucketsGiveATokenTogetherOrNotAtAll() {
        LocalBuckets buckets = new LocalBuckets(10);
        Bucket tier = Bucket.ofTier("t", STANDARD);
        Bucket endpoint = Bucket.of("e", Rate.perMinute(2), LimitKind.ENDPOINT);
        assertThat(buckets.take(List.of(tier, endpoint), 0).allowed()).isTrue();
        Decision second = buckets.take(List.of(tier, endpoint), 0);
        assertThat(second.allowed()).isTrue();
        assertThat(second.kind()).as("the bucket with the fewest tokens binds").isEqualTo(LimitKind.ENDPOINT);
        assertThat(second.limit()).isEqualTo(2);
        Decision refused = buckets.take(List.of(tier, endpoint), 0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.kind()).isEqualTo(LimitKind.ENDPOINT);
        assertThat(refused.retryAfterSeconds()).isEqualTo(30);
        assertThat(buckets.take(List.of(tier), 0).remaining()).as("the refusal took no tier token").isEqualTo(117);
    }
}

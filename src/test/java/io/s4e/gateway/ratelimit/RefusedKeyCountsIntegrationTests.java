package io.s4e.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused keys are counted in Redis in batches (docs/rate-limits.md, "Refused API keys"): with a large
 * {@code max-failures} a flood of unknown keys from one address costs a few Redis steps, and every refusal still
 * reaches the shared count within about a second. A replica with a Redis key space of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedKeyCountsIntegrationTests {

    private SecondGateway replica;
    private RawHttp http;

    @BeforeAll
    void start() {
        replica = SecondGateway.start(Map.of(
                "s4e.rate-limits.refused-keys.max-failures", "100000",
                "s4e.redis.key-prefix",
                "s4e-test-counts-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff) + ":"));
        http = new RawHttp(replica.port());
    }

    @AfterAll
    void stop() {
        replica.close();
    }

    @Test
    void refusedKeysWhenFarFromTheBlockThenHeldOnTheReplicaAndAllCountedInRedisWithinASecond() throws Exception {
        MeterRegistry meters = replica.context().getBean(MeterRegistry.class);
        String counter = replica.context().getBean(RateLimitKeys.class).failures(RefusedKeyGuard.SUBJECT + "127.0.0.1");
        ReactiveStringRedisTemplate redis = replica.context().getBean(ReactiveStringRedisTemplate.class);
        double heldBefore = held(meters);

        int refusals = 200;
        long started = System.nanoTime();
        for (int i = 0; i < refusals; i++) {
            assertThat(http.get("/api/assets/1", "Authorization: Bearer " + TestData.unknownKey()).status())
                    .isEqualTo(401);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        double held = held(meters) - heldBefore;
        System.out.println("refused keys: " + refusals + " refusals in " + seconds + " s, " + (long) held
                + " held on the replica, " + (refusals - (long) held) + " sent in a Redis step of their own");
        // the first of the window, then one step per second that passed (a step takes all that waited)
        assertThat(refusals - held).as("refusals that went to Redis at once").isLessThanOrEqualTo(2 + seconds);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String counted = redis.opsForValue().get(counter).block(Duration.ofSeconds(2));
        while (!String.valueOf(refusals).equals(counted) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            counted = redis.opsForValue().get(counter).block(Duration.ofSeconds(2));
        }
        assertThat(counted).as("every refusal counted in Redis (the sweep sends what waited)")
                .isEqualTo(String.valueOf(refusals));
    }

    private static double held(MeterRegistry meters) {
        return meters.counter("s4e.ratelimit.reserved", "kind", LimitKind.REFUSED_KEYS.tag()).count();
    }
}

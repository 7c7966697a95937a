package io.s4e.gateway.ratelimit;

import java.util.ArrayList;
import java.util.List;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A refused-key block spares the innocent behind the same address (CONTRACT §7, issue 16): two clients on one
 * address and two replicas, one client sending unknown keys past the block threshold, the other a valid key. The
 * unknown keys get 429 without a key lookup on either replica, the valid key keeps getting 200 on both, also after
 * its cache entry expired (cache-ttl 2 s here). The replicas use a Redis key space of their own, so the block of
 * 127.0.0.1 they share reaches no other gateway of the test run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedKeyBlockIntegrationTests {

    private SecondGateway replicaA;
    private SecondGateway replicaB;
    private RawHttp a;
    private RawHttp b;

    @BeforeAll
    void startReplicas() {
        Map<String, String> properties = Map.of(
                "s4e.rate-limits.refused-keys.max-failures", "20",
                "s4e.api-keys.cache-ttl", "2s",
                "s4e.redis.key-prefix",
                "s4e-test-block-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff) + ":");
        replicaA = SecondGateway.start(properties);
        replicaB = SecondGateway.start(properties);
        a = new RawHttp(replicaA.port());
        b = new RawHttp(replicaB.port());
    }

    @AfterAll
    void stopReplicas() {
        replicaA.close();
        replicaB.close();
    }

    @Test
    void blockedAddressWhenOneClientGuessesKeysThenItsUnknownKeysGet429WithoutLookupAndTheValidKeyKeeps200()
            throws InterruptedException {
        String valid = RateLimitIntegrationTests.keyOf(RateLimitIntegrationTests.user("standard"));
        assertThat(status(a, valid)).isEqualTo(200);
        assertThat(status(b, valid)).isEqualTo(200);

        // the guessing client reaches the threshold; each replica learns of the block from its next refused key
        int refusals = 0;
        boolean aBlocks = false;
        boolean bBlocks = false;
        for (int i = 0; i < 60 && !(aBlocks && bBlocks); i++) {
            RawHttp replica = i % 2 == 0 ? a : b;
            int status = status(replica, TestData.unknownKey());
            assertThat(status).isIn(401, 429);
            refusals += status == 401 ? 1 : 0;
            aBlocks |= replica == a && status == 429;
            bBlocks |= replica == b && status == 429;
        }
        assertThat(aBlocks && bBlocks).as("both replicas block").isTrue();
        assertThat(refusals).as("401s before the block over both replicas; the 20th refusal is a 429").isEqualTo(19);

        // blocked: unknown keys are refused without a lookup; the valid key goes on
        double lookupsBefore = lookups(replicaA) + lookups(replicaB);
        for (int i = 0; i < 50; i++) {
            assertThat(status(a, TestData.unknownKey())).isEqualTo(429);
            assertThat(status(b, TestData.unknownKey())).isEqualTo(429);
        }
        assertThat(lookups(replicaA) + lookups(replicaB) - lookupsBefore).as("no lookup for a blocked guess")
                .isZero();

        // both clients go on for longer than the key cache holds the valid key
        List<Integer> validStatuses = new ArrayList<>();
        long until = System.nanoTime() + 5_000_000_000L;
        int guesses = 0;
        while (System.nanoTime() < until) {
            validStatuses.add(status(a, valid));
            validStatuses.add(status(b, valid));
            assertThat(status(a, TestData.unknownKey())).isEqualTo(429);
            assertThat(status(b, TestData.unknownKey())).isEqualTo(429);
            guesses += 2;
            Thread.sleep(50);
        }
        double lookups = lookups(replicaA) + lookups(replicaB) - lookupsBefore;
        System.out.println("blocked address: " + validStatuses.size() + " valid-key requests, " + guesses
                + " guesses, " + lookups + " key lookups (the valid key's, after its cache entry expired)");
        assertThat(validStatuses).as("the valid key on both replicas").allSatisfy(s -> assertThat(s).isEqualTo(200));
        assertThat(lookups).as("only the valid key is looked up again, about once per cache-ttl and replica")
                .isLessThanOrEqualTo(8);
        assertThat(spared(replicaA)).isPositive();
        assertThat(spared(replicaB)).isPositive();
    }

    @Test
    void blockedAddressWhenAValidKeyThisReplicaNeverVerifiedThenItWaitsForTheBlock() {
        String ip = "127.0.0.1";
        String fresh = RateLimitIntegrationTests.keyOf(RateLimitIntegrationTests.user("standard"));
        for (int i = 0; i < 40 && status(a, TestData.unknownKey()) != 429; i++) {
            // reaches (or finds) the block of this address
        }
        assertThat(status(a, fresh)).as("a key first sent from " + ip + " while it is blocked").isEqualTo(429);
    }

    private static int status(RawHttp replica, String key) {
        return replica.get("/api/assets/1", "Authorization: Bearer " + key).status();
    }

    private static double lookups(SecondGateway replica) {
        return replica.context().getBean(MeterRegistry.class).counter("s4e.apikey.db.lookups").count();
    }

    private static double spared(SecondGateway replica) {
        return replica.context().getBean(MeterRegistry.class).counter("s4e.ratelimit.block.spared").count();
    }
}

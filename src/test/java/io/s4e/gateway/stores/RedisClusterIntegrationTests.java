package io.s4e.gateway.stores;

import java.util.HashMap;
import java.util.Map;

import io.s4e.gateway.ratelimit.Http;
import io.s4e.gateway.support.RedisNodes;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.http.HttpMethod;

import static io.s4e.gateway.stores.StoreCalls.PASSWORD;
import static io.s4e.gateway.stores.StoreCalls.bearer;
import static io.s4e.gateway.stores.StoreCalls.emailOf;
import static io.s4e.gateway.stores.StoreCalls.keyOf;
import static io.s4e.gateway.stores.StoreCalls.login;
import static io.s4e.gateway.stores.StoreCalls.millisUntilRefused;
import static io.s4e.gateway.stores.StoreCalls.session;
import static io.s4e.gateway.stores.StoreCalls.status;
import static io.s4e.gateway.stores.StoreCalls.user;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways on a Redis Cluster of three masters and three replicas (this test's own {@code redis-server}
 * processes, {@code spring.data.redis.cluster.nodes}), sharing the suite's PostgreSQL: keys, sessions, tier quotas,
 * login lockout and invalidation work across both as on one Redis, since every multi-key script and command keeps
 * its keys in one slot; with the whole cluster gone, limits fall back to the in-process limiter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIntegrationTests {

    private RedisNodes cluster;
    private SecondGateway gatewayA;
    private SecondGateway gatewayB;
    private Http a;
    private Http b;
    private String prefix;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(RedisNodes.available(), "redis-server and redis-cli are needed");
        cluster = RedisNodes.cluster();
        prefix = "s4e-cluster-" + ProcessHandle.current().pid() + ":";
        Map<String, String> properties = new HashMap<>(StoreCalls.realLimits());
        properties.put("spring.data.redis.cluster.nodes", RedisNodes.hostPorts(cluster.ports()));
        properties.put("spring.data.redis.timeout", "2s");
        properties.put("s4e.redis.key-prefix", prefix);
        properties.put("s4e.rate-limits.redis-retry", "500ms");
        try {
            gatewayA = SecondGateway.start(properties);
            gatewayB = SecondGateway.start(properties);
        }
        catch (RuntimeException e) {
            stop();
            throw e;
        }
        a = new Http(gatewayA.port());
        b = new Http(gatewayB.port());
    }

    @AfterAll
    void stop() {
        if (gatewayA != null) {
            gatewayA.close();
        }
        if (gatewayB != null) {
            gatewayB.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void apiKeyWorksOnBothAndRevocationIsRefusedOnTheOtherWithinOneSecond() throws InterruptedException {
        String key = keyOf(user("standard"));
        assertThat(status(a, key)).isEqualTo(200);
        assertThat(status(b, key)).isEqualTo(200);
        assertThat(status(a, TestData.unknownKey())).isEqualTo(401);

        Reply revoked = a.call(HttpMethod.DELETE, "/api/keys/" + TestData.keyId(key),
                bearer(TestInfrastructure.get().adminKey), null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        long after = millisUntilRefused(b, key);
        System.out.printf("cluster: revoked key refused on the other gateway after %d ms%n", after);
        assertThat(after).isLessThan(1000);
        assertThat(status(a, key)).isEqualTo(401);
    }

    @Test
    @Order(2)
    void sessionFromOneGatewayWorksOnTheOtherAndItsLogoutIsRefusedThereWithinOneSecond()
            throws InterruptedException {
        String email = emailOf(user("standard"));
        String token = session(a, email);
        assertThat(status(a, token)).isEqualTo(200);
        assertThat(status(b, token)).isEqualTo(200);
        assertThat(status(b, token)).as("now from b's near cache").isEqualTo(200);

        Reply out = a.call(HttpMethod.POST, StoreCalls.LOGOUT, bearer(token), null);
        assertThat(out.status()).as(out.body()).isEqualTo(200);
        long after = millisUntilRefused(b, token);
        System.out.printf("cluster: logged-out session refused on the other gateway after %d ms%n", after);
        assertThat(after).isLessThan(1000);
        assertThat(status(a, token)).isEqualTo(401);
    }

    @Test
    @Order(3)
    void logoutEverywhereEndsSessionsWhoseKeysLieInDifferentSlots() throws InterruptedException {
        String email = emailOf(user("standard"));
        String first = session(a, email);
        String second = session(b, email);
        String third = session(a, email);
        assertThat(status(b, first)).isEqualTo(200);
        assertThat(status(a, second)).isEqualTo(200);
        assertThat(status(b, third)).isEqualTo(200);

        Reply out = b.call(HttpMethod.POST, StoreCalls.LOGOUT + "?all=true", bearer(second), null);
        assertThat(out.status()).as(out.body()).isEqualTo(200);
        assertThat(millisUntilRefused(a, first)).isLessThan(1000);
        assertThat(millisUntilRefused(b, first)).isLessThan(1000);
        assertThat(millisUntilRefused(a, third)).isLessThan(1000);
        assertThat(millisUntilRefused(a, second)).isLessThan(1000);
        assertThat(session(a, email)).as("a new login counts again").isNotBlank();
    }

    @Test
    @Order(4)
    void tierQuotaIsOneBucketAcrossBothGateways() {
        long user = user("standard"); // 100 per minute and a burst of 20: 120 tokens
        String key = keyOf(user);
        int admitted = 0;
        int refusedInARow = 0;
        for (int i = 0; i < 400 && refusedInARow < 2; i++) {
            Reply reply = (i % 2 == 0 ? a : b).get("/api/assets/1", key);
            if (reply.status() == 429) {
                reply.assertRateLimited();
                refusedInARow++;
            } else {
                assertThat(reply.status()).as(reply.body()).isEqualTo(200);
                admitted++;
                refusedInARow = 0;
            }
        }
        assertThat(refusedInARow).as("both gateways refuse in the end").isEqualTo(2);
        // 120 tokens plus what refills (100/min) while the loop runs; two separate buckets would admit 240.
        System.out.printf("cluster: tier quota admitted %d of 120 across two gateways%n", admitted);
        assertThat(admitted).isBetween(120, 150);
        String bucket = prefix + "rl:{u:" + user + "}:tier";
        assertThat(clusterGet("hget", bucket, "ts")).as("the bucket lives in the cluster").isNotBlank();
    }

    @Test
    @Order(5)
    void wrongPasswordsOnBothGatewaysLockTheAccountEvenForTheRightPassword() {
        long user = user("standard");
        String email = emailOf(user);
        for (int i = 1; i <= 4; i++) {
            Reply reply = login(i % 2 == 0 ? a : b, email, "a wrong password of some length");
            assertThat(reply.status()).as("failure " + i + ": " + reply.body()).isEqualTo(401);
        }
        Reply fifth = login(a, email, "a wrong password of some length");
        assertThat(fifth.assertRateLimited()).as("the fifth failure locks for 15 minutes").isEqualTo(900);
        Reply right = login(b, email, PASSWORD);
        assertThat(right.assertRateLimited()).as("locked on the other gateway too").isBetween(1L, 900L);
        assertThat(session(b, emailOf(user("standard")))).as("another account").isNotBlank();
    }

    @Test
    @Order(6)
    void sessionGenerationMovesWithARevocationAndEndsSessionsOnBothGateways() throws InterruptedException {
        long user = user("standard");
        String token = session(a, emailOf(user));
        assertThat(status(b, token)).isEqualTo(200);
        Reply disabled = a.call(HttpMethod.PATCH, "/api/admin/users/" + user,
                bearer(TestInfrastructure.get().adminKey), "{\"disabled\":true}");
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(millisUntilRefused(b, token)).isLessThan(1000);
        assertThat(clusterGet("get", prefix + "user-gen:" + user)).as("the generation moved").isEqualTo("1");
    }

    /**
     * The session list and its "sign out this device", and a password change that keeps the current session: every
     * step is a one-key command, so they work with the user's sessions in different slots.
     */
    @Test
    @Order(7)
    void sessionListEndOneAndPasswordChangeWorkWithSessionsInDifferentSlots() throws InterruptedException {
        String email = emailOf(user("standard"));
        String first = session(a, email);
        String second = session(b, email);
        String third = session(a, email);
        assertThat(status(b, second)).isEqualTo(200);

        Reply list = a.get("/api/user/sessions", first);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(list.json().path("data")).hasSize(3);
        String secondSid = Http.JSON.readTree(new String(java.util.Base64.getUrlDecoder()
                .decode(second.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8)).path("sid").asString();
        Reply ended = a.call(HttpMethod.DELETE, "/api/user/sessions/" + secondSid, bearer(first), null);
        assertThat(ended.status()).as(ended.body()).isEqualTo(200);
        long after = millisUntilRefused(b, second);
        System.out.printf("cluster: session ended from the list refused on the other gateway after %d ms%n", after);
        assertThat(after).isLessThan(1000);

        Reply changed = b.call(HttpMethod.POST, "/api/user/password", bearer(first),
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"a cluster passphrase of old\"}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(millisUntilRefused(b, third)).isLessThan(1000);
        assertThat(status(a, first)).as("the session of the change stays").isEqualTo(200);
        assertThat(status(b, first)).isEqualTo(200);
        assertThat(a.get("/api/user/sessions", first).json().path("data")).hasSize(1);
    }

    @Test
    @Order(100)
    void clusterUnreachableThenLimitsFallBackToTheInProcessLimiterWithTheSameNumbers() {
        String key = keyOf(user("standard"));
        assertThat(status(a, key)).isEqualTo(200);
        cluster.stopServers();
        for (int i = 1; i <= 3; i++) {
            long start = System.nanoTime();
            Reply reply = a.get("/rl/limited/x", key);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).isEqualTo(3 - i);
            assertThat((System.nanoTime() - start) / 1_000_000).as("bounded wait").isLessThan(5000);
        }
        a.get("/rl/limited/x", key).assertRateLimited();
        for (int i = 1; i <= 3; i++) {
            assertThat(a.call(HttpMethod.GET, "/rl/open/x", Map.of(), null).status()).isEqualTo(200);
        }
        a.call(HttpMethod.GET, "/rl/open/x", Map.of(), null).assertRateLimited();
    }

    /** A read through {@code redis-cli -c} on the first node, which follows the cluster's redirections. */
    private String clusterGet(String... command) {
        String[] args = new String[command.length + 1];
        args[0] = "-c";
        System.arraycopy(command, 0, args, 1, command.length);
        return cluster.cli(cluster.ports().get(0), args).trim();
    }
}

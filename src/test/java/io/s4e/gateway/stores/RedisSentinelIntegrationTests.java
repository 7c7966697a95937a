package io.s4e.gateway.stores;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * A gateway on a Redis master and replica watched by three sentinels (this test's own processes,
 * {@code spring.data.redis.sentinel.*}): the functional basics, then the master killed under light load. A valid
 * credential is never answered 401, nothing without one gets through, and the gateway recovers without a restart;
 * the seconds of 503 are printed with the timeline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelIntegrationTests {

    private static final String MASTER = "s4e-master";
    /** Longest the failover may take before the gateway answers every valid request again. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(30);

    private RedisNodes redis;
    private SecondGateway gateway;
    private Http http;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(RedisNodes.available(), "redis-server and redis-cli are needed");
        redis = RedisNodes.sentinels(MASTER);
        Map<String, String> properties = new HashMap<>();
        properties.put("spring.data.redis.sentinel.master", MASTER);
        properties.put("spring.data.redis.sentinel.nodes", RedisNodes.hostPorts(redis.ports().subList(2, 5)));
        properties.put("s4e.redis.key-prefix", "s4e-sentinel-" + ProcessHandle.current().pid() + ":");
        properties.put("s4e.rate-limits.login.max-failures", "5");
        properties.put("s4e.rate-limits.redis-retry", "500ms");
        try {
            gateway = SecondGateway.start(properties);
        }
        catch (RuntimeException e) {
            stop();
            throw e;
        }
        http = new Http(gateway.port());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void keysSessionsLogoutAndLockoutWorkThroughTheSentinels() throws InterruptedException {
        String key = keyOf(user("standard"));
        assertThat(status(http, key)).isEqualTo(200);
        assertThat(status(http, TestData.unknownKey())).isEqualTo(401);

        String email = emailOf(user("standard"));
        String token = session(http, email);
        assertThat(status(http, token)).isEqualTo(200);
        assertThat(redis.cli(master(), "keys", "*session:*")).as("sessions are kept on the master").isNotBlank();
        assertThat(http.call(HttpMethod.POST, StoreCalls.LOGOUT, bearer(token), null).status()).isEqualTo(200);
        assertThat(millisUntilRefused(http, token)).isLessThan(1000);

        String locked = emailOf(user("standard"));
        for (int i = 1; i <= 4; i++) {
            assertThat(login(http, locked, "a wrong password of some length").status()).isEqualTo(401);
        }
        login(http, locked, "a wrong password of some length").assertRateLimited();
        login(http, locked, PASSWORD).assertRateLimited();

        Reply revoked = http.call(HttpMethod.DELETE, "/api/keys/" + TestData.keyId(key),
                bearer(TestInfrastructure.get().adminKey), null);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(status(http, key)).isEqualTo(401);
    }

    @Test
    @Order(2)
    void masterKilledUnderLoadThenNo401NothingLetThroughAndRecoveryWithoutRestart() throws InterruptedException {
        int port = gateway.port();
        String key = keyOf(user("standard"));
        String email = emailOf(user("standard"));
        String token = session(http, email);
        String otherToken = session(http, emailOf(user("standard")));
        assertThat(status(http, key)).isEqualTo(200);
        awaitReplicated();

        List<Load.Kind> kinds = List.of(
                new Load.Kind("key", true, n -> Load.get(port, "/api/assets/" + n)
                        .header("Authorization", "Bearer " + key).build()),
                new Load.Kind("session", true, n -> Load.get(port, "/api/assets/" + n)
                        .header("Authorization", "Bearer " + (n % 2 == 0 ? token : otherToken)).build()),
                new Load.Kind("login", true, n -> Load.get(port, StoreCalls.LOGIN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(StoreCalls.loginBody(email, PASSWORD))).build()),
                new Load.Kind("invalid", false, n -> Load.get(port, "/api/assets/" + n)
                        .header("Authorization", "Bearer " + (n % 3 == 0 ? TestData.unknownKey()
                                : n % 3 == 1 ? "not-a-credential" : token + "x")).build()));
        int killedAt;
        int recoveredAt;
        Load load = new Load(kinds, Duration.ofMillis(20));
        try {
            Thread.sleep(3000);
            int old = master();
            redis.kill(old);
            killedAt = load.second();
            load.mark("master killed", killedAt);
            recoveredAt = awaitRecovery(load, killedAt);
            load.mark("all 200 from here", recoveredAt);
            Thread.sleep(2000);
        }
        finally {
            load.close();
        }
        List<Load.Answer> answers = load.answers();
        List<Integer> unavailable = load.secondsUnavailable();
        System.out.printf("sentinel failover: %d requests, master killed at t=%ds, recovered at t=%ds, "
                        + "seconds with a 503 for a valid credential: %d %s%n%s", answers.size(), killedAt,
                recoveredAt, unavailable.size(), unavailable, load.timeline());

        assertThat(answers.stream().filter(Load.Answer::valid).filter(a -> a.status() == 401))
                .as("no valid credential refused").isEmpty();
        assertThat(answers.stream().filter(a -> a.valid() && a.status() != 200 && a.status() != 503))
                .as("a valid credential gets 200 or, during the failover, 503").isEmpty();
        assertThat(answers.stream().filter(a -> !a.valid() && a.status() != 401 && a.status() != 503))
                .as("nothing without a valid credential let through").isEmpty();
        assertThat(recoveredAt - killedAt).as("recovered without a restart").isLessThan(
                (int) RECOVERY_BOUND.toSeconds());
        assertThat(status(http, token)).as("sessions from before the failover are kept").isEqualTo(200);
        assertThat(session(http, email)).isNotBlank();
    }

    /** The port of the current master, as the sentinels see it. */
    private int master() {
        String answer = redis.cli(redis.ports().get(2), "sentinel", "get-master-addr-by-name", MASTER);
        return Integer.parseInt(answer.trim().split("\\s+")[1]);
    }

    /** Waits until the replica has every write the master had a moment ago. */
    private void awaitReplicated() throws InterruptedException {
        int master = master();
        int replica = redis.ports().subList(0, 2).stream().filter(p -> p != master).findFirst().orElseThrow();
        long wanted = offset(redis.cli(master, "info", "replication"), "master_repl_offset");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (offset(redis.cli(replica, "info", "replication"), "slave_repl_offset") < wanted) {
            assertThat(System.nanoTime()).as("replica caught up").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long offset(String info, String field) {
        Matcher m = Pattern.compile(field + ":(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * The second from which every valid request was answered 200 for three whole seconds, after {@code from};
     * fails after {@link #RECOVERY_BOUND}.
     */
    static int awaitRecovery(Load load, int from) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            int now = load.second();
            for (int s = from + 1; s + 3 <= now; s++) {
                int first = s;
                List<Load.Answer> window = load.answers().stream().filter(Load.Answer::valid)
                        .filter(a -> a.second() >= first && a.second() < first + 3).toList();
                if (!window.isEmpty() && window.stream().allMatch(a -> a.status() == 200)) {
                    return s;
                }
            }
        }
        return from + (int) RECOVERY_BOUND.toSeconds();
    }
}

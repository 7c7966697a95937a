package io.s4e.gateway.hardening;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import io.s4e.gateway.session.SessionProperties;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis and PostgreSQL really stopped and started again: a replica runs on a Redis server and a PostgreSQL cluster
 * of this test's own. The contract (§1, §5, §6): what needs a store that is down answers 503 (never 401) within the
 * store's timeout, what does not need it keeps working, and the replica recovers without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreOutageTests {

    /** {@code spring.data.redis.timeout} of this replica (above the 1 s default, for a loaded machine's start). */
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);
    /** {@code s4e.api-keys.lookup-timeout} of this replica. */
    private static final Duration LOOKUP_TIMEOUT = Duration.ofMillis(1500);
    /** What a loaded machine may add to a bound; a correctness margin, not a performance figure. */
    private static final Duration MARGIN = Duration.ofSeconds(3);

    PrivateRedis redis;
    PrivatePostgres postgres;
    SecondGateway gateway;
    RawHttp http;
    String admin;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(PrivatePostgres.available(), "PostgreSQL 15 binaries or runuser missing");
        redis = PrivateRedis.start();
        postgres = PrivatePostgres.start();
        gateway = SecondGateway.start(Map.ofEntries(
                Map.entry("spring.data.redis.url", redis.url()),
                Map.entry("spring.data.redis.timeout", REDIS_TIMEOUT.toMillis() + "ms"),
                Map.entry("spring.data.redis.connect-timeout", REDIS_TIMEOUT.toMillis() + "ms"),
                Map.entry("spring.r2dbc.url", postgres.r2dbcUrl()),
                Map.entry("spring.flyway.url", postgres.jdbcUrl(PrivatePostgres.DATABASE)),
                Map.entry("s4e.redis.key-prefix", "s4e-outage-" + ProcessHandle.current().pid() + ":"),
                Map.entry("s4e.api-keys.lookup-timeout", LOOKUP_TIMEOUT.toMillis() + "ms"),
                Map.entry("s4e.api-keys.cache-ttl", "120s")));
        http = new RawHttp(gateway.port());
        admin = "X-API-Key: " + TestInfrastructure.get().adminKey;
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void redisStoppedWhenSessionsUsedThen503KeysKeepWorkingAndRecoveryWithoutRestart() {
        String token = adminSession();
        String unusedKey = newKey();
        assertThat(http.get("/api/assets/1", admin).status()).isEqualTo(200);
        assertThat(http.get("/api/assets/1", bearer(token)).status()).isEqualTo(200);

        redis.stop();
        try {
            pastSessionCache();
            assertUnavailableWithin(REDIS_TIMEOUT, () -> http.get("/api/assets/1", bearer(token)));
            assertUnavailableWithin(REDIS_TIMEOUT, () -> HardeningCalls.postJson(http, HardeningCalls.LOGIN,
                    adminLoginBody()));
            assertUnavailableWithin(REDIS_TIMEOUT, () -> http.send("POST", "/api/user/auth/logout", null,
                    bearer(token)));
            assertThat(http.get("/api/assets/1", admin).status()).as("cached key").isEqualTo(200);
            assertThat(http.get("/api/assets/1", "X-API-Key: " + unusedKey).status()).as("key from PostgreSQL")
                    .isEqualTo(200);
            // Limits fall back to the in-process limiter with the same numbers (the rl-limited route: 3/min per
            // account), never "everything allowed", and no decision waits beyond s4e.rate-limits.redis-timeout.
            for (int i = 1; i <= 3; i++) {
                String path = "/rl/limited/" + i;
                RawHttp.Response allowed = withinBound(() -> http.get(path, admin));
                assertThat(allowed.status()).as("fallback allows " + path).isEqualTo(200);
            }
            RawHttp.Response limited = withinBound(() -> http.get("/rl/limited/4", admin));
            assertThat(limited.status()).as("fallback refuses beyond the limit").isEqualTo(429);
            assertThat(limited.json().path("error").path("code").asString()).isEqualTo("rate_limited");
            assertThat(limited.json().path("error").path("retry_after").asInt()).isPositive();
            assertThat(limited.header("Retry-After")).isNotNull();
        }
        finally {
            redis.startAgain();
        }

        RawHttp.Response login = eventually(() -> HardeningCalls.postJson(http, HardeningCalls.LOGIN,
                adminLoginBody()), 200, Duration.ofSeconds(20));
        String fresh = login.json().path("data").path("token").asString();
        assertThat(http.get("/api/assets/1", bearer(fresh)).status()).isEqualTo(200);
        RawHttp.Response lost = http.get("/api/assets/1", bearer(token));
        assertThat(lost.status()).as("its session went with the stopped server").isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(lost.body(), "unauthorized");
    }

    @Test
    void postgresStoppedWhenKeysUsedThenCachedWorkUncached503ThenRecoveryWithoutRestart() throws Exception {
        String token = adminSession();
        String uncached = newKey();
        assertThat(http.get("/api/assets/1", admin).status()).isEqualTo(200);

        postgres.stop();
        try {
            assertThat(http.get("/api/assets/1", admin).status()).as("cached key").isEqualTo(200);
            assertThat(http.get("/api/assets/1", bearer(token)).status()).as("session needs only Redis")
                    .isEqualTo(200);
            assertUnavailableWithin(LOOKUP_TIMEOUT, () -> http.get("/api/assets/1", "X-API-Key: " + uncached));
            assertUnavailableWithin(LOOKUP_TIMEOUT, () -> http.get("/api/assets/1", "X-API-Key: " + uncached));
            assertUnavailableWithin(Duration.ofSeconds(2), () -> HardeningCalls.postJson(http,
                    HardeningCalls.LOGIN, adminLoginBody()));
            // Refusals go on being answered while their audit events wait in memory for PostgreSQL.
            for (int i = 0; i < AUDITED_DURING_OUTAGE; i++) {
                // a path of their own: refusals of one source within s4e.audit.refusal-window share one row (its
                // first request's id), and a 401 of the same source just before would have opened it
                RawHttp.Response refused = withinBound(() -> http.get("/api/assets/" + auditRun,
                        "X-API-Key: s4e_live_malformed", "X-Request-ID: " + auditRun + "-" + System.nanoTime()));
                assertThat(refused.status()).isEqualTo(401);
            }
        }
        finally {
            postgres.startAgain();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long arrived = auditedRefusals();
        while (arrived < AUDITED_DURING_OUTAGE && System.nanoTime() < deadline) {
            Thread.sleep(250);
            arrived = auditedRefusals();
        }
        assertThat(arrived).as("every audit event of the outage arrives once PostgreSQL is back, once each")
                .isEqualTo(AUDITED_DURING_OUTAGE);

        eventually(() -> http.get("/api/assets/1", "X-API-Key: " + uncached), 200, Duration.ofSeconds(20));
        eventually(() -> HardeningCalls.postJson(http, HardeningCalls.LOGIN, adminLoginBody()), 200,
                Duration.ofSeconds(20));
    }

    /** Refused requests whose audit events were recorded while PostgreSQL was stopped. */
    private static final int AUDITED_DURING_OUTAGE = 12;

    /** Request ids of this run's audited refusals start with it. */
    private final String auditRun = "outage-audit-" + ProcessHandle.current().pid();

    private long auditedRefusals() {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(PrivatePostgres.DATABASE), "postgres", "");
             PreparedStatement query = c.prepareStatement("SELECT COALESCE(sum(count), 0) "
                     + "FROM audit_log WHERE event = 'request.refused' AND request_id LIKE ?")) {
            query.setString(1, auditRun + "-%");
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
        catch (SQLException unreachableYet) {
            return -1;
        }
    }

    /** The call answers within a bound no store timeout of this replica exceeds. */
    private static RawHttp.Response withinBound(Supplier<RawHttp.Response> call) {
        long start = System.nanoTime();
        RawHttp.Response reply = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered without waiting for the store")
                .isLessThan(REDIS_TIMEOUT.plus(MARGIN));
        return reply;
    }

    private String adminSession() {
        RawHttp.Response login = HardeningCalls.postJson(http, HardeningCalls.LOGIN, adminLoginBody());
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        return login.json().path("data").path("token").asString();
    }

    private static String adminLoginBody() {
        return HardeningCalls.loginBody(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD);
    }

    private String newKey() {
        RawHttp.Response created = HardeningCalls.postJson(http, "/api/keys",
                "{\"name\":\"outage\",\"scopes\":[\"read:assets\"]}", admin);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().path("data").path("key").asString();
    }

    private static String bearer(String token) {
        return "Authorization: Bearer " + token;
    }

    /** The call answers 503 in the envelope, and no later than {@code timeout} plus the margin. */
    /** The session was just read: a replica may serve it from its near cache for s4e.session.cache-ttl. */
    private static void pastSessionCache() {
        try {
            Thread.sleep(SessionProperties.MAX_CACHE_TTL.plusMillis(100).toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertUnavailableWithin(Duration timeout, Supplier<RawHttp.Response> call) {
        long start = System.nanoTime();
        RawHttp.Response reply = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.status()).as(reply.body()).isEqualTo(503);
        ErrorEnvelopes.assertEnvelope(reply.body(), "service_unavailable");
        assertThat(took).as("bounded by the configured timeout").isLessThan(timeout.plus(MARGIN));
    }

    private static RawHttp.Response eventually(Supplier<RawHttp.Response> call, int status, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        RawHttp.Response reply = call.get();
        while (reply.status() != status && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            reply = call.get();
        }
        assertThat(reply.status()).as("recovered: " + reply.body()).isEqualTo(status);
        return reply;
    }
}

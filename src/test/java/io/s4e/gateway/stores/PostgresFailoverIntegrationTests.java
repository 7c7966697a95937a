package io.s4e.gateway.stores;

import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.ratelimit.Http;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway on a PostgreSQL primary and its streaming replica, given both hosts
 * ({@code r2dbc:postgresql:failover://primary,replica/db?targetServerType=primary}): under light load the primary is
 * stopped and the replica promoted. A valid credential is never answered 401, nothing without one gets through,
 * every audit event of an answered request is kept, and the gateway recovers without a restart; the seconds of 503
 * are printed with the timeline (also run by {@code bench/failover.sh}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresFailoverIntegrationTests {

    private static final int FRESH_KEYS = 2000;

    private PostgresPair postgres;
    private SecondGateway gateway;
    private final String run = "pgfo-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(PostgresPair.available(), "PostgreSQL 15 binaries or runuser missing");
        postgres = PostgresPair.start(Duration.ZERO);
        try {
            gateway = SecondGateway.start(Map.of(
                    "spring.r2dbc.url", postgres.failoverR2dbcUrl(),
                    "spring.r2dbc.username", "postgres",
                    "spring.flyway.url", postgres.failoverJdbcUrl(),
                    "spring.flyway.user", "postgres",
                    "s4e.redis.key-prefix", "s4e-pgfo-" + ProcessHandle.current().pid() + ":"));
        }
        catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void primaryStoppedAndReplicaPromotedUnderLoadThenNo401NothingLetThroughEveryAuditEventKept()
            throws Exception {
        int port = gateway.port();
        Http http = new Http(port);
        String admin = TestInfrastructure.get().adminKey;
        List<String> fresh = freshKeys(FRESH_KEYS);
        Reply login = StoreCalls.login(http, TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        String token = login.json().path("data").path("token").asString();
        assertThat(StoreCalls.status(http, admin)).isEqualTo(200);

        String loginBody = StoreCalls.loginBody(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD);
        List<Load.Kind> kinds = List.of(
                new Load.Kind("key", true, n -> Load.get(port, "/api/assets/" + n)
                        .header("Authorization", "Bearer " + admin).build()),
                new Load.Kind("uncached-key", true, n -> Load.get(port, "/api/assets/" + n)
                        .header("Authorization", "Bearer " + fresh.get((int) (n % FRESH_KEYS))).build()),
                new Load.Kind("session", true, n -> Load.get(port, "/api/assets/" + n)
                        .header("Authorization", "Bearer " + token).build()),
                new Load.Kind("login", true, n -> Load.get(port, StoreCalls.LOGIN)
                        .header("Content-Type", "application/json").header("X-Request-ID", run + "-login-" + n)
                        .POST(HttpRequest.BodyPublishers.ofString(loginBody)).build()),
                new Load.Kind("refused", false, n -> Load.get(port, "/api/assets/" + n)
                        .header("X-Request-ID", run + "-refused-" + n)
                        .header("Authorization", "Bearer " + ApiKeyFormat.generate(new SecureRandom())).build()));
        int stoppedAt;
        int promotedAt;
        int recoveredAt;
        Load load = new Load(kinds, Duration.ofMillis(20));
        try {
            Thread.sleep(3000);
            stoppedAt = load.second();
            load.mark("primary stopped", stoppedAt);
            postgres.stopPrimary();
            Thread.sleep(1000);
            postgres.promoteReplica();
            promotedAt = load.second();
            load.mark("replica promoted", promotedAt);
            recoveredAt = RedisSentinelIntegrationTests.awaitRecovery(load, promotedAt);
            load.mark("all 200 from here", recoveredAt);
            Thread.sleep(2000);
        }
        finally {
            load.close();
        }
        List<Load.Answer> answers = load.answers();
        long logins = answers.stream().filter(a -> a.kind().equals("login") && a.status() == 200).count();
        long refusals = answers.stream().filter(a -> a.kind().equals("refused") && a.status() == 401).count();
        long unavailable = answers.stream().filter(a -> a.valid() && a.status() != 200).count();
        long auditedLogins = awaitAudit("login.success", run + "-login-%", logins);
        long auditedRefusals = awaitAudit("request.refused", run + "-refused-%", refusals);
        System.out.printf("postgres failover: %d requests, %d of them with a valid credential not answered 200; "
                        + "primary stopped at t=%ds, replica promoted at t=%ds, all 200 again from t=%ds; seconds "
                        + "with a 503 for a valid credential: %s; audit: %d of %d logins, %d of %d refusals%n%s",
                answers.size(), unavailable, stoppedAt, promotedAt, recoveredAt, load.secondsUnavailable(),
                auditedLogins, logins, auditedRefusals, refusals, load.timeline());

        assertThat(answers.stream().filter(Load.Answer::valid).filter(a -> a.status() == 401))
                .as("no valid credential refused").isEmpty();
        assertThat(answers.stream().filter(a -> a.valid() && a.status() != 200 && a.status() != 503))
                .as("a valid credential gets 200 or, during the failover, 503").isEmpty();
        assertThat(answers.stream().filter(a -> !a.valid() && a.status() != 401 && a.status() != 503))
                .as("nothing without a valid credential let through").isEmpty();
        assertThat(auditedLogins).as("every login's audit event kept").isEqualTo(logins);
        assertThat(auditedRefusals).as("every refusal's audit event kept").isEqualTo(refusals);
        assertThat(recoveredAt - promotedAt).as("recovered without a restart").isLessThan(30);
        assertThat(StoreCalls.status(http, fresh.get(FRESH_KEYS - 1))).isEqualTo(200);
    }

    /** {@code count} new keys of the bootstrap admin, written to the primary; their secrets. */
    private List<String> freshKeys(int count) throws SQLException {
        SecureRandom random = new SecureRandom();
        List<String> secrets = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(postgres.primaryPort,
                PostgresPair.DATABASE), "postgres", "");
             PreparedStatement s = c.prepareStatement("INSERT INTO api_keys (id, user_id, name, key_hash, prefix, "
                     + "last4, scopes) SELECT ?, id, 'failover', ?, ?, ?, ? FROM users WHERE email = ?")) {
            Array scopes = c.createArrayOf("text", new Object[] {"read:assets"});
            for (int i = 0; i < count; i++) {
                String secret = ApiKeyFormat.generate(random);
                s.setString(1, "key-%08x".formatted(0xf0000000 + i));
                s.setString(2, SecretHashes.sha256(secret));
                s.setString(3, ApiKeyFormat.displayPrefix(secret));
                s.setString(4, ApiKeyFormat.last4(secret));
                s.setArray(5, scopes);
                s.setString(6, TestInfrastructure.ADMIN_EMAIL);
                s.addBatch();
                secrets.add(secret);
            }
            s.executeBatch();
        }
        return secrets;
    }

    /** The audit events {@code event} of this run's {@code requestIds}, once {@code expected} arrived or 30 s. */
    private long awaitAudit(String event, String requestIds, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long found = audited(event, requestIds);
        while (found < expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            found = audited(event, requestIds);
        }
        Thread.sleep(500);
        return audited(event, requestIds);
    }

    private long audited(String event, String requestIds) {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(postgres.replicaPort,
                PostgresPair.DATABASE), "postgres", "");
             PreparedStatement query = c.prepareStatement(
                     "SELECT count(*) FROM audit_log WHERE event = ? AND request_id LIKE ?")) {
            query.setString(1, event);
            query.setString(2, requestIds);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
        catch (SQLException unreachable) {
            return -1;
        }
    }
}

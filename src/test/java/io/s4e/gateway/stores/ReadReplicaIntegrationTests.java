package io.s4e.gateway.stores;

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
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.MeterRegistry;
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

import org.springframework.http.HttpMethod;

import static io.s4e.gateway.stores.StoreCalls.bearer;
import static io.s4e.gateway.stores.StoreCalls.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway with a read pool ({@code s4e.datasource.read-url}) on a streaming replica that applies every change
 * {@link #LAG} late ({@code recovery_min_apply_delay}): uncached key lookups are answered by the replica, yet a key
 * revoked, or a key whose user was disabled, is refused at once although the replica still shows it active, a
 * key newer than the replica works at once, and the console's audit query lists what the replica has.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadReplicaIntegrationTests {

    private static final Duration LAG = Duration.ofSeconds(4);

    private PostgresPair postgres;
    private SecondGateway gateway;
    private Http http;

    @BeforeAll
    void start() {
        Assumptions.assumeTrue(PostgresPair.available(), "PostgreSQL 15 binaries or runuser missing");
        postgres = PostgresPair.start(LAG);
        try {
            gateway = SecondGateway.start(Map.of(
                    "spring.r2dbc.url", postgres.failoverR2dbcUrl(),
                    "spring.r2dbc.username", "postgres",
                    "spring.flyway.url", postgres.failoverJdbcUrl(),
                    "spring.flyway.user", "postgres",
                    "s4e.datasource.read-url", postgres.replicaR2dbcUrl(),
                    "s4e.redis.key-prefix", "s4e-reads-" + ProcessHandle.current().pid() + ":"));
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
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void lookupsReadTheReplicaButARevokedKeyOrDisabledUserIsRefusedAtOnceWhileTheReplicaLags() throws Exception {
        long user = insertUser();
        List<String> keys = insertKeys(user, 3);
        List<String> lookups = insertKeys(user, 200);
        awaitOnReplica(lookups.get(lookups.size() - 1));

        double replicaBefore = reads("read");
        double primaryBefore = reads("primary");
        for (String key : lookups) {
            assertThat(status(http, key)).isEqualTo(200);
        }
        double byReplica = reads("read") - replicaBefore;
        double byPrimary = reads("primary") - primaryBefore;
        System.out.printf("read pool: %d uncached key lookups, %.0f answered by the replica, %.0f by the primary%n",
                lookups.size(), byReplica, byPrimary);
        assertThat(byReplica).as("uncached lookups read the replica").isEqualTo(lookups.size());
        assertThat(byPrimary).isZero();

        String revoked = keys.get(0);
        assertThat(status(http, revoked)).isEqualTo(200);
        Reply revoke = http.call(HttpMethod.DELETE, "/api/keys/" + keyId(revoked),
                bearer(TestInfrastructure.get().adminKey), null);
        assertThat(revoke.status()).as(revoke.body()).isEqualTo(200);
        assertThat(status(http, revoked)).as("revoked: refused at once").isEqualTo(401);
        assertThat(onReplica("SELECT revoked_at IS NULL FROM api_keys WHERE id = ?", keyId(revoked)))
                .as("while the replica still shows it active").isEqualTo("t");

        // The console's audit query reads the replica: the revocation's event is on the primary but not listed yet.
        String auditQuery = "/api/audit-log?event=key.revoked&user_id=" + user;
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (!onPrimary("SELECT count(*) FROM audit_log WHERE event = 'key.revoked' AND user_id = ?", user)
                .equals("1")) {
            assertThat(System.nanoTime()).as("the audit event is written").isLessThan(deadline);
            Thread.sleep(50);
        }
        Reply listed = http.call(HttpMethod.GET, auditQuery, bearer(TestInfrastructure.get().adminKey), null);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.json().path("data").path("events").size()).as("not on the lagging replica yet").isZero();

        String neverUsed = keys.get(1);
        Reply disable = http.call(HttpMethod.PATCH, "/api/admin/users/" + user,
                bearer(TestInfrastructure.get().adminKey), "{\"disabled\":true}");
        assertThat(disable.status()).as(disable.body()).isEqualTo(200);
        assertThat(status(http, neverUsed)).as("a disabled user's uncached key: refused at once").isEqualTo(401);
        assertThat(status(http, keys.get(2))).isEqualTo(401);
        assertThat(onReplica("SELECT disabled FROM users WHERE id = ?", user))
                .as("while the replica still shows the user enabled").isEqualTo("f");

        deadline = System.nanoTime() + LAG.plusSeconds(10).toNanos();
        while (http.call(HttpMethod.GET, auditQuery, bearer(TestInfrastructure.get().adminKey), null).json()
                .path("data").path("events").size() == 0) {
            assertThat(System.nanoTime()).as("listed once the replica has it").isLessThan(deadline);
            Thread.sleep(200);
        }

        long other = insertUser();
        String fresh = insertKeys(other, 1).get(0);
        assertThat(status(http, fresh)).as("a key the replica does not have yet works at once").isEqualTo(200);
    }

    private double reads(String pool) {
        return gateway.context().getBean(MeterRegistry.class).counter("s4e.db.reads", "pool", pool).count();
    }

    private long insertUser() throws SQLException {
        try (Connection c = primary();
             PreparedStatement s = c.prepareStatement("INSERT INTO users (email, role) VALUES (?, 'member') "
                     + "RETURNING id")) {
            s.setString(1, "reads-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "@example.test");
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private List<String> insertKeys(long user, int count) throws SQLException {
        SecureRandom random = new SecureRandom();
        List<String> secrets = new ArrayList<>();
        try (Connection c = primary();
             PreparedStatement s = c.prepareStatement("INSERT INTO api_keys (id, user_id, name, key_hash, prefix, "
                     + "last4, scopes) VALUES (?, ?, 'reads', ?, ?, ?, ?)")) {
            Array scopes = c.createArrayOf("text", new Object[] {"read:assets"});
            for (int i = 0; i < count; i++) {
                String secret = ApiKeyFormat.generate(random);
                s.setString(1, "key-%08x".formatted(random.nextInt()));
                s.setLong(2, user);
                s.setString(3, SecretHashes.sha256(secret));
                s.setString(4, ApiKeyFormat.displayPrefix(secret));
                s.setString(5, ApiKeyFormat.last4(secret));
                s.setArray(6, scopes);
                s.addBatch();
                secrets.add(secret);
            }
            s.executeBatch();
        }
        return secrets;
    }

    private void awaitOnReplica(String secret) throws Exception {
        long deadline = System.nanoTime() + LAG.plusSeconds(20).toNanos();
        while (!onReplicaOrNot("SELECT count(*) FROM api_keys WHERE key_hash = ?", SecretHashes.sha256(secret))
                .equals("1")) {
            assertThat(System.nanoTime()).as("the replica applies the keys").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** {@link #onReplica}, or "" while the replica has not applied the schema yet. */
    private String onReplicaOrNot(String sql, Object parameter) {
        try {
            return onReplica(sql, parameter);
        }
        catch (SQLException notYet) {
            return "";
        }
    }

    private String onPrimary(String sql, Object parameter) throws SQLException {
        try (Connection c = primary(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, parameter);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private String keyId(String secret) throws SQLException {
        try (Connection c = primary();
             PreparedStatement s = c.prepareStatement("SELECT id FROM api_keys WHERE key_hash = ?")) {
            s.setString(1, SecretHashes.sha256(secret));
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private String onReplica(String sql, Object parameter) throws SQLException {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(postgres.replicaPort,
                PostgresPair.DATABASE), "postgres", "");
             PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, parameter);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private Connection primary() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(postgres.primaryPort, PostgresPair.DATABASE),
                "postgres", "");
    }
}

package io.s4e.gateway.support;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.credential.ApiKeyFormat;

/**
 * What every integration test of this JVM shares: its own database, its own Redis key space, a real upstream, a
 * port where nothing listens, and the bootstrap admin key.
 */
public final class TestInfrastructure {

    public static final String ADMIN_EMAIL = "admin@example.test";
    public static final String ADMIN_PASSWORD = "correct horse battery staple";

    private static TestInfrastructure instance;

    public final TestDatabase database;
    public final EchoUpstream upstream;
    public final String redisPrefix;
    public final String adminKey;
    public final int closedPort;

    private TestInfrastructure() {
        this.database = TestDatabase.create();
        this.upstream = EchoUpstream.start();
        this.redisPrefix = "s4e-test-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff) + ":";
        this.adminKey = ApiKeyFormat.generate(new SecureRandom());
        this.closedPort = Ports.free();
    }

    public static synchronized TestInfrastructure get() {
        if (instance == null) {
            instance = new TestInfrastructure();
        }
        return instance;
    }

    /** The properties that point a gateway at this infrastructure. */
    public Map<String, String> properties() {
        return Map.ofEntries(
                Map.entry("spring.r2dbc.url", database.r2dbcUrl()),
                Map.entry("spring.r2dbc.username", TestDatabase.USER),
                Map.entry("spring.flyway.url", database.jdbcUrl()),
                Map.entry("spring.flyway.user", TestDatabase.USER),
                Map.entry("s4e.redis.key-prefix", redisPrefix),
                Map.entry("s4e.bootstrap.admin-email", ADMIN_EMAIL),
                Map.entry("s4e.bootstrap.admin-password", ADMIN_PASSWORD),
                Map.entry("s4e.bootstrap.admin-api-key", adminKey),
                Map.entry("test.upstream.url", upstream.url()),
                Map.entry("test.closed.url", "http://127.0.0.1:" + closedPort));
    }
}

package io.s4e.gateway.apikey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.support.TestInfrastructureInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway whose PostgreSQL connections pass through a proxy the test can cut: when the store cannot answer, an
 * API key that needs a lookup is answered 503, never 401, and the failure is not remembered as a refusal
 * (CONTRACT §1).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("it")
@ContextConfiguration(initializers = { TestInfrastructureInitializer.class,
        ApiKeyStoreOutageIntegrationTests.ThroughProxy.class })
class ApiKeyStoreOutageIntegrationTests {

    private static final TcpProxy POSTGRES = proxy();

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    GatewayCalls gateway;

    /** Points the gateway's R2DBC connections (not Flyway's) at the proxy; runs after the shared initializer. */
    static class ThroughProxy implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("s4eThroughProxy",
                    Map.of("spring.r2dbc.url", TestInfrastructure.get().database.r2dbcUrl("127.0.0.1", POSTGRES.port()))));
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    @BeforeEach
    void setUp() {
        gateway = new GatewayCalls(port);
    }

    @AfterEach
    void restore() {
        POSTGRES.restore();
    }

    @Test
    void verifyWhenPostgresUnreachableAndKeyNotCachedThen503AndKeyWorksOnceItIsBack() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        POSTGRES.cut();

        Reply reply = gateway.get("/api/assets/1", secret);

        assertThat(reply.status()).as(reply.body()).isEqualTo(503);
        assertThat(reply.errorCode()).isEqualTo("service_unavailable");
        assertThat(reply.headers().getFirst("WWW-Authenticate")).isNull();
        POSTGRES.restore();
        assertThat(gateway.assetsStatus(secret)).as("the outage was not cached as a refusal").isEqualTo(200);
    }

    @Test
    void verifyWhenPostgresUnreachableThenEveryLaterRequestAsksAgain() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        POSTGRES.cut();
        double lookups = lookups();

        for (int i = 0; i < 5; i++) {
            assertThat(gateway.assetsStatus(secret)).isEqualTo(503);
        }

        assertThat(lookups() - lookups).as("no request is given an earlier request's failure").isEqualTo(5);
    }

    @Test
    void verifyWhenPostgresUnreachableAndKeyUnknownThen503NotRefused() {
        String unknown = TestData.unknownKey();
        POSTGRES.cut();

        assertThat(gateway.assetsStatus(unknown)).isEqualTo(503);

        POSTGRES.restore();
        assertThat(gateway.get("/api/assets/1", unknown).errorMessage()).isEqualTo("Invalid or expired API key.");
    }

    @Test
    void verifyWhenPostgresUnreachableAndKeyCachedThenStillServed() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);

        POSTGRES.cut();

        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
    }

    @Test
    void verifyWhenPostgresUnreachableAndChecksumWrongThen401WithoutTheStore() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        String tampered = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
        POSTGRES.cut();

        Reply reply = gateway.get("/api/assets/1", tampered);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errorMessage()).isEqualTo("Invalid or expired API key.");
    }

    private double lookups() {
        return meters.get("s4e.apikey.db.lookups").counter().count();
    }

    private static TcpProxy proxy() {
        try {
            return new TcpProxy(TestDatabase.HOST, TestDatabase.PORT);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

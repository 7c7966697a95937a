package io.s4e.gateway.apikey;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway whose PostgreSQL goes away: keys it already verified keep working for their cache lifetime, others get
 * 503 (never 401) within the lookup timeout, and it recovers without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresOutageIntegrationTests {

    private TcpProxy postgres;
    private SecondGateway gateway;

    @BeforeAll
    void start() throws IOException {
        TestInfrastructure infrastructure = TestInfrastructure.get();
        postgres = new TcpProxy(TestDatabase.HOST, TestDatabase.PORT);
        gateway = SecondGateway.start(Map.of(
                "spring.r2dbc.url", infrastructure.database.r2dbcUrl("127.0.0.1", postgres.port()),
                "s4e.api-keys.lookup-timeout", "1500ms",
                "s4e.api-keys.cache-ttl", "60s"));
    }

    @AfterAll
    void stop() {
        gateway.close();
        postgres.close();
    }

    @Test
    void requestWhenPostgresUnreachableThenCachedKeyWorksAndUncachedKeyGets503ThenRecovers() {
        long owner = TestData.user("admin");
        String cached = TestData.key(owner, List.of("read:assets"));
        String uncached = TestData.key(owner, List.of("read:assets"));
        assertThat(call(cached).getStatus().value()).isEqualTo(200);

        postgres.cut();
        try {
            assertThat(call(cached).getStatus().value()).isEqualTo(200);

            long start = System.nanoTime();
            EntityExchangeResult<String> refused = call(uncached);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(refused.getStatus().value()).isEqualTo(503);
            assertThat(refused.getResponseBody()).contains("\"code\":\"service_unavailable\"");
            assertThat(took).isLessThan(Duration.ofSeconds(4));

            // a failure is not cached as a refusal: asking again still says 503, not 401
            assertThat(call(uncached).getStatus().value()).isEqualTo(503);
        }
        finally {
            postgres.restore();
        }
        assertThat(eventually(uncached, 200, Duration.ofSeconds(15))).isTrue();
    }

    private EntityExchangeResult<String> call(String key) {
        return gateway.client().mutate().responseTimeout(Duration.ofSeconds(10)).build()
                .get().uri("/api/assets/1")
                .header("X-API-Key", key)
                .exchange()
                .expectBody(String.class)
                .returnResult();
    }

    private boolean eventually(String key, int status, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (call(key).getStatus().value() == status) {
                return true;
            }
            try {
                Thread.sleep(200);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}

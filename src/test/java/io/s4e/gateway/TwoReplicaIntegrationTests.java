package io.s4e.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Two gateways sharing PostgreSQL and Redis: what one revokes, the other refuses within a second. */
@GatewayIntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoReplicaIntegrationTests {

    private static final Duration BOUND = Duration.ofSeconds(1);

    @LocalServerPort
    int port;

    private SecondGateway second;

    @BeforeAll
    void startSecondReplica() {
        second = SecondGateway.start(Map.of());
    }

    @AfterAll
    void stopSecondReplica() {
        second.close();
    }

    private WebTestClient first() {
        return TestClients.of(port);
    }

    @Test
    void revokeWhenKeyCachedOnOtherReplicaThenRefusedThereWithinOneSecond() {
        Map<String, Object> created = createKey();
        String secret = (String) created.get("key");
        assertThat(status(second.client(), secret)).isEqualTo(HttpStatus.OK);
        assertThat(status(second.client(), secret)).isEqualTo(HttpStatus.OK);

        first().delete().uri("/api/keys/" + created.get("id"))
                .header("Authorization", "Bearer " + TestInfrastructure.get().adminKey)
                .exchange()
                .expectStatus().isOk();

        Duration refusedAfter = timeUntilRefused(second.client(), secret);
        System.out.printf("revocation refused on the other replica after %d ms%n", refusedAfter.toMillis());
        assertThat(refusedAfter).isLessThan(BOUND);
    }

    @Test
    void rotateWithoutGraceWhenOldKeyCachedOnOtherReplicaThenRefusedThereWithinOneSecond() {
        Map<String, Object> created = createKey();
        String secret = (String) created.get("key");
        assertThat(status(second.client(), secret)).isEqualTo(HttpStatus.OK);

        Map<String, Object> rotated = first().post().uri("/api/keys/" + created.get("id") + "/rotate")
                .header("Authorization", "Bearer " + TestInfrastructure.get().adminKey)
                .bodyValue(Map.of("grace_seconds", 0))
                .exchange()
                .expectStatus().isOk()
                .expectBody(ENVELOPE)
                .returnResult().getResponseBody().data();

        Duration refusedAfter = timeUntilRefused(second.client(), secret);
        assertThat(refusedAfter).isLessThan(BOUND);
        assertThat(status(second.client(), (String) rotated.get("key"))).isEqualTo(HttpStatus.OK);
    }

    @Test
    void startWhenBootstrapAlreadyRanThenNothingIsCreatedTwice() {
        String adminKeyHash = SecretHashes.sha256(TestInfrastructure.get().adminKey);
        assertThat(TestData.queryString("SELECT count(*) FROM api_keys WHERE key_hash = ?", adminKeyHash))
                .isEqualTo("1");
        assertThat(TestData.queryString("SELECT count(*) FROM users WHERE lower(email) = lower(?)",
                TestInfrastructure.ADMIN_EMAIL)).isEqualTo("1");
    }

    private Map<String, Object> createKey() {
        return first().post().uri("/api/keys")
                .header("Authorization", "Bearer " + TestInfrastructure.get().adminKey)
                .bodyValue(Map.of("name", "replica test", "scopes", List.of("read:assets")))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(ENVELOPE)
                .returnResult().getResponseBody().data();
    }

    private static HttpStatusCode status(WebTestClient client, String key) {
        return client.get().uri("/api/assets/1")
                .header("Authorization", "Bearer " + key)
                .exchange()
                .returnResult(Void.class)
                .getStatus();
    }

    /** Polls every 20 ms for up to 5 s; returns how long the key kept working after the change. */
    private static Duration timeUntilRefused(WebTestClient client, String key) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
            if (status(client, key).value() == 401) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            pause();
        }
        return Duration.ofSeconds(5);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Class<DataEnvelope> ENVELOPE = DataEnvelope.class;

    record DataEnvelope(String status, Map<String, Object> data) {
    }
}

package io.s4e.gateway.apikey;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Revocation and rotation of API keys (CONTRACT §5), seen from the requests that use the keys. */
@GatewayIntegrationTest
class ApiKeyRevocationIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;
    private static final String REFUSED = "Invalid or expired API key.";

    @LocalServerPort
    int port;

    @Autowired
    ReactiveStringRedisTemplate redis;

    GatewayCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayCalls(port);
    }

    @Test
    void revokeWhenKeyJustCachedThenRefusedOnTheVeryNextRequest() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "to revoke", List.of("read:assets"));
        String secret = created.get("key").asString();
        String id = created.get("id").asString();
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);

        Reply revoked = gateway.delete("/api/keys/" + id, ADMIN_KEY);
        Reply next = gateway.get("/api/assets/1", secret);

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.data().get("id").asString()).isEqualTo(id);
        assertThat(Instant.parse(revoked.data().get("revoked_at").asString()))
                .isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
        assertThat(revoked.data().has("key")).isFalse();
        assertThat(revoked.body()).doesNotContain(secret);
        assertThat(next.status()).isEqualTo(401);
        assertThat(next.errorCode()).isEqualTo("unauthorized");
        assertThat(next.errorMessage()).isEqualTo(REFUSED);
        assertThat(next.headers().getFirst("WWW-Authenticate")).isEqualTo("Bearer realm=\"s4e\"");
        assertThat(gateway.get("/private/x", secret).status()).isEqualTo(401);
    }

    @Test
    void revokeWhenRepeatedThenHarmlessAndKeepsFirstRevocationTime() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "twice", List.of("read:assets"));
        String id = created.get("id").asString();

        Reply first = gateway.delete("/api/keys/" + id, ADMIN_KEY);
        Reply second = gateway.delete("/api/keys/" + id, ADMIN_KEY);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.data().get("revoked_at").asString()).isEqualTo(first.data().get("revoked_at").asString());
        assertThat(gateway.assetsStatus(created.get("key").asString())).isEqualTo(401);
        assertThat(gateway.get("/api/keys/" + id, ADMIN_KEY).data().get("revoked_at").isNull()).isFalse();
    }

    @Test
    void revokeWhenAnotherReplicaPublishesItThenRefusedHereWithinOneSecond() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        String id = TestData.keyId(secret);
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
        TestData.update("UPDATE api_keys SET revoked_at = now() WHERE id = ?", id);
        assertThat(gateway.assetsStatus(secret)).as("still cached: nothing told this replica").isEqualTo(200);

        redis.convertAndSend(TestInfrastructure.get().redisPrefix + "invalidate", "key:" + SecretHashes.sha256(secret))
                .block(Duration.ofSeconds(5));

        assertThat(firstRefusal(secret, Duration.ofSeconds(1), null)).as("refused within 1 s").isNotNull();
    }

    @Test
    void revokeWhenKeyWasRotatedThenBothSecretsRefused() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "rotated then revoked", List.of("read:assets"));
        String old = created.get("key").asString();
        String id = created.get("id").asString();
        String fresh = gateway.rotate(ADMIN_KEY, id, null).get("key").asString();
        assertThat(gateway.assetsStatus(old)).isEqualTo(200);
        assertThat(gateway.assetsStatus(fresh)).isEqualTo(200);

        assertThat(gateway.delete("/api/keys/" + id, ADMIN_KEY).status()).isEqualTo(200);

        assertThat(gateway.assetsStatus(old)).isEqualTo(401);
        assertThat(gateway.assetsStatus(fresh)).isEqualTo(401);
    }

    @Test
    void rotateWhenCalledThenNewSecretWithSameNameScopesAndExpiry() {
        Instant expiresAt = Instant.now().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
        JsonNode created = gateway.createKey(ADMIN_KEY, "{\"name\":\"rotating\",\"scopes\":[\"read:assets\","
                + "\"read:scans\"],\"expires_at\":\"" + expiresAt + "\"}");
        String id = created.get("id").asString();

        Reply reply = gateway.post("/api/keys/" + id + "/rotate", ADMIN_KEY, "{}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode rotated = reply.data();
        String secret = rotated.get("key").asString();
        assertThat(ApiKeyFormat.isWellFormed(secret)).isTrue();
        assertThat(secret).isNotEqualTo(created.get("key").asString());
        assertThat(rotated.get("id").asString()).isEqualTo(id);
        assertThat(rotated.get("name").asString()).isEqualTo("rotating");
        assertThat(rotated.get("scopes")).isEqualTo(created.get("scopes"));
        assertThat(Instant.parse(rotated.get("expires_at").asString())).isEqualTo(expiresAt);
        assertThat(rotated.get("created_at").asString()).isEqualTo(created.get("created_at").asString());
        JsonNode shown = gateway.get("/api/keys/" + id, ADMIN_KEY).data();
        assertThat(shown.get("prefix").asString()).isEqualTo(secret.substring(0, 13));
        assertThat(shown.get("last4").asString()).isEqualTo(secret.substring(secret.length() - 4));
    }

    @Test
    void rotateWhenNoGraceGivenThenOldSecretKeepsWorkingForADay() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "default grace", List.of("read:assets"));
        String old = created.get("key").asString();
        assertThat(gateway.assetsStatus(old)).isEqualTo(200);

        JsonNode rotated = gateway.rotate(ADMIN_KEY, created.get("id").asString(), null);

        assertThat(Instant.parse(rotated.get("previous_key_expires_at").asString()))
                .isCloseTo(Instant.now().plus(Duration.ofDays(1)), within(1, ChronoUnit.MINUTES));
        assertThat(gateway.assetsStatus(rotated.get("key").asString())).isEqualTo(200);
        assertThat(gateway.assetsStatus(old)).isEqualTo(200);
        Reply echo = gateway.get("/api/assets/1", old);
        assertThat(echo.upstreamHeader("X-S4E-Key-Id")).isEqualTo(created.get("id").asString());
    }

    @Test
    void rotateWhenGraceOneSecondThenOldSecretRefusedOnceGraceEnds() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "short grace", List.of("read:assets"));
        String old = created.get("key").asString();
        assertThat(gateway.assetsStatus(old)).isEqualTo(200);

        JsonNode rotated = gateway.rotate(ADMIN_KEY, created.get("id").asString(), "{\"grace_seconds\":1}");
        Instant graceEnd = Instant.parse(rotated.get("previous_key_expires_at").asString());

        assertThat(firstRefusal(old, Duration.ofSeconds(5), graceEnd)).as("refused within 5 s").isNotNull();
        assertThat(gateway.assetsStatus(rotated.get("key").asString())).isEqualTo(200);
    }

    @Test
    void rotateWhenGraceZeroThenOldSecretRefusedAtOnce() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "no grace", List.of("read:assets"));
        String old = created.get("key").asString();
        assertThat(gateway.assetsStatus(old)).isEqualTo(200);

        JsonNode rotated = gateway.rotate(ADMIN_KEY, created.get("id").asString(), "{\"grace_seconds\":0}");

        Reply refused = gateway.get("/api/assets/1", old);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.errorMessage()).isEqualTo(REFUSED);
        assertThat(gateway.assetsStatus(rotated.get("key").asString())).isEqualTo(200);
    }

    @Test
    void rotateWhenKeyRevokedThen409ConflictAndNothingChanged() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "revoked", List.of("read:assets"));
        String id = created.get("id").asString();
        gateway.delete("/api/keys/" + id, ADMIN_KEY);
        String hash = Rows.keyColumn(id, "key_hash");

        Reply reply = gateway.post("/api/keys/" + id + "/rotate", ADMIN_KEY, "{\"grace_seconds\":60}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(409);
        assertThat(reply.errorCode()).isEqualTo("conflict");
        assertThat(Rows.keyColumn(id, "key_hash")).isEqualTo(hash);
        assertThat(Rows.keyColumn(id, "previous_hash")).isNull();
        assertThat(gateway.assetsStatus(created.get("key").asString())).isEqualTo(401);
    }

    @Test
    void rotateWhenRotatedTwiceThenSecretInFirstGraceStopsAtSecondRotation() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "twice rotated", List.of("read:assets"));
        String id = created.get("id").asString();
        String original = created.get("key").asString();
        String first = gateway.rotate(ADMIN_KEY, id, "{\"grace_seconds\":3600}").get("key").asString();
        assertThat(gateway.assetsStatus(original)).as("in the first rotation's grace").isEqualTo(200);

        String second = gateway.rotate(ADMIN_KEY, id, "{\"grace_seconds\":3600}").get("key").asString();

        assertThat(gateway.assetsStatus(original)).isEqualTo(401);
        assertThat(gateway.assetsStatus(first)).as("in the second rotation's grace").isEqualTo(200);
        assertThat(gateway.assetsStatus(second)).isEqualTo(200);
    }

    /**
     * Polls a route {@code key} may use until the key is refused, for at most {@code limit}. Every acceptance must have
     * been asked for before {@code deadline} and the refusal answered at or after it (when {@code deadline} is given).
     *
     * @return when the refusal was received; null when the key was never refused
     */
    private Instant firstRefusal(String key, Duration limit, Instant deadline) {
        Instant giveUp = Instant.now().plus(limit);
        while (Instant.now().isBefore(giveUp)) {
            Instant sent = Instant.now();
            int status = gateway.assetsStatus(key);
            Instant received = Instant.now();
            if (status == 401) {
                if (deadline != null) {
                    assertThat(received).as("not refused before " + deadline).isAfterOrEqualTo(deadline);
                }
                return received;
            }
            assertThat(status).isEqualTo(200);
            if (deadline != null) {
                assertThat(sent).as("accepted only before " + deadline).isBefore(deadline);
            }
            sleep(50);
        }
        return null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

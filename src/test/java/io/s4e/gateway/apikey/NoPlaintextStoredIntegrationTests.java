package io.s4e.gateway.apikey;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.StoredText;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Only a one-way hash of a key is ever stored (CONTRACT §5); the secret is shown once and written nowhere. */
@GatewayIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class NoPlaintextStoredIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;

    @LocalServerPort
    int port;

    GatewayCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayCalls(port);
    }

    @Test
    void storeWhenKeysCreatedRotatedAndRevokedThenNoSecretInAnyColumn() {
        List<String> secrets = new ArrayList<>(issueKeysThroughTheEndpoints());
        secrets.add(ADMIN_KEY);
        assertThat(StoredText.columns()).extracting(c -> c[0] + "." + c[1])
                .contains("api_keys.key_hash", "api_keys.previous_hash", "api_keys.prefix", "api_keys.last4",
                        "users.password_hash");

        for (String secret : secrets) {
            String random = secret.substring(ApiKeyFormat.PREFIX.length(), ApiKeyFormat.BODY_LENGTH);
            String body = secret.substring(ApiKeyFormat.PREFIX.length());
            assertThat(StoredText.placesHolding(secret)).as("full secret").isEmpty();
            assertThat(StoredText.placesHolding(body)).as("secret without its prefix").isEmpty();
            assertThat(StoredText.placesHolding(random)).as("26 random characters").isEmpty();
        }
    }

    @Test
    void storeWhenKeyCreatedThenKeyHashIsSha256OfSecret() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "hashed", List.of("read:assets"));
        String id = created.get("id").asString();
        String secret = created.get("key").asString();

        assertThat(Rows.keyColumn(id, "key_hash")).isEqualTo(SecretHashes.sha256(secret)).matches("[0-9a-f]{64}");
        assertThat(Rows.keyColumn(id, "previous_hash")).isNull();
        assertThat(Rows.keyColumn(id, "prefix")).isEqualTo(secret.substring(0, 13));
        assertThat(Rows.keyColumn(id, "last4")).isEqualTo(secret.substring(secret.length() - 4));
    }

    @Test
    void storeWhenKeyRotatedThenCurrentAndPreviousHashesAreOfTheTwoSecrets() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "rotated hash", List.of("read:assets"));
        String id = created.get("id").asString();

        String fresh = gateway.rotate(ADMIN_KEY, id, "{\"grace_seconds\":60}").get("key").asString();

        assertThat(Rows.keyColumn(id, "key_hash")).isEqualTo(SecretHashes.sha256(fresh));
        assertThat(Rows.keyColumn(id, "previous_hash")).isEqualTo(SecretHashes.sha256(created.get("key").asString()));
    }

    @Test
    void bootstrapKeyWhenStoredThenOnlyItsHash() {
        assertThat(Rows.number("SELECT count(*) FROM api_keys WHERE key_hash = ?", SecretHashes.sha256(ADMIN_KEY)))
                .isEqualTo(1);
        assertThat(StoredText.placesHolding(ADMIN_KEY)).isEmpty();
    }

    @Test
    void logsWhenKeysCreatedUsedRotatedAndRevokedThenNoSecretWritten(CapturedOutput output) {
        List<String> secrets = issueKeysThroughTheEndpoints();
        secrets.forEach(secret -> gateway.assetsStatus(secret));

        for (String secret : secrets) {
            assertThat(output.getAll()).doesNotContain(secret)
                    .doesNotContain(secret.substring(ApiKeyFormat.PREFIX.length(), ApiKeyFormat.BODY_LENGTH));
        }
    }

    /** Creates, rotates and revokes keys through the endpoints and returns every secret they ever had. */
    private List<String> issueKeysThroughTheEndpoints() {
        List<String> secrets = new ArrayList<>();
        JsonNode plain = gateway.createKey(ADMIN_KEY, "plain", List.of("read:assets", "write:assets"));
        JsonNode expiring = gateway.createKey(ADMIN_KEY, "{\"name\":\"expiring\",\"scopes\":[\"read:scans\"],"
                + "\"expires_at\":\"" + Instant.now().plus(1, ChronoUnit.DAYS) + "\"}");
        JsonNode admin = gateway.createKey(ADMIN_KEY, "admin", List.of("admin"));
        secrets.add(plain.get("key").asString());
        secrets.add(expiring.get("key").asString());
        secrets.add(admin.get("key").asString());
        secrets.add(gateway.rotate(ADMIN_KEY, plain.get("id").asString(), null).get("key").asString());
        secrets.add(gateway.rotate(ADMIN_KEY, plain.get("id").asString(), "{\"grace_seconds\":0}")
                .get("key").asString());
        secrets.add(gateway.rotate(ADMIN_KEY, expiring.get("id").asString(), "{\"grace_seconds\":120}")
                .get("key").asString());
        assertThat(gateway.delete("/api/keys/" + admin.get("id").asString(), ADMIN_KEY).status()).isEqualTo(200);
        return secrets;
    }
}

package io.s4e.gateway.bootstrap;

import java.time.Duration;
import java.util.List;

import io.s4e.gateway.apikey.BootstrapKeys;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.StoredText;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.user.PasswordHasher;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** What the gateway ensures on start from {@code s4e.bootstrap.*} (CONTRACT §9), and that doing it again is harmless. */
@GatewayIntegrationTest
class BootstrapIntegrationTests {

    private static final String ADMIN_EMAIL = TestInfrastructure.ADMIN_EMAIL;
    private static final String ADMIN_PASSWORD = TestInfrastructure.ADMIN_PASSWORD;
    private static final String ADMIN_KEY_HASH = SecretHashes.sha256(TestInfrastructure.get().adminKey);

    @Autowired
    Bootstrap bootstrap;

    @Autowired
    PasswordHasher passwords;

    @Autowired
    BootstrapKeys keys;

    @Test
    void bootstrapWhenStartedThenAdminUserExistsWithArgon2idHash() {
        String hash = TestData.queryString("SELECT password_hash FROM users WHERE email = ?", ADMIN_EMAIL);

        assertThat(TestData.queryString("SELECT role FROM users WHERE email = ?", ADMIN_EMAIL)).isEqualTo("admin");
        assertThat(TestData.queryString("SELECT disabled::text FROM users WHERE email = ?", ADMIN_EMAIL))
                .isEqualTo("false");
        assertThat(hash).startsWith("$argon2id$").doesNotContain(ADMIN_PASSWORD);
        assertThat(passwords.matches(ADMIN_PASSWORD, hash).block(Duration.ofSeconds(10))).isTrue();
        assertThat(passwords.matches(ADMIN_PASSWORD + "x", hash).block(Duration.ofSeconds(10))).isFalse();
    }

    @Test
    void bootstrapWhenStartedThenAdminPasswordStoredNowhereInPlaintext() {
        assertThat(StoredText.placesHolding(ADMIN_PASSWORD)).isEmpty();
    }

    @Test
    void bootstrapWhenStartedThenAdminKeyExistsOnceWithAdminScopeOwnedByAdmin() {
        String adminId = TestData.queryString("SELECT id::text FROM users WHERE email = ?", ADMIN_EMAIL);

        assertThat(count("SELECT count(*) FROM api_keys WHERE key_hash = ? OR previous_hash = ?",
                ADMIN_KEY_HASH, ADMIN_KEY_HASH)).isEqualTo(1);
        assertThat(keyColumn("scopes::text")).isEqualTo("{admin}");
        assertThat(keyColumn("user_id::text")).isEqualTo(adminId);
        assertThat(keyColumn("revoked_at")).isNull();
        assertThat(keyColumn("expires_at")).isNull();
        assertThat(keyColumn("id")).matches("key-[0-9a-f]{8}");
    }

    @Test
    void bootstrapWhenAdminEmailConfiguredThenNoServiceUserCreated() {
        assertThat(count("SELECT count(*) FROM users WHERE email = 'bootstrap-admin@s4e.invalid'")).isZero();
    }

    @Test
    void bootstrapWhenRunAgainThenCreatesNothingNew() {
        long users = count("SELECT count(*) FROM users");
        long keys = count("SELECT count(*) FROM api_keys");
        String keyId = keyColumn("id");
        String passwordHash = TestData.queryString("SELECT password_hash FROM users WHERE email = ?", ADMIN_EMAIL);

        bootstrap.bootstrap().block(Duration.ofSeconds(30));
        bootstrap.bootstrap().block(Duration.ofSeconds(30));

        assertThat(count("SELECT count(*) FROM users")).isEqualTo(users);
        assertThat(count("SELECT count(*) FROM api_keys")).isEqualTo(keys);
        assertThat(keyColumn("id")).isEqualTo(keyId);
        assertThat(TestData.queryString("SELECT password_hash FROM users WHERE email = ?", ADMIN_EMAIL))
                .isEqualTo(passwordHash);
    }

    @Test
    void ensureKeyWhenTwoReplicasBootstrapTheSameSecretAtOnceThenOneKeyAndNoFailure() {
        long owner = TestData.user("admin");
        String secret = TestData.unknownKey();

        for (int attempt = 0; attempt < 5; attempt++) {
            String attemptSecret = attempt == 0 ? secret : TestData.unknownKey();
            List<Boolean> created = Flux.merge(
                            keys.ensureKey(owner, "bootstrap admin key", List.of("admin"), attemptSecret),
                            keys.ensureKey(owner, "bootstrap admin key", List.of("admin"), attemptSecret))
                    .collectList()
                    .block(Duration.ofSeconds(30));

            assertThat(created).containsExactlyInAnyOrder(true, false);
            assertThat(count("SELECT count(*) FROM api_keys WHERE key_hash = ?", SecretHashes.sha256(attemptSecret)))
                    .isEqualTo(1);
        }
    }

    private static String keyColumn(String column) {
        return TestData.queryString("SELECT " + column + " FROM api_keys WHERE key_hash = ?", ADMIN_KEY_HASH);
    }

    private static long count(String sql, Object... parameters) {
        return Long.parseLong(TestData.queryString(sql, parameters));
    }
}

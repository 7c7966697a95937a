package io.s4e.gateway.user;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.StoredText;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST} and {@code GET /api/admin/users} (CONTRACT §6): access, validation, storage of the password. */
@GatewayIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class UserEndpointsIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;
    private static final String USERS = "/api/admin/users";

    @LocalServerPort
    int port;

    @Autowired
    PasswordHasher hasher;

    UserCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new UserCalls(port);
    }

    @Test
    void createWhenAdminKeyThenReturns201WithUserAndDefaultTier() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String email = uniqueEmail();

        Reply reply = gateway.post(USERS, ADMIN_KEY,
                "{\"email\":\"" + email + "\",\"password\":\"a long enough secret\",\"role\":\"member\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonNode user = reply.data().get("user");
        assertThat(user.propertyNames())
                .containsExactlyInAnyOrder("id", "email", "role", "tier", "disabled", "created_at");
        assertThat(user.get("id").asLong()).isPositive();
        assertThat(user.get("email").asString()).isEqualTo(email);
        assertThat(user.get("role").asString()).isEqualTo("member");
        assertThat(user.get("tier").asString()).isEqualTo("standard");
        assertThat(user.get("disabled").asBoolean()).isFalse();
        assertThat(Instant.parse(user.get("created_at").asString())).isBetween(before, Instant.now());
    }

    @Test
    void createWhenTierGivenThenStored() {
        Reply reply = gateway.post(USERS, ADMIN_KEY, "{\"email\":\"" + uniqueEmail()
                + "\",\"password\":\"a long enough secret\",\"role\":\"viewer\",\"tier\":\"enterprise\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        long id = reply.data().get("user").get("id").asLong();
        assertThat(reply.data().get("user").get("tier").asString()).isEqualTo("enterprise");
        assertThat(TestData.queryString("SELECT tier FROM users WHERE id = ?", id)).isEqualTo("enterprise");
        assertThat(TestData.queryString("SELECT role FROM users WHERE id = ?", id)).isEqualTo("viewer");
    }

    @Test
    void createWhenPasswordGivenThenOnlyItsArgon2idHashIsStoredAndNothingShowsIt(CapturedOutput output) {
        String password = "plaintext-" + Long.toHexString(ThreadLocalRandom.current().nextLong());

        Reply reply = gateway.post(USERS, ADMIN_KEY, "{\"email\":\"" + uniqueEmail()
                + "\",\"password\":\"" + password + "\",\"role\":\"member\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        long id = reply.data().get("user").get("id").asLong();
        String hash = TestData.queryString("SELECT password_hash FROM users WHERE id = ?", id);
        assertThat(hash).startsWith("$argon2id$");
        assertThat(hasher.matches(password, hash).block()).isTrue();
        assertThat(StoredText.placesHolding(password)).isEmpty();
        assertThat(reply.body()).doesNotContain(password).doesNotContain(hash).doesNotContain("password");
        assertThat(gateway.get(USERS, ADMIN_KEY).body()).doesNotContain(hash).doesNotContain("password");
        assertThat(output.getAll()).doesNotContain(password);
    }

    @Test
    void createWhenEmailExistsInAnyCaseThenConflict() {
        String email = "Case-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "@Example.test";
        gateway.createUser(ADMIN_KEY, email, "a long enough secret", "member");

        Reply reply = gateway.post(USERS, ADMIN_KEY, "{\"email\":\"" + email.toLowerCase()
                + "\",\"password\":\"another long secret\",\"role\":\"viewer\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(409);
        assertThat(reply.errorCode()).isEqualTo("conflict");
        assertThat(TestData.queryString("SELECT count(*) FROM users WHERE lower(email) = lower(?)", email))
                .isEqualTo("1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"email\":\"not-an-email\",\"password\":\"a long enough secret\",\"role\":\"member\"}",
            "{\"email\":\"a@b\",\"password\":\"a long enough secret\",\"role\":\"member\"}",
            "{\"email\":\"two@@example.test\",\"password\":\"a long enough secret\",\"role\":\"member\"}",
            "{\"email\":\"spa ce@example.test\",\"password\":\"a long enough secret\",\"role\":\"member\"}",
            "{\"password\":\"a long enough secret\",\"role\":\"member\"}",
            "{\"email\":\"none@example.test\",\"role\":\"member\"}",
            "{\"email\":\"role@example.test\",\"password\":\"a long enough secret\",\"role\":\"owner\"}",
            "{\"email\":\"norole@example.test\",\"password\":\"a long enough secret\"}",
            "{\"email\":\"tier@example.test\",\"password\":\"a long enough secret\",\"role\":\"member\",\"tier\":\"gold\"}",
            "{\"email\":\"type@example.test\",\"password\":{\"a\":1},\"role\":\"member\"}",
            "{\"email\":\"broken@example.test\",",
            "[]",
            ""})
    void createWhenBodyInvalidThenBadRequestAndNothingStored(String body) {
        long before = Long.parseLong(TestData.queryString("SELECT count(*) FROM users"));

        Reply reply = gateway.post(USERS, ADMIN_KEY, body.isEmpty() ? null : body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(Long.parseLong(TestData.queryString("SELECT count(*) FROM users"))).isEqualTo(before);
    }

    @Test
    void createWhenPasswordLongerThan1024ThenBadRequest() {
        String tooLong = "x".repeat(1025);

        Reply reply = gateway.post(USERS, ADMIN_KEY,
                "{\"email\":\"" + uniqueEmail() + "\",\"password\":\"" + tooLong + "\",\"role\":\"member\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorMessage()).contains("password");
    }

    @Test
    void createWhenPasswordOf12And1024CharactersThenAccepted() {
        gateway.createUser(ADMIN_KEY, uniqueEmail(), "x".repeat(12), "viewer");
        gateway.createUser(ADMIN_KEY, uniqueEmail(), "y".repeat(1024), "viewer");
    }

    @Test
    void listWhenAdminThenUsersNewestFirstWithoutPasswordHashes() {
        long first = gateway.createUser(ADMIN_KEY, uniqueEmail(), "a long enough secret", "member").get("id").asLong();
        long second = gateway.createUser(ADMIN_KEY, uniqueEmail(), "a long enough secret", "viewer").get("id")
                .asLong();

        Reply reply = gateway.get(USERS, ADMIN_KEY);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        for (JsonNode user : reply.data().get("users")) {
            ids.add(user.get("id").asLong());
            assertThat(user.propertyNames())
                    .containsExactlyInAnyOrder("id", "email", "role", "tier", "disabled", "created_at");
        }
        assertThat(ids).contains(first, second);
        assertThat(ids.indexOf(second)).isLessThan(ids.indexOf(first));
        assertThat(ids).contains(Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?",
                TestInfrastructure.ADMIN_EMAIL)));
        assertThat(reply.body()).doesNotContain("$argon2id$");
    }

    @Test
    void endpointsWhenNoCredentialThenUnauthorized() {
        assertThat(gateway.get(USERS, null).status()).isEqualTo(401);
        assertThat(gateway.post(USERS, null, "{}").status()).isEqualTo(401);
        assertThat(gateway.patch(USERS + "/1", null, "{\"tier\":\"premium\"}").status()).isEqualTo(401);
        assertThat(gateway.get(USERS, null).errorCode()).isEqualTo("unauthorized");
    }

    @Test
    void endpointsWhenKeyWithoutAdminScopeThenForbiddenBeforeReadingTheBody() {
        long member = TestData.user("member");
        String readerKey = TestData.key(member, List.of("read:assets"));
        long admin = TestData.user("admin");
        String adminUserNarrowKey = TestData.key(admin, List.of("read:assets", "write:assets"));

        for (String key : List.of(readerKey, adminUserNarrowKey)) {
            Reply list = gateway.get(USERS, key);
            assertThat(list.status()).as(list.body()).isEqualTo(403);
            assertThat(list.errorCode()).isEqualTo("forbidden");
            assertThat(gateway.post(USERS, key, "{\"email\":\"" + uniqueEmail()
                    + "\",\"password\":\"a long enough secret\",\"role\":\"admin\"}").status()).isEqualTo(403);
            assertThat(gateway.post(USERS, key, "{broken").status()).isEqualTo(403);
            assertThat(gateway.patch(USERS + "/" + member, key, "{\"role\":\"admin\"}").status()).isEqualTo(403);
            assertThat(gateway.patch(USERS + "/999999999", key, "{broken").status()).isEqualTo(403);
        }
        assertThat(TestData.queryString("SELECT role FROM users WHERE id = ?", member)).isEqualTo("member");
    }

    @Test
    void endpointsWhenMethodNotServedThenMethodNotAllowed() {
        assertThat(gateway.send(HttpMethod.DELETE, USERS, ADMIN_KEY, null).status()).isEqualTo(405);
        assertThat(gateway.send(HttpMethod.DELETE, USERS + "/1", ADMIN_KEY, null).status()).isEqualTo(405);
        assertThat(gateway.send(HttpMethod.GET, USERS + "/1", ADMIN_KEY, null).status()).isEqualTo(405);
    }

    static String uniqueEmail() {
        return "user-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "@example.test";
    }
}

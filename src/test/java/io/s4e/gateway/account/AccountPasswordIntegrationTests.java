package io.s4e.gateway.account;

import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.AccountCalls;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/user/me}, {@code POST /api/user/password} and the password policy of CONTRACT §10, also on the
 * admin's user creation.
 */
@GatewayIntegrationTest
class AccountPasswordIntegrationTests {

    @LocalServerPort
    int port;

    AccountCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new AccountCalls(port);
    }

    private static String passwordHash(String email) {
        return TestData.queryString("SELECT password_hash FROM users WHERE email = ?", email);
    }

    @Test
    void meWhenSessionThenUserFactorsAndSessionAuth() {
        String email = LoginCalls.mfaUser(null, true);
        TestData.update("UPDATE users SET tier = 'premium' WHERE email = ?", email);
        String mfaToken = gateway.login.login(LoginCalls.body(email, LoginCalls.PASSWORD)).json().path("data")
                .path("mfa_token").asString();
        assertThat(mfaToken).startsWith("mfa_temp_");

        String plain = gateway.token(LoginCalls.userWithPassword("viewer"), LoginCalls.PASSWORD, "me-test");
        JsonNode me = gateway.get(AccountCalls.ME, plain).data();

        assertThat(me.path("user").propertyNames()).containsExactlyInAnyOrder("id", "email", "role", "tier");
        assertThat(me.path("user").path("role").asString()).isEqualTo("viewer");
        assertThat(me.path("user").path("tier").asString()).isEqualTo("standard");
        assertThat(me.path("mfa").propertyNames()).containsExactlyInAnyOrder("totp", "email", "passkeys",
                "recovery_codes_left");
        assertThat(me.path("mfa").path("totp").asBoolean()).isFalse();
        assertThat(me.path("mfa").path("email").asBoolean()).isFalse();
        assertThat(me.path("mfa").path("passkeys").asInt()).isZero();
        assertThat(me.path("mfa").path("recovery_codes_left").asInt()).isZero();
        assertThat(me.path("auth").path("method").asString()).isEqualTo("session");
        assertThat(me.path("auth").path("amr").toString()).isEqualTo("[\"pwd\"]");
        assertThat(me.path("auth").has("key_id")).isFalse();
    }

    @Test
    void meWhenFactorsOnThenShown() {
        String email = LoginCalls.mfaUser(LoginCalls.newSecret(), true);
        TestData.update("UPDATE users SET tier = 'premium' WHERE email = ?", email);
        String key = TestData.key(AccountCalls.userId(email), List.of("read:assets"));
        for (int i = 0; i < 2; i++) {
            byte[] credentialId = new byte[16];
            new java.security.SecureRandom().nextBytes(credentialId);
            TestData.update("INSERT INTO passkeys (user_id, credential_id, attested_credential_data, sign_count, "
                    + "uv_initialized, backup_eligible, backed_up, attestation_format, name) "
                    + "VALUES (?, ?, ?, 0, true, false, false, 'none', ?)", AccountCalls.userId(email), credentialId,
                    new byte[] {3, 4}, "key " + i);
        }

        JsonNode me = gateway.getWithKey(AccountCalls.ME, key).data();

        assertThat(me.path("user").path("email").asString()).isEqualTo(email);
        assertThat(me.path("user").path("tier").asString()).isEqualTo("premium");
        assertThat(me.path("mfa").path("totp").asBoolean()).isTrue();
        assertThat(me.path("mfa").path("email").asBoolean()).isTrue();
        assertThat(me.path("mfa").path("passkeys").asInt()).isEqualTo(2);
        assertThat(me.path("auth").path("method").asString()).isEqualTo("api_key");
        assertThat(me.path("auth").path("key_id").asString()).isEqualTo(TestData.keyId(key));
        assertThat(me.path("auth").path("amr").isArray()).isTrue();
    }

    @Test
    void meWhenNoOrBadCredentialThenUnauthorized() {
        Reply none = gateway.getAnonymous(AccountCalls.ME);
        Reply bad = gateway.getWithKey(AccountCalls.ME, TestData.unknownKey());

        assertThat(none.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(none.body(), "unauthorized");
        assertThat(bad.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(bad.body(), "unauthorized");
    }

    @Test
    void changeWhenCurrentRightThenOtherSessionsEndThisOneStaysWithItsToken() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String here = gateway.login.token(email);
        String other = gateway.login.token(email);
        assertThat(gateway.get("/api/assets/1", other).status()).isEqualTo(200);

        Reply changed = gateway.post(AccountCalls.PASSWORD, here,
                AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD));

        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.data().path("sessions_ended").asLong()).isEqualTo(1);
        assertThat(gateway.get("/api/assets/1", here).status()).as("this session stays, same token").isEqualTo(200);
        assertThat(gateway.get(AccountCalls.SESSIONS, here).status()).isEqualTo(200);
        assertThat(gateway.get("/api/assets/1", other).status()).as("the other one ended").isEqualTo(401);
        assertThat(gateway.post("/api/user/auth/refresh", here, null).status()).as("and can be refreshed")
                .isEqualTo(200);
        assertThat(gateway.login.login(LoginCalls.body(email, LoginCalls.PASSWORD)).status()).isEqualTo(401);
        assertThat(gateway.login.login(LoginCalls.body(email, AccountCalls.NEW_PASSWORD)).status()).isEqualTo(200);
        assertThat(passwordHash(email)).startsWith("$argon2id$");
        AccountCalls.awaitAudit("password.change", "success", AccountCalls.userId(email), "\"sessions_ended\": 1");
    }

    @Test
    void changeWhenCurrentWrongThenUnauthorizedAndNothingChanges() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String here = gateway.login.token(email);
        String other = gateway.login.token(email);
        String before = passwordHash(email);

        Reply wrong = gateway.post(AccountCalls.PASSWORD, here,
                AccountCalls.changeBody("not the password at all", AccountCalls.NEW_PASSWORD));

        assertThat(wrong.status()).as(wrong.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(wrong.body(), "unauthorized");
        assertThat(wrong.errorMessage()).isEqualTo("The current password is wrong.");
        assertThat(passwordHash(email)).isEqualTo(before);
        assertThat(gateway.get("/api/assets/1", here).status()).isEqualTo(200);
        assertThat(gateway.get("/api/assets/1", other).status()).isEqualTo(200);
        AccountCalls.awaitAudit("password.change", "failure", AccountCalls.userId(email), "bad_password");
    }

    @Test
    void changeWhenFieldsMissingThenInvalidRequest() {
        String here = gateway.login.token(LoginCalls.userWithPassword("member"));

        Reply missing = gateway.post(AccountCalls.PASSWORD, here, AccountCalls.json("new_password",
                AccountCalls.NEW_PASSWORD));
        Reply unknown = gateway.post(AccountCalls.PASSWORD, here, "{\"password\":\"x\"}");

        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorCode()).isEqualTo("invalid_request");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("invalid_request");
    }

    /** Weak new passwords of every kind: too short, the e-mail, its local part (any case), a common password. */
    @ParameterizedTest
    @ValueSource(strings = {"short", "email", "local", "common", "common-upper"})
    void changeWhenNewPasswordWeakThenWeakPasswordWithTheReason(String kind) {
        String email = LoginCalls.userWithPassword("member");
        String here = gateway.login.token(email);
        String weak = weak(kind, email);
        String before = passwordHash(email);

        Reply reply = gateway.post(AccountCalls.PASSWORD, here,
                AccountCalls.changeBody(LoginCalls.PASSWORD, weak));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(reply.body(), "weak_password");
        assertThat(reply.errorMessage()).contains(reason(kind)).doesNotContain(weak);
        assertThat(passwordHash(email)).isEqualTo(before);
    }

    static String weak(String kind, String email) {
        return switch (kind) {
            case "short" -> "elevenchars";
            case "email" -> email.toUpperCase();
            case "local" -> email.substring(0, email.indexOf('@')).toUpperCase() + "";
            case "common" -> "1qaz2wsx3edc";
            case "common-upper" -> "QWERTY123456";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static String reason(String kind) {
        return switch (kind) {
            case "short" -> "at least 12 characters";
            case "email", "local" -> "e-mail address";
            default -> "most common passwords";
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "email", "local", "common", "common-upper"})
    void adminCreateWhenPasswordWeakThenWeakPasswordAndNothingStored(String kind) {
        String email = "weak-" + kind + "-" + Long.toHexString(System.nanoTime()) + "@example.test";
        // the local part is long enough to be a password of 12 characters
        String weak = weak(kind, email);

        Reply reply = gateway.postWithKey("/api/admin/users", TestInfrastructure.get().adminKey,
                AccountCalls.json("email", email, "password", weak, "role", "member"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(reply.body(), "weak_password");
        assertThat(reply.errorMessage()).contains(reason(kind));
        assertThat(TestData.queryString("SELECT count(*) FROM users WHERE email = ?", email)).isEqualTo("0");
    }

    @Test
    void adminCreateWhenPasswordStrongThenCreated() {
        String email = "strong-" + Long.toHexString(System.nanoTime()) + "@example.test";

        Reply reply = gateway.postWithKey("/api/admin/users", TestInfrastructure.get().adminKey,
                AccountCalls.json("email", email, "password", AccountCalls.NEW_PASSWORD, "role", "member"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    @Test
    void selfServiceWhenApiKeyThenForbiddenAndNoCredentialUnauthorized() {
        String email = LoginCalls.userWithPassword("member");
        String key = TestData.key(AccountCalls.userId(email), List.of("read:assets", "write:assets"));
        String before = passwordHash(email);

        Reply change = gateway.postWithKey(AccountCalls.PASSWORD, key,
                AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD));
        Reply list = gateway.getWithKey(AccountCalls.SESSIONS, key);
        Reply end = gateway.deleteWithKey(AccountCalls.SESSIONS + "/abc", key);
        Reply anonymous = gateway.post(AccountCalls.PASSWORD, null,
                AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD));
        Reply badKey = gateway.getWithKey(AccountCalls.SESSIONS, TestData.unknownKey());

        for (Reply reply : List.of(change, list, end)) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(403);
            ErrorEnvelopes.assertEnvelope(reply.body(), "forbidden");
        }
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(badKey.status()).isEqualTo(401);
        assertThat(passwordHash(email)).isEqualTo(before);
    }

    /**
     * The current password is checked within the login throttle: wrong guesses here lock the account like wrong
     * logins (so the endpoint cannot be used to brute-force a password), and they count against the client IP.
     */
    @Test
    void changeWhenWrongCurrentRepeatedThenAccountLockedLikeALogin() {
        try (SecondGateway strict = SecondGateway.start(Map.of(
                "s4e.rate-limits.login.max-failures", "3",
                "s4e.rate-limits.login.lock-duration", "5m"))) {
            AccountCalls calls = new AccountCalls(strict.port());
            String email = LoginCalls.userWithPassword("member");
            String here = calls.login.token(email);
            String body = AccountCalls.changeBody("a wrong guess number 1", AccountCalls.NEW_PASSWORD);
            for (int i = 0; i < 2; i++) {
                assertThat(calls.post(AccountCalls.PASSWORD, here, body).status()).isEqualTo(401);
            }

            Reply third = calls.post(AccountCalls.PASSWORD, here, body);
            Reply right = calls.post(AccountCalls.PASSWORD, here,
                    AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD));
            Reply login = calls.login.login(LoginCalls.body(email, LoginCalls.PASSWORD));

            assertThat(third.status()).as(third.body()).isEqualTo(429);
            assertThat(right.status()).as("locked even with the right password").isEqualTo(429);
            assertThat(right.errorCode()).isEqualTo("rate_limited");
            assertThat(login.status()).as("the login of the account is locked too").isEqualTo(429);
        }
    }

    @Test
    void changeWhenClientIpUsedUpItsLoginAttemptsThenRateLimited() {
        try (SecondGateway strict = SecondGateway.start(Map.of(
                "s4e.rate-limits.login.per-ip-per-minute", "2"))) {
            AccountCalls calls = new AccountCalls(strict.port());
            String email = LoginCalls.userWithPassword("member");
            String here = calls.login.token(email);
            assertThat(calls.post(AccountCalls.PASSWORD, here,
                    AccountCalls.changeBody("a wrong guess number 1", AccountCalls.NEW_PASSWORD)).status())
                    .isEqualTo(401);

            Reply limited = calls.post(AccountCalls.PASSWORD, here,
                    AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD));

            assertThat(limited.status()).as(limited.body()).isEqualTo(429);
            assertThat(limited.headers().getFirst("Retry-After")).isNotNull();
        }
    }
}

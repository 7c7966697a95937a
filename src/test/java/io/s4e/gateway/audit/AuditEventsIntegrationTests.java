package io.s4e.gateway.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of audit event the main gateway produces reaches {@code audit_log} with the request's
 * {@code X-Request-ID}, method, normalised path, client IP, user agent and the user or key it is about. (Captcha
 * events, e-mail codes and 429 refusals need another configuration: {@link AuditDeliveryIntegrationTests}.)
 */
@GatewayIntegrationTest
class AuditEventsIntegrationTests {

    private static final String LOGIN = "/api/user/auth/login";
    private static final String VERIFY = "/api/user/auth/mfa/verify";

    @LocalServerPort
    int port;

    private AuditHttp http;
    private String admin;

    @BeforeEach
    void client() {
        http = new AuditHttp(port);
        admin = TestInfrastructure.get().adminKey;
    }

    @Test
    void loginWhenPasswordRightOrWrongThenSuccessOrFailureWithReasonAndRequestFacts() {
        String email = AuditHttp.userWithPassword("member");
        long user = AuditHttp.userId(email);

        String ok = AuditHttp.requestId("login-ok");
        assertThat(http.post(LOGIN, ok, null, AuditHttp.loginBody(email, AuditHttp.PASSWORD)).status()).isEqualTo(200);
        Map<String, String> success = AuditRows.awaitEvent(ok, "login.success");
        assertThat(success).containsEntry("outcome", "success").containsEntry("user_id", String.valueOf(user))
                .containsEntry("method", "POST").containsEntry("path", LOGIN)
                .containsEntry("client_ip", "127.0.0.1").containsEntry("user_agent", AuditHttp.USER_AGENT)
                .containsEntry("request_id", ok);
        assertThat(success.get("detail_text")).isEqualTo("{\"amr\": [\"pwd\"]}");

        String bad = AuditHttp.requestId("login-bad");
        assertThat(http.post(LOGIN, bad, null, AuditHttp.loginBody(email, "not the password at all")).status())
                .isEqualTo(401);
        Map<String, String> failure = AuditRows.awaitEvent(bad, "login.failure");
        assertThat(failure).containsEntry("outcome", "failure").containsEntry("user_id", String.valueOf(user));
        assertThat(failure.get("detail_text")).isEqualTo("{\"reason\": \"bad_password\"}");
        // the refusal is its own row, or (when another refused login from this address opened the window of
        // s4e.audit.refusal-window before it) counted in that row
        Map<String, String> refused = AuditRows.awaitRefusal(bad, LOGIN);
        assertThat(refused).containsEntry("outcome", "refused").containsEntry("client_ip", "127.0.0.1");
        assertThat(refused.get("detail_text")).isEqualTo("{\"code\": \"unauthorized\", \"status\": 401}");

        String unknown = AuditHttp.requestId("login-unknown");
        http.post(LOGIN, unknown, null, AuditHttp.loginBody("nobody-" + user + "@example.test", AuditHttp.PASSWORD));
        Map<String, String> noAccount = AuditRows.awaitEvent(unknown, "login.failure");
        assertThat(noAccount.get("user_id")).isNull();
        assertThat(noAccount.get("detail_text")).isEqualTo("{\"reason\": \"unknown_account\"}");

        TestData.update("UPDATE users SET disabled = true WHERE id = ?", user);
        String disabled = AuditHttp.requestId("login-disabled");
        assertThat(http.post(LOGIN, disabled, null, AuditHttp.loginBody(email, AuditHttp.PASSWORD)).status())
                .isEqualTo(401);
        assertThat(AuditRows.awaitEvent(disabled, "login.failure").get("detail_text"))
                .isEqualTo("{\"reason\": \"disabled\"}");
    }

    @Test
    void sessionWhenRefreshedAndLoggedOutThenEventsOfTheUser() {
        String email = AuditHttp.userWithPassword("member");
        String user = String.valueOf(AuditHttp.userId(email));
        String token = http.post(LOGIN, AuditHttp.requestId("s-login"), null,
                AuditHttp.loginBody(email, AuditHttp.PASSWORD)).data().get("token").asString();

        String refresh = AuditHttp.requestId("refresh");
        Reply refreshed = http.post("/api/user/auth/refresh", refresh, token, null);
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(refresh, "session.refresh")).containsEntry("user_id", user)
                .containsEntry("path", "/api/user/auth/refresh");

        String logout = AuditHttp.requestId("logout");
        String fresh = refreshed.data().get("token").asString();
        assertThat(http.post("/api/user/auth/logout", logout, fresh, null).status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(logout, "session.logout")).containsEntry("user_id", user);

        String another = http.post(LOGIN, AuditHttp.requestId("s-login2"), null,
                AuditHttp.loginBody(email, AuditHttp.PASSWORD)).data().get("token").asString();
        String logoutAll = AuditHttp.requestId("logout-all");
        assertThat(http.post("/api/user/auth/logout?all=true", logoutAll, another, null).status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(logoutAll, "session.logout_all"))
                .containsEntry("user_id", user).containsEntry("path", "/api/user/auth/logout");
    }

    @Test
    void mfaWhenChallengedThenWrongAndRightCodeAndUnknownTokenAreEvents() {
        String email = AuditHttp.userWithPassword("member");
        String user = String.valueOf(AuditHttp.userId(email));
        String secret = AuditHttp.enableTotp(email);

        String login = AuditHttp.requestId("mfa-login");
        Reply step = http.post(LOGIN, login, null, AuditHttp.loginBody(email, AuditHttp.PASSWORD));
        assertThat(step.status()).isEqualTo(200);
        String mfaToken = step.data("mfa_required").get("mfa_token").asString();
        Map<String, String> challenge = AuditRows.awaitEvent(login, "mfa.challenge");
        assertThat(challenge).containsEntry("user_id", user);
        assertThat(challenge.get("detail_text")).isEqualTo("{\"methods\": [\"totp\"]}");
        assertThat(AuditRows.byRequestId(login)).noneMatch(row -> "login.success".equals(row.get("event")));

        String wrong = AuditHttp.requestId("mfa-wrong");
        assertThat(http.post(VERIFY, wrong, null, verifyBody(mfaToken, AuditHttp.wrongCode(secret))).status())
                .isEqualTo(401);
        Map<String, String> failure = AuditRows.awaitEvent(wrong, "mfa.failure");
        assertThat(failure).containsEntry("user_id", user).containsEntry("outcome", "failure");
        assertThat(failure.get("detail_text")).isEqualTo("{\"method\": \"totp\", \"reason\": \"wrong_code\"}");

        String right = AuditHttp.requestId("mfa-right");
        assertThat(http.post(VERIFY, right, null, verifyBody(mfaToken, AuditHttp.codeNow(secret))).status())
                .isEqualTo(200);
        assertThat(AuditRows.awaitEvent(right, "mfa.success")).containsEntry("user_id", user);
        assertThat(AuditRows.awaitEvent(right, "login.success").get("detail_text"))
                .isEqualTo("{\"amr\": [\"pwd\", \"mfa\", \"otp\"]}");

        String used = AuditHttp.requestId("mfa-used");
        assertThat(http.post(VERIFY, used, null, verifyBody(mfaToken, AuditHttp.codeNow(secret))).status())
                .isEqualTo(401);
        Map<String, String> invalid = AuditRows.awaitEvent(used, "mfa.failure");
        assertThat(invalid.get("user_id")).isNull();
        assertThat(invalid.get("detail_text")).isEqualTo("{\"reason\": \"invalid_token\"}");
    }

    @Test
    void keysWhenCreatedRotatedRevokedOrUsedExpiredThenEventsNameTheKeyByIdAndHint() {
        String created = AuditHttp.requestId("key-create");
        Reply answer = http.post("/api/keys", created, admin,
                "{\"name\":\"audited\",\"scopes\":[\"read:assets\"]}");
        assertThat(answer.status()).isEqualTo(201);
        String id = answer.data().get("id").asString();
        String secret = answer.data().get("key").asString();
        Map<String, String> row = AuditRows.awaitEvent(created, "key.created");
        assertThat(row).containsEntry("key_id", id)
                .containsEntry("key_hint", secret.substring(0, 13) + "…" + secret.substring(secret.length() - 4));
        JsonNode detail = AuditHttp.JSON.readTree(row.get("detail_text"));
        assertThat(detail.get("actor_method").asString()).isEqualTo("api_key");
        assertThat(detail.get("actor_key_id").asString()).isEqualTo(TestData.keyId(admin));
        assertThat(detail.get("scopes").toString()).isEqualTo("[\"read:assets\"]");

        String rotated = AuditHttp.requestId("key-rotate");
        Reply rotation = http.post("/api/keys/" + id + "/rotate", rotated, admin, "{\"grace_seconds\":0}");
        assertThat(rotation.status()).isEqualTo(200);
        String newSecret = rotation.data().get("key").asString();
        assertThat(AuditRows.awaitEvent(rotated, "key.rotated")).containsEntry("key_id", id)
                .containsEntry("key_hint", newSecret.substring(0, 13) + "…" + newSecret.substring(37))
                .containsEntry("path", "/api/keys/" + id + "/rotate");

        String revoked = AuditHttp.requestId("key-revoke");
        assertThat(http.call(HttpMethod.DELETE, "/api/keys/" + id, revoked, admin, null).status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(revoked, "key.revoked")).containsEntry("key_id", id)
                .containsEntry("method", "DELETE");

        long owner = TestData.user("member");
        String expired = TestData.key(owner, List.of("read:assets"), Instant.now().minusSeconds(60));
        String use = AuditHttp.requestId("key-expired");
        assertThat(http.get("/api/assets/1", use, expired).status()).isEqualTo(401);
        Map<String, String> expiredUse = AuditRows.awaitEvent(use, "key.expired_use");
        assertThat(expiredUse).containsEntry("user_id", String.valueOf(owner))
                .containsEntry("key_id", TestData.keyId(expired)).containsEntry("outcome", "refused");
        Map<String, String> refused = AuditRows.awaitEvent(use, "request.refused");
        assertThat(refused.get("key_hint")).isEqualTo(AuditLog.keyHintOf(expired));
    }

    @Test
    void usersWhenCreatedChangedOrDisabledThenEventsOfTheChangedUserWithTheAdmin() {
        String create = AuditHttp.requestId("user-create");
        String email = "audit-user-" + System.nanoTime() + "@example.test";
        Reply createdUser = http.post("/api/admin/users", create, admin,
                "{\"email\":\"" + email + "\",\"password\":\"a password of the new user\",\"role\":\"member\"}");
        assertThat(createdUser.status()).isEqualTo(201);
        String id = createdUser.data().get("user").get("id").asString();
        Map<String, String> created = AuditRows.awaitEvent(create, "user.created");
        assertThat(created).containsEntry("user_id", id);
        assertThat(created.get("detail_text")).contains("\"role\": \"member\"").contains("\"actor_user_id\"");

        String change = AuditHttp.requestId("user-change");
        assertThat(http.call(HttpMethod.PATCH, "/api/admin/users/" + id, change, admin, "{\"tier\":\"premium\"}")
                .status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(change, "user.changed").get("detail_text"))
                .contains("\"changes\": {\"tier\": \"premium\"}");

        String disable = AuditHttp.requestId("user-disable");
        assertThat(http.call(HttpMethod.PATCH, "/api/admin/users/" + id, disable, admin, "{\"disabled\":true}")
                .status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(disable, "user.disabled")).containsEntry("user_id", id);
    }

    @Test
    void requestWhenRefusedThenStatusCodeAndPrincipalWhenKnown() {
        // paths of their own: a refusal of a source (address, status, principal, path) already refused within
        // s4e.audit.refusal-window only adds to that source's row
        String none = AuditHttp.requestId("refused-401");
        assertThat(http.get("/api/assets/./" + none, none, null).status()).isEqualTo(401);
        Map<String, String> unauthenticated = AuditRows.awaitEvent(none, "request.refused");
        assertThat(unauthenticated).containsEntry("path", "/api/assets/" + none).containsEntry("method", "GET");
        assertThat(unauthenticated.get("user_id")).isNull();

        long member = TestData.user("member");
        String key = TestData.key(member, List.of("read:assets"));
        String forbidden = AuditHttp.requestId("refused-403");
        assertThat(http.get("/api/admin-tools/x?note=not-stored", forbidden, key).status()).isEqualTo(403);
        Map<String, String> refused = AuditRows.awaitEvent(forbidden, "request.refused");
        assertThat(refused).containsEntry("user_id", String.valueOf(member))
                .containsEntry("key_id", TestData.keyId(key)).containsEntry("path", "/api/admin-tools/x")
                .containsEntry("count", "1");
        assertThat(refused.get("detail_text")).isEqualTo("{\"code\": \"forbidden\", \"status\": 403}");
        assertThat(AuditRows.byRequestId(forbidden)).hasSize(1);
    }

    @Test
    void publicOrSuccessfulRequestWhenAnsweredThenNoEvent() throws Exception {
        String ok = AuditHttp.requestId("quiet");
        assertThat(http.get("/public/x", ok, null).status()).isEqualTo(200);
        assertThat(http.get("/api/assets/1", ok, admin).status()).isEqualTo(200);
        String marker = AuditHttp.requestId("marker");
        http.get("/api/assets/" + marker, marker, null);
        AuditRows.awaitEvent(marker, "request.refused");
        assertThat(AuditRows.byRequestId(ok)).isEmpty();
    }

    private static String verifyBody(String mfaToken, String code) {
        return "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\",\"method\":\"totp\"}";
    }
}

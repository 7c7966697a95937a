package io.s4e.gateway.login;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** A login of a user with MFA enabled: the mfa_required step and its verification with TOTP (CONTRACT §6). */
@GatewayIntegrationTest
class MfaLoginIntegrationTests {

    private static final String VERIFY = "/api/user/auth/mfa/verify";

    @LocalServerPort
    int port;

    @Autowired
    ReactiveStringRedisTemplate redis;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    /** Logs in with the password; fails unless mfa_required; returns the mfa_token. */
    String mfaToken(String email) {
        Reply reply = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("status").asString()).as(reply.body()).isEqualTo("mfa_required");
        return reply.json().path("data").path("mfa_token").asString();
    }

    private static String wrongCode(String secret) {
        return LoginCalls.codeNow(secret).equals("000000") ? "000001" : "000000";
    }

    private static JsonNode claims(String token) {
        String payload = token.split("\\.")[1];
        return LoginCalls.JSON.readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }

    @Test
    void loginWhenTotpEnabledThenMfaRequiredWithMethodsAndNoSession() {
        String email = LoginCalls.mfaUser(LoginCalls.newSecret(), false);

        Reply reply = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(json.path("status").asString()).isEqualTo("mfa_required");
        assertThat(json.path("data").path("mfa_token").asString()).matches("mfa_temp_[A-Za-z0-9_-]{43}");
        assertThat(json.path("data").path("methods").toString()).isEqualTo("[\"totp\"]");
        assertThat(json.path("data").has("token")).isFalse();
        assertThat(reply.setCookies()).isEmpty();
    }

    @Test
    void loginWhenTotpAndEmailEnabledThenBothMethodsInOrder() {
        String email = LoginCalls.mfaUser(LoginCalls.newSecret(), true);

        Reply reply = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));

        assertThat(reply.json().path("data").path("methods").toString()).isEqualTo("[\"totp\",\"email\"]");
    }

    @Test
    void loginWhenWrongPasswordOfMfaUserThenUnauthorizedWithoutMfaToken() {
        String email = LoginCalls.mfaUser(LoginCalls.newSecret(), true);

        Reply reply = gateway.login(LoginCalls.body(email, "a wrong but long password"));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.body()).doesNotContain("mfa_temp_");
    }

    @Test
    void verifyWhenTotpCodeThenSessionWithMfaPassesMfaRouteAndPasswordOnlySessionDoesNot() {
        String secret = LoginCalls.newSecret();
        String mfaToken = mfaToken(LoginCalls.mfaUser(secret, false));
        String passwordOnly = gateway.token(LoginCalls.userWithPassword("member"));

        Reply verified = gateway.post(VERIFY, null,
                LoginCalls.verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp"));

        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        String token = verified.data().get("token").asString();
        assertThat(verified.data().path("user").path("role").asString()).isEqualTo("member");
        assertThat(verified.setCookie()).startsWith("token=" + token);
        assertThat(claims(token).path("amr").toString()).isEqualTo("[\"pwd\",\"mfa\",\"otp\"]");
        assertThat(gateway.get("/mfa-only/x", token).status()).isEqualTo(200);
        Reply refused = gateway.get("/mfa-only/x", passwordOnly);
        assertThat(refused.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(refused.body(), "mfa_required");
    }

    @Test
    void verifyWhenMfaTokenUsedOnceThenRefusedTheSecondTime() {
        String secret = LoginCalls.newSecret();
        String mfaToken = mfaToken(LoginCalls.mfaUser(secret, false));
        String code = LoginCalls.codeNow(secret);
        assertThat(gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, code, "totp")).status()).isEqualTo(200);

        Reply again = gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, code, "totp"));

        assertThat(again.status()).isEqualTo(401);
    }

    @Test
    void verifyWhenTotpCodeReplayedWithAnotherMfaTokenThenRefused() {
        String secret = LoginCalls.newSecret();
        String email = LoginCalls.mfaUser(secret, false);
        String first = mfaToken(email);
        String second = mfaToken(email);
        String code = LoginCalls.codeNow(secret);
        assertThat(gateway.post(VERIFY, null, LoginCalls.verifyBody(first, code, "totp")).status()).isEqualTo(200);

        Reply replayed = gateway.post(VERIFY, null, LoginCalls.verifyBody(second, code, "totp"));

        assertThat(replayed.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(replayed.body(), "unauthorized");
    }

    @Test
    void verifyWhenFiveWrongCodesThenMfaTokenEnded() {
        String secret = LoginCalls.newSecret();
        String mfaToken = mfaToken(LoginCalls.mfaUser(secret, false));

        for (int i = 0; i < 5; i++) {
            assertThat(gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, wrongCode(secret), "totp")).status())
                    .isEqualTo(401);
        }
        Reply correctAfterwards = gateway.post(VERIFY, null,
                LoginCalls.verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp"));

        assertThat(correctAfterwards.status()).isEqualTo(401);
    }

    @Test
    void verifyWhenFourWrongCodesThenCorrectCodeStillAccepted() {
        String secret = LoginCalls.newSecret();
        String mfaToken = mfaToken(LoginCalls.mfaUser(secret, false));

        for (int i = 0; i < 4; i++) {
            gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, wrongCode(secret), "totp"));
        }
        Reply reply = gateway.post(VERIFY, null,
                LoginCalls.verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    @Test
    void verifyWhenUnknownMfaTokenThenUnauthorized() {
        Reply reply = gateway.post(VERIFY, null, LoginCalls.verifyBody("mfa_temp_unknown", "123456", "totp"));

        assertThat(reply.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(reply.body(), "unauthorized");
    }

    @Test
    void verifyWhenMalformedBodyUnknownMethodOrMethodNotEnabledThenInvalidRequest() {
        String secret = LoginCalls.newSecret();
        String mfaToken = mfaToken(LoginCalls.mfaUser(secret, false));

        Reply notJson = gateway.post(VERIFY, null, "{not json");
        Reply missingCode = gateway.post(VERIFY, null, "{\"mfa_token\":\"" + mfaToken + "\"}");
        Reply unknownMethod = gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, "123456", "sms"));
        Reply notEnabled = gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, "123456", "email"));

        for (Reply reply : new Reply[] {notJson, missingCode, unknownMethod, notEnabled}) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
        }
        assertThat(gateway.post(VERIFY, null,
                LoginCalls.verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp")).status())
                .as("invalid requests use no attempt").isEqualTo(200);
    }

    @Test
    void requestWhenMfaTempTokenAsCredentialThenForbiddenMfaRequired() {
        String mfaToken = mfaToken(LoginCalls.mfaUser(LoginCalls.newSecret(), false));

        Reply reply = gateway.get("/api/assets/1", mfaToken);

        assertThat(reply.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(reply.body(), "mfa_required");
    }

    @Test
    void loginWhenMfaRequiredThenRedisHoldsTheTokenHashForFiveMinutesNeverTheToken() {
        String mfaToken = mfaToken(LoginCalls.mfaUser(LoginCalls.newSecret(), false));
        String prefix = TestInfrastructure.get().redisPrefix;
        String key = prefix + "mfa:" + SecretHashes.sha256(mfaToken);

        Duration ttl = redis.getExpire(key).block(Duration.ofSeconds(2));
        List<String> keys = redis.keys(prefix + "*").collectList().block(Duration.ofSeconds(2));
        List<Object> values = redis.opsForHash().values(key).collectList().block(Duration.ofSeconds(2));

        assertThat(ttl).isBetween(Duration.ofSeconds(290), Duration.ofMinutes(5));
        assertThat(keys).noneMatch(k -> k.contains(mfaToken.substring("mfa_temp_".length())));
        assertThat(values).noneMatch(v -> v.toString().contains(mfaToken.substring("mfa_temp_".length())));
    }
}

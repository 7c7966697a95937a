package io.s4e.gateway.mfa;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** TOTP setup and confirmation, and e-mail codes turned on, by the signed-in user. */
@GatewayIntegrationTest
class MfaEnrollmentIntegrationTests {

    private static final String SETUP = "/api/user/mfa/totp/setup";
    private static final String CONFIRM = "/api/user/mfa/totp/confirm";
    private static final String EMAIL = "/api/user/mfa/email/enable";

    @LocalServerPort
    int port;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    @Test
    void setupWhenSessionThenSecretAndOtpauthUriStoredButNotEnabled() {
        String email = LoginCalls.userWithPassword("member");
        String token = gateway.token(email);

        Reply reply = gateway.post(SETUP, token, null);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode data = reply.data();
        String secret = data.get("secret").asString();
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(data.get("otpauth_uri").asString()).isEqualTo("otpauth://totp/S4E:" + email + "?secret=" + secret
                + "&issuer=S4E&algorithm=SHA1&digits=6&period=30");
        assertThat(TestData.storedTotpSecret(email)).isEqualTo(secret);
        assertThat(TestData.queryString("SELECT totp_secret FROM users WHERE email = ?", email))
                .as("encrypted at rest").startsWith("v1:it1:").doesNotContain(secret);
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("f");
    }

    @Test
    void confirmWhenValidCodeThenTotpEnabledAndSameCodeRefusedAfterwards() {
        String email = LoginCalls.userWithPassword("member");
        String token = gateway.token(email);
        String secret = gateway.post(SETUP, token, null).data().get("secret").asString();
        String code = LoginCalls.codeNow(secret);

        Reply confirmed = gateway.post(CONFIRM, token, "{\"code\":\"" + code + "\"}");
        Reply replayed = gateway.post(CONFIRM, token, "{\"code\":\"" + code + "\"}");

        assertThat(confirmed.status()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.data().get("totp_enabled").asBoolean()).isTrue();
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("t");
        // once TOTP is on, this password-only session may no longer change factors (recent MFA is needed): the
        // replay is refused before its code is looked at; replays at login are MfaLoginIntegrationTests'
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(403);
        assertThat(replayed.errorCode()).isEqualTo("mfa_required");
        assertThat(replayed.body()).doesNotContain(code);
    }

    @Test
    void confirmWhenWrongCodeThenUnauthorizedAndNotEnabled() {
        String email = LoginCalls.userWithPassword("member");
        String token = gateway.token(email);
        String secret = gateway.post(SETUP, token, null).data().get("secret").asString();
        String wrong = LoginCalls.codeNow(secret).equals("000000") ? "000001" : "000000";

        Reply reply = gateway.post(CONFIRM, token, "{\"code\":\"" + wrong + "\"}");

        assertThat(reply.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(reply.body(), "unauthorized");
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("f");
    }

    @Test
    void confirmWhenNoSetupOrNoCodeThenInvalidRequest() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));

        Reply withoutSetup = gateway.post(CONFIRM, token, "{\"code\":\"123456\"}");
        Reply withoutCode = gateway.post(CONFIRM, token, "{}");

        assertThat(withoutSetup.status()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(withoutSetup.body(), "invalid_request");
        assertThat(withoutCode.status()).isEqualTo(400);
    }

    @Test
    void setupWhenTotpAlreadyEnabledThenConflict() {
        String secret = LoginCalls.newSecret();
        String email = LoginCalls.mfaUser(secret, false);
        Reply step = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));
        String mfaToken = step.json().path("data").path("mfa_token").asString();
        Reply verified = gateway.post("/api/user/auth/mfa/verify", null,
                LoginCalls.verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp"));
        assertThat(verified.status()).as(verified.body()).isEqualTo(200);

        Reply reply = gateway.post(SETUP, verified.data().get("token").asString(), null);

        assertThat(reply.status()).as("a recent MFA session, TOTP already on").isEqualTo(409);
    }

    @Test
    void setupWhenAFactorIsOnAndTheSessionPassedNoMfaThenMfaRequired() {
        String email = LoginCalls.userWithPassword("member");
        String token = gateway.token(email);
        TestData.update("UPDATE users SET email_mfa_enabled = true WHERE email = ? RETURNING id", email);

        Reply reply = gateway.post(SETUP, token, null);

        assertThat(reply.status()).as(reply.body()).isEqualTo(403);
        assertThat(reply.errorCode()).isEqualTo("mfa_required");
    }

    @Test
    void emailEnableWhenSessionThenEnabled() {
        String email = LoginCalls.userWithPassword("member");
        String token = gateway.token(email);

        Reply reply = gateway.post(EMAIL, token, null);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.data().get("email_enabled").asBoolean()).isTrue();
        assertThat(TestData.queryString("SELECT email_mfa_enabled FROM users WHERE email = ?", email)).isEqualTo("t");
    }

    @Test
    void mfaEndpointsWhenApiKeyOrNothingThenRefused() {
        String key = TestInfrastructure.get().adminKey;

        for (String path : new String[] {SETUP, CONFIRM, EMAIL}) {
            assertThat(gateway.post(path, key, "{\"code\":\"123456\"}").status()).as(path).isEqualTo(403);
            assertThat(gateway.post(path, TestData.unknownKey(), null).status()).as(path).isEqualTo(401);
            assertThat(gateway.post(path, null, null).status()).as(path).isEqualTo(401);
        }
    }
}

package io.s4e.gateway.hardening;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

import io.s4e.gateway.mfa.TotpAlgorithm;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestUsers;
import org.apache.commons.codec.binary.Base32;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, logins and JSON requests over {@link RawHttp}, shared by the hardening tests. */
final class HardeningCalls {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PASSWORD = "a hardening test password";
    static final String LOGIN = "/api/user/auth/login";
    static final String MFA_VERIFY = "/api/user/auth/mfa/verify";
    private static final String PASSWORD_HASH = TestUsers.hash(PASSWORD);

    private HardeningCalls() {
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    static String userWithPassword(String role) {
        String email = TestUsers.uniqueEmail("hardening");
        TestUsers.insert(email, role, null, PASSWORD_HASH);
        return email;
    }

    /** Inserts a member with {@link #PASSWORD} and TOTP on with {@code secret}; returns its email. */
    static String totpUser(String secret) {
        String email = userWithPassword("member");
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true WHERE email = ?",
                TestData.sealTotpSecret(email, secret), email);
        return email;
    }

    /** A new Base32 TOTP secret. */
    static String totpSecret() {
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        return new Base32().encodeAsString(bytes).replace("=", "");
    }

    /** The TOTP code of {@code secret} at {@code step}. */
    static String totpCode(String secret, long step) {
        return TotpAlgorithm.code(new Base32().decode(secret), step, TotpAlgorithm.DIGITS);
    }

    static long stepNow() {
        return TotpAlgorithm.step(Instant.now());
    }

    static String loginBody(String email, String password) {
        return "{\"email\":" + JSON.writeValueAsString(email) + ",\"password\":" + JSON.writeValueAsString(password)
                + "}";
    }

    /** {@code POST path} with a JSON body and extra header lines. */
    static RawHttp.Response postJson(RawHttp http, String path, String json, String... headerLines) {
        String[] lines = new String[headerLines.length + 1];
        lines[0] = "Content-Type: application/json";
        System.arraycopy(headerLines, 0, lines, 1, headerLines.length);
        return http.send("POST", path, json.getBytes(StandardCharsets.UTF_8), lines);
    }

    /** Logs {@code email} in with {@link #PASSWORD}; fails unless a session token is issued; returns it. */
    static String sessionToken(RawHttp http, String email) {
        RawHttp.Response reply = postJson(http, LOGIN, loginBody(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("data").path("token").asString();
    }

    /** Logs a TOTP user in with {@link #PASSWORD}; fails unless mfa_required; returns the mfa_token. */
    static String mfaToken(RawHttp http, String email) {
        RawHttp.Response reply = postJson(http, LOGIN, loginBody(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("status").asString()).as(reply.body()).isEqualTo("mfa_required");
        return reply.json().path("data").path("mfa_token").asString();
    }

    static String verifyBody(String mfaToken, String code) {
        return "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\",\"method\":\"totp\"}";
    }

    /** The decoded payload of a JWT. */
    static JsonNode claims(String jwt) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}

package io.s4e.gateway.support;

import java.security.SecureRandom;
import java.time.Instant;

import io.s4e.gateway.mfa.TotpAlgorithm;
import org.apache.commons.codec.binary.Base32;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Login, refresh, logout and authenticated requests against one gateway, each answered as a {@link Reply}; and the
 * users with a password and MFA factors (with their TOTP codes) that sign in there.
 */
public final class LoginCalls {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final String PASSWORD = "a long enough test password";

    private final WebTestClient client;

    public LoginCalls(int port) {
        this.client = TestClients.of(port);
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    public static String userWithPassword(String role) {
        return TestUsers.withPassword("login", role, PASSWORD);
    }

    /** A user with {@link #PASSWORD} and the given factors (TOTP with {@code totpSecret} when not null); its email. */
    public static String mfaUser(String totpSecret, boolean email) {
        String address = userWithPassword("member");
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = ?, email_mfa_enabled = ? WHERE email = ?",
                totpSecret == null ? null : TestData.sealTotpSecret(address, totpSecret), totpSecret != null, email,
                address);
        return address;
    }

    /** A new random TOTP secret (Base32, no padding). */
    public static String newSecret() {
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        return new Base32().encodeAsString(bytes).replace("=", "");
    }

    /** The current TOTP code of {@code secret}. */
    public static String codeNow(String secret) {
        return TotpAlgorithm.code(new Base32().decode(secret), TotpAlgorithm.step(Instant.now()), TotpAlgorithm.DIGITS);
    }

    /** The body of {@code POST /api/user/auth/mfa/verify}. */
    public static String verifyBody(String mfaToken, String code, String method) {
        return "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\",\"method\":\"" + method + "\"}";
    }

    /** A login body with no captcha fields. */
    public static String body(String email, String password) {
        return "{\"email\":" + JSON.writeValueAsString(email) + ",\"password\":" + JSON.writeValueAsString(password)
                + "}";
    }

    public Reply login(String json) {
        return post("/api/user/auth/login", null, json);
    }

    /** Logs in with {@link #PASSWORD}; fails the test unless 200; returns the token. */
    public String token(String email) {
        Reply reply = login(body(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data().get("token").asString();
    }

    /** {@code POST path} with {@code token} as a bearer credential (none when null). */
    public Reply post(String path, String token, String json) {
        WebTestClient.RequestBodySpec spec = client.post().uri(path);
        if (token != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    /** {@code DELETE path} with {@code token} as a bearer credential (none when null). */
    public Reply delete(String path, String token) {
        WebTestClient.RequestHeadersSpec<?> spec = client.delete().uri(path);
        if (token != null) {
            spec = spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return Reply.of(spec);
    }

    /** {@code GET path} with {@code token} as a bearer credential. */
    public Reply get(String path, String token) {
        return Reply.of(client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    /** {@code GET path} with {@code token} in the {@code token} cookie. */
    public Reply getWithCookie(String path, String token) {
        return Reply.of(client.get().uri(path).cookie("token", token));
    }
}

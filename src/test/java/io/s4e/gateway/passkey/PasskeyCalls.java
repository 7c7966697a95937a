package io.s4e.gateway.passkey;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestUsers;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The passkey and login endpoints of one gateway, each answered as a {@link Reply}. */
final class PasskeyCalls {

    static final String PASSWORD = "a long enough passkey test password";
    static final String REGISTER_OPTIONS = "/api/user/passkeys/register/options";
    static final String PASSKEYS = "/api/user/passkeys";
    static final String LOGIN_OPTIONS = "/api/user/auth/passkey/options";
    static final String LOGIN_VERIFY = "/api/user/auth/passkey/verify";

    private final WebTestClient client;

    PasskeyCalls(WebTestClient client) {
        this.client = client;
    }

    PasskeyCalls(int port) {
        this(TestClients.of(port));
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    static String userWithPassword(String role) {
        return TestUsers.withPassword("passkey", role, PASSWORD);
    }

    static long userId(String email) {
        return TestUsers.id(email);
    }

    /** The login answer for {@code email} and {@link #PASSWORD}. */
    Reply login(String email) {
        return post("/api/user/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
    }

    /** Logs in with the password; fails unless a session is issued; returns its token. */
    String passwordSession(String email) {
        Reply reply = login(email);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data().path("token").asString();
    }

    /** Logs in with the password; fails unless mfa_required; returns the mfa_token. */
    String mfaToken(String email) {
        Reply reply = login(email);
        assertThat(reply.json().path("status").asString()).as(reply.body()).isEqualTo("mfa_required");
        return reply.json().path("data").path("mfa_token").asString();
    }

    /** Adds a passkey of {@code authenticator} with {@code token}'s session; fails unless 201; returns its id. */
    String register(String token, SoftAuthenticator authenticator, String name) {
        Reply options = post(REGISTER_OPTIONS, token, null);
        assertThat(options.status()).as(options.body()).isEqualTo(200);
        Reply created = post(PASSKEYS, token, registerBody(name, authenticator.register(options.data())));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.data().path("id").asString();
    }

    static String registerBody(String name, String credential) {
        return "{\"name\":" + SoftAuthenticator.JSON.writeValueAsString(name) + ",\"credential\":" + credential + "}";
    }

    static String verifyBody(String mfaToken, String credential) {
        return mfaToken == null ? "{\"credential\":" + credential + "}"
                : "{\"mfa_token\":\"" + mfaToken + "\",\"credential\":" + credential + "}";
    }

    /** Password-free options. */
    JsonNode passwordFreeOptions() {
        Reply options = post(LOGIN_OPTIONS, null, "{}");
        assertThat(options.status()).as(options.body()).isEqualTo(200);
        return options.data();
    }

    /** Signs in password-free; fails unless 200; returns the token. */
    String passwordFreeSession(SoftAuthenticator authenticator) {
        Reply verified = post(LOGIN_VERIFY, null, verifyBody(null, authenticator.authenticate(passwordFreeOptions())));
        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        return verified.data().path("token").asString();
    }

    Reply post(String path, String token, String json) {
        return send(client.post().uri(path), token, json);
    }

    Reply patch(String path, String token, String json) {
        return send(client.patch().uri(path), token, json);
    }

    private static Reply send(WebTestClient.RequestBodySpec spec, String token, String json) {
        if (token != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    Reply get(String path, String token) {
        return Reply.of(client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    Reply delete(String path, String token) {
        return Reply.of(client.delete().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    Reply withApiKey(String method, String path, String key) {
        return Reply.of(client.method(org.springframework.http.HttpMethod.valueOf(method)).uri(path)
                .header("X-API-Key", key));
    }

    /** The claims of a session token. */
    static JsonNode claims(String token) {
        return SoftAuthenticator.JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8));
    }
}

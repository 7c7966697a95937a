package io.s4e.gateway.session;

import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestUsers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Login, refresh, logout and authenticated requests against one gateway, each answered as a {@link Reply}. */
final class LoginCalls {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PASSWORD = "a long enough test password";

    private final WebTestClient client;

    LoginCalls(int port) {
        this.client = TestClients.of(port);
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    static String userWithPassword(String role) {
        return TestUsers.withPassword("login", role, PASSWORD);
    }

    /** A login body with no captcha fields. */
    static String body(String email, String password) {
        return "{\"email\":" + JSON.writeValueAsString(email) + ",\"password\":" + JSON.writeValueAsString(password)
                + "}";
    }

    Reply login(String json) {
        return post("/api/user/auth/login", null, json);
    }

    /** Logs in with {@link #PASSWORD}; fails the test unless 200; returns the token. */
    String token(String email) {
        Reply reply = login(body(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data().get("token").asString();
    }

    /** {@code POST path} with {@code token} as a bearer credential (none when null). */
    Reply post(String path, String token, String json) {
        WebTestClient.RequestBodySpec spec = client.post().uri(path);
        if (token != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    /** {@code DELETE path} with {@code token} as a bearer credential (none when null). */
    Reply delete(String path, String token) {
        WebTestClient.RequestHeadersSpec<?> spec = client.delete().uri(path);
        if (token != null) {
            spec = spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return Reply.of(spec);
    }

    /** {@code GET path} with {@code token} as a bearer credential. */
    Reply get(String path, String token) {
        return Reply.of(client.get().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    /** {@code GET path} with {@code token} in the {@code token} cookie. */
    Reply getWithCookie(String path, String token) {
        return Reply.of(client.get().uri(path).cookie("token", token));
    }
}

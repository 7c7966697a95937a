package io.s4e.gateway.usage;

import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestUsers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Calls of the usage and security tests: users with passwords, sessions, requests with a bearer credential. */
final class UsageHttp {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PASSWORD = "a long enough usage password";

    private final WebTestClient client;

    UsageHttp(int port) {
        this.client = TestClients.of(port);
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    static String userWithPassword(String role) {
        return TestUsers.withPassword("usage", role, PASSWORD);
    }

    static long userId(String email) {
        return TestUsers.id(email);
    }

    /** A session token of {@code email}. */
    String login(String email) {
        Reply reply = send("POST", "/api/user/auth/login", null,
                "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data().get("token").asString();
    }

    Reply get(String path, String credential) {
        return send("GET", path, credential, null);
    }

    Reply delete(String path, String credential) {
        return send("DELETE", path, credential, null);
    }

    Reply send(String method, String path, String credential, String json) {
        WebTestClient.RequestBodySpec spec = client.method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(path);
        if (credential != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + credential);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

}

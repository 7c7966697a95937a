package io.s4e.gateway.user;


import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests to the gateway under test, each answered as a {@link Reply}: status, headers and raw body. */
final class UserCalls {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient client;

    UserCalls(int port) {
        this.client = TestClients.of(port);
    }

    /** Any request, with {@code key} as a bearer credential when not null and a JSON body when not null. */
    Reply send(HttpMethod method, String path, String key, String json) {
        WebTestClient.RequestBodySpec spec = client.method(method).uri(path);
        if (key != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    Reply get(String path, String key) {
        return send(HttpMethod.GET, path, key, null);
    }

    Reply post(String path, String key, String json) {
        return send(HttpMethod.POST, path, key, json);
    }

    Reply patch(String path, String key, String json) {
        return send(HttpMethod.PATCH, path, key, json);
    }

    /** Creates a user through the endpoint; fails the test unless 201. Returns its {@code user}. */
    JsonNode createUser(String key, String email, String password, String role) {
        Reply reply = post("/api/admin/users", key, "{\"email\":" + quote(email) + ",\"password\":"
                + quote(password) + ",\"role\":" + quote(role) + "}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.data().get("user");
    }

    /** Changes user {@code id}; fails the test unless 200. Returns its {@code user}. */
    JsonNode patchUser(String key, long id, String json) {
        Reply reply = patch("/api/admin/users/" + id, key, json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data().get("user");
    }

    static String quote(String value) {
        return JSON.writeValueAsString(value);
    }
}

package io.s4e.gateway.apikey;

import java.util.List;

import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests to the gateway under test, each answered as a {@link Reply} (status, headers, raw body) so a test can
 * assert on the raw JSON as well as on its fields.
 */
final class GatewayCalls {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient client;

    GatewayCalls(int port) {
        this.client = TestClients.of(port);
    }

    /** {@code GET path}, with {@code key} as a bearer credential when not null. */
    Reply get(String path, String key) {
        return send(HttpMethod.GET, path, key, null);
    }

    /** {@code POST path} with a JSON body (none when null). */
    Reply post(String path, String key, String json) {
        return send(HttpMethod.POST, path, key, json);
    }

    /** {@code DELETE path}. */
    Reply delete(String path, String key) {
        return send(HttpMethod.DELETE, path, key, null);
    }

    /** Any request; a JSON body is sent as {@code application/json}. */
    Reply send(HttpMethod method, String path, String key, String json) {
        WebTestClient.RequestBodySpec spec = client.method(method).uri(path);
        if (key != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    /** Creates a key through {@code POST /api/keys} with {@code callerKey}; fails the test unless 201. */
    JsonNode createKey(String callerKey, String name, List<String> scopes) {
        return createKey(callerKey, "{\"name\":" + quote(name) + ",\"scopes\":" + array(scopes) + "}");
    }

    /** Creates a key from a raw JSON body; fails the test unless 201. */
    JsonNode createKey(String callerKey, String json) {
        Reply reply = post("/api/keys", callerKey, json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.data();
    }

    /** Rotates key {@code id}, with {@code json} as the body; fails the test unless 200. */
    JsonNode rotate(String callerKey, String id, String json) {
        Reply reply = post("/api/keys/" + id + "/rotate", callerKey, json);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data();
    }

    /** The status of {@code GET /api/assets/1} with {@code key}: a route that needs {@code read:assets}. */
    int assetsStatus(String key) {
        return get("/api/assets/1", key).status();
    }

    static String quote(String value) {
        return JSON.writeValueAsString(value);
    }

    static String array(List<String> values) {
        return JSON.writeValueAsString(values);
    }
}

package io.s4e.gateway.ratelimit;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Requests to one gateway replica, with the answers read whole. */
public final class Http {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient client;

    public Http(int port) {
        this.client = TestClients.of(port);
    }

    /** {@code method path} with {@code headers} and an optional JSON body. */
    public Reply call(HttpMethod method, String path, Map<String, String> headers, String json) {
        WebTestClient.RequestBodySpec spec = client.method(method).uri(path);
        headers.forEach(spec::header);
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    /** A random client address in 10.0.0.0/8, for X-Forwarded-For from a trusted proxy: limits per IP start afresh. */
    public static String freshIp() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    /** An {@code X-Forwarded-For} header naming {@code ip}. */
    public static Map<String, String> xff(String ip) {
        return Map.of("X-Forwarded-For", ip);
    }

    /** An {@code Authorization: Bearer} header with {@code credential}. */
    public static Map<String, String> bearer(String credential) {
        return Map.of(HttpHeaders.AUTHORIZATION, "Bearer " + credential);
    }

    /** The body of a login with {@code email} and {@code password}. */
    public static String loginBody(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    /** {@code GET path} with {@code key} as a bearer credential. */
    public Reply get(String path, String key) {
        return call(HttpMethod.GET, path, Map.of(HttpHeaders.AUTHORIZATION, "Bearer " + key), null);
    }
}

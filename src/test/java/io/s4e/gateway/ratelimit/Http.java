package io.s4e.gateway.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.TestClients;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

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
        EntityExchangeResult<byte[]> result = request.exchange().expectBody().returnResult();
        byte[] body = result.getResponseBody();
        return new Reply(result.getStatus().value(), result.getResponseHeaders(),
                body == null ? "" : new String(body, StandardCharsets.UTF_8));
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

    /** One answer. */
    public record Reply(int status, HttpHeaders headers, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public long header(String name) {
            String value = headers.getFirst(name);
            assertThat(value).as(name + " on " + status + " " + body).isNotNull();
            return Long.parseLong(value);
        }

        /**
         * Asserts a 429 {@code rate_limited} in the S4E envelope with {@code Retry-After} equal to
         * {@code error.retry_after}, and returns it.
         */
        public long assertRateLimited() {
            assertThat(status).as(body).isEqualTo(429);
            JsonNode json = json();
            assertThat(json.path("status").asString()).isEqualTo("error");
            assertThat(json.path("error").path("code").asString()).isEqualTo("rate_limited");
            assertThat(json.path("error").path("message").asString()).isNotBlank();
            long retryAfter = json.path("error").path("retry_after").asLong();
            assertThat(retryAfter).as(body).isPositive();
            assertThat(header(HttpHeaders.RETRY_AFTER)).isEqualTo(retryAfter);
            return retryAfter;
        }
    }
}

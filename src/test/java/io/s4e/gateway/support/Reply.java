package io.s4e.gateway.support;

import java.nio.charset.StandardCharsets;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One answer of the gateway, read whole: status, headers and the raw body, so a test can assert on the raw JSON as
 * well as on the fields of the S4E envelope.
 */
public record Reply(int status, HttpHeaders headers, String body) {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    /** Sends {@code request} and reads its answer whole. */
    public static Reply of(WebTestClient.RequestHeadersSpec<?> request) {
        return of(request.exchange().expectBody().returnResult());
    }

    /** The answer of an exchange already made. */
    public static Reply of(EntityExchangeResult<byte[]> result) {
        byte[] body = result.getResponseBody();
        return new Reply(result.getStatus().value(), result.getResponseHeaders(),
                body == null ? "" : new String(body, StandardCharsets.UTF_8));
    }

    public JsonNode json() {
        return JSON.readTree(body);
    }

    /** The {@code data} of a success envelope; fails the test unless the envelope says {@code success}. */
    public JsonNode data() {
        return data("success");
    }

    /**
     * The {@code data} of an envelope whose {@code status} is {@code envelopeStatus} (such as {@code mfa_required});
     * fails the test otherwise.
     */
    public JsonNode data(String envelopeStatus) {
        JsonNode json = json();
        assertThat(json.path("status").asString()).as(status + " " + body).isEqualTo(envelopeStatus);
        return json.get("data");
    }

    /** The {@code error.code} of an error envelope. */
    public String errorCode() {
        return json().path("error").path("code").asString();
    }

    /** The {@code error.message} of an error envelope. */
    public String errorMessage() {
        return json().path("error").path("message").asString();
    }

    /** The first value of the request header {@code name} as the echo upstream received it; null when absent. */
    public String upstreamHeader(String name) {
        JsonNode values = json().path("headers").path(name.toLowerCase());
        return values.isArray() && !values.isEmpty() ? values.get(0).asString() : null;
    }

    /** The value of the answer header {@code name} as a number; fails the test when the header is absent. */
    public long headerAsLong(String name) {
        String value = headers.getFirst(name);
        assertThat(value).as(name + " on " + status + " " + body).isNotNull();
        return Long.parseLong(value);
    }

    /** The first {@code Set-Cookie} of the answer; null when none. */
    public String setCookie() {
        return headers.getFirst(HttpHeaders.SET_COOKIE);
    }

    /** Every {@code Set-Cookie} of the answer; empty when none. */
    public List<String> setCookies() {
        List<String> values = headers.get(HttpHeaders.SET_COOKIE);
        return values == null ? List.of() : values;
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
        assertThat(headerAsLong(HttpHeaders.RETRY_AFTER)).isEqualTo(retryAfter);
        return retryAfter;
    }
}

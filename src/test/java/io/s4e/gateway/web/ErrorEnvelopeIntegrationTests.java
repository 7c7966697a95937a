package io.s4e.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.s4e.gateway.audit.AuditLog;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §1: every error the gateway produces is the JSON envelope with the documented code, whatever failed
 * (routing, authentication, the upstream, the request body), never HTML and never a stack trace.
 */
@GatewayIntegrationTest
class ErrorEnvelopeIntegrationTests {

    private static final int BODY_LIMIT = 64 * 1024;

    @LocalServerPort
    int port;

    private RawHttp http;
    private String admin;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        admin = "Authorization: Bearer " + TestInfrastructure.get().adminKey;
    }

    @Test
    void errorWhenNoRouteMatchesThenNotFoundEnvelope() {
        RawHttp.Response response = http.get("/no-such-route/x");

        assertError(response, 404, "not_found");
    }

    @Test
    void errorWhenClientAcceptsOnlyHtmlThenStillJsonEnvelope() {
        RawHttp.Response response = http.get("/no-such-route/x", "Accept: text/html");

        assertError(response, 404, "not_found");
        assertThat(response.body()).doesNotContain("<html").doesNotContain("Whitelabel");
    }

    @Test
    void errorWhenNoCredentialThenUnauthorizedWithBearerChallenge() {
        RawHttp.Response response = http.get("/private/x");

        assertError(response, 401, "unauthorized");
        assertThat(response.headers("WWW-Authenticate")).containsExactly("Bearer realm=\"s4e\"");
    }

    @Test
    void errorWhenUpstreamPortClosedThenBadGateway() {
        RawHttp.Response response = http.get("/down/x");

        assertError(response, 502, "bad_gateway");
    }

    @Test
    void errorWhenUpstreamDropsConnectionThenBadGateway() {
        RawHttp.Response response = http.get("/reset/x");

        assertError(response, 502, "bad_gateway");
    }

    @Test
    void errorWhenUpstreamSlowerThanRouteTimeoutThenGatewayTimeoutLongBeforeItAnswers() {
        assertThat(http.get("/slow/x?delay=0").status()).as("the slow route answers when the upstream is quick")
                .isEqualTo(200);

        long start = System.nanoTime();
        RawHttp.Response response = http.get("/slow/x?delay=3000");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertError(response, 504, "gateway_timeout");
        assertThat(elapsedMillis).as("answered after the 500 ms route timeout, not the 3 s upstream delay")
                .isLessThan(2500);
    }

    @ParameterizedTest
    @CsvSource({
            "PUT, /api/keys, 'GET, POST'",
            "DELETE, /api/keys, 'GET, POST'",
            "PATCH, /api/keys/key-0000abcd, 'GET, DELETE'",
            "PUT, /api/keys/key-0000abcd/rotate, 'POST'"
    })
    void errorWhenGatewayEndpointDoesNotServeMethodThenMethodNotAllowedAsInvalidRequest(String method, String path,
                                                                                          String allowed) {
        RawHttp.Response response = http.send(method, path, "{}".getBytes(StandardCharsets.UTF_8),
                "Content-Type: application/json", admin);

        assertError(response, 405, "invalid_request");
        assertThat(response.header("Allow")).isNotNull();
        assertThat(response.header("Allow").split(",\\s*")).containsExactlyInAnyOrder(allowed.split(",\\s*"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":",
            "{nope}",
            "[1,2",
            "{\"name\":\"k\",\"scopes\":[\"read:assets\"],\"expires_at\":\"not a time\"}"
    })
    void errorWhenKeyBodyIsMalformedJsonThenInvalidRequest(String body) {
        RawHttp.Response response = http.send("POST", "/api/keys", body.getBytes(StandardCharsets.UTF_8),
                "Content-Type: application/json", admin);

        assertError(response, 400, "invalid_request");
    }

    @Test
    void errorWhenKeyBodyIsNotDeclaredJsonThenInvalidRequest() {
        RawHttp.Response response = http.send("POST", "/api/keys",
                "{\"name\":\"k\",\"scopes\":[\"read:assets\"]}".getBytes(StandardCharsets.UTF_8),
                "Content-Type: text/plain", admin);

        assertError(response, 400, "invalid_request");
    }

    @Test
    void errorWhenKeyBodyHasNoContentTypeThenUnsupportedMediaTypeAsInvalidRequest() {
        RawHttp.Response response = http.send("POST", "/api/keys",
                "{\"name\":\"k\",\"scopes\":[\"read:assets\"]}".getBytes(StandardCharsets.UTF_8), admin);

        assertError(response, 415, "invalid_request");
    }

    @Test
    void errorWhenKeyBodyOver64KbThenContentTooLarge() {
        RawHttp.Response response = http.send("POST", "/api/keys", jsonBodyOfSize(BODY_LIMIT + 2048),
                "Content-Type: application/json", admin);

        assertError(response, 413, "invalid_request");
    }

    @Test
    void errorWhenKeyBodyUnder64KbThenReadAndJudgedOnItsFields() {
        RawHttp.Response response = http.send("POST", "/api/keys", jsonBodyOfSize(BODY_LIMIT - 2048),
                "Content-Type: application/json", admin);

        String message = assertError(response, 400, "invalid_request");
        assertThat(message).contains("name");
    }

    @Test
    void translateWhenUnexpectedExceptionThenInternalErrorWithoutItsMessage() {
        GatewayException error = ErrorEnvelopeHandler.translate(
                new IllegalStateException("connection string postgres://admin:hunter2@db"));

        assertThat(error.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
        assertThat(error.status().value()).isEqualTo(500);
        assertThat(error.getMessage()).isEqualTo("An internal error occurred.");
    }

    @Test
    void translateWhenTimeoutOrStoreFailureThenMatchingCodes() {
        assertThat(ErrorEnvelopeHandler.translate(new TimeoutException("x")).code())
                .isEqualTo(ErrorCode.GATEWAY_TIMEOUT);
        assertThat(ErrorEnvelopeHandler.translate(
                new org.springframework.dao.DataAccessResourceFailureException("db down")).code())
                .isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(ErrorEnvelopeHandler.translate(new java.net.ConnectException("refused")).code())
                .isEqualTo(ErrorCode.BAD_GATEWAY);
    }

    @Test
    void handleWhenUnexpectedExceptionThenInternalErrorEnvelopeWithoutDetailOrTrace() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/anything")
                .header(RequestIds.HEADER, "rid-500"));
        IllegalStateException bug = new IllegalStateException("secret detail hunter2");

        new ErrorEnvelopeHandler(new ClientIps(new NetworkProperties(List.of())), List.of(AuditLog.disabled())).handle(exchange, bug).block();

        MockServerHttpResponse response = exchange.getResponse();
        String body = response.getBodyAsString().block();
        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(response.getHeaders().getContentType().toString()).isEqualTo("application/json");
        assertThat(response.getHeaders().getFirst(RequestIds.HEADER)).isEqualTo("rid-500");
        ErrorEnvelopes.assertEnvelope(body, "internal_error");
        assertThat(body).doesNotContain("hunter2").doesNotContain("IllegalStateException");
    }

    /** Asserts status, JSON content type and the exact envelope; returns the message. */
    private static String assertError(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        return ErrorEnvelopes.assertEnvelope(response.body(), code);
    }

    /** A JSON key-creation body of exactly {@code size} bytes, valid JSON with an over-long name. */
    private static byte[] jsonBodyOfSize(int size) {
        String prefix = "{\"scopes\":[\"read:assets\"],\"name\":\"";
        String suffix = "\"}";
        String json = prefix + "n".repeat(size - prefix.length() - suffix.length()) + suffix;
        return json.getBytes(StandardCharsets.UTF_8);
    }
}

package io.s4e.gateway.web;

import java.util.regex.Pattern;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §3: the client's {@code X-Request-ID} is kept when well-formed, otherwise replaced by a UUID, and the
 * value reaches the upstream and comes back on every response, errors included. Requests are written byte for byte,
 * so the header values are exactly what a client put on the wire.
 */
@GatewayIntegrationTest
class RequestIdIntegrationTests {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    @LocalServerPort
    int port;

    private RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "a",
            "req-42",
            "AZaz09._:-",
            "trace:4bf92f3577b34da6a3ce929d0e0e4736.span_00f067aa0ba902b7",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                    + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    })
    void requestIdWhenClientIdWellFormedThenUpstreamAndResponseCarryIt(String clientId) {
        RawHttp.Response response = http.get("/public/rid", "X-Request-ID: " + clientId);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers("X-Request-ID")).containsExactly(clientId);
        assertThat(EchoedRequest.of(response.body()).header("X-Request-ID")).containsExactly(clientId);
    }

    @Test
    void requestIdWhenClientIdHas128CharactersThenKept() {
        String longest = "x".repeat(128);

        RawHttp.Response response = http.get("/public/rid", "X-Request-ID: " + longest);

        assertThat(response.headers("X-Request-ID")).containsExactly(longest);
        assertThat(EchoedRequest.of(response.body()).header("X-Request-ID")).containsExactly(longest);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "abc def",
            "abc/def",
            "abc%0d%0aSet-Cookie:%20pwned=1",
            "abc%0D%0AX-Injected:%20yes",
            "id;drop",
            "<script>",
            "\"quoted\""
    })
    void requestIdWhenClientIdHasForbiddenCharactersThenReplacedByUuid(String clientId) {
        RawHttp.Response response = http.get("/public/rid", "X-Request-ID: " + clientId);

        assertReplaced(response, clientId);
        assertThat(response.headers()).doesNotContainKeys("set-cookie", "x-injected");
    }

    @Test
    void requestIdWhenClientIdHas129CharactersThenReplacedByUuid() {
        String tooLong = "x".repeat(129);

        assertReplaced(http.get("/public/rid", "X-Request-ID: " + tooLong), tooLong);
    }

    @Test
    void requestIdWhenClientIdIsNonAsciiThenReplacedByUuid() {
        // "café-1" in UTF-8, one char per byte on the wire
        String utf8Bytes = "caf\u00c3\u00a9-1";

        assertReplaced(http.get("/public/rid", "X-Request-ID: " + utf8Bytes), utf8Bytes);
    }

    @Test
    void requestIdWhenClientIdEmptyThenReplacedByUuid() {
        assertReplaced(http.get("/public/rid", "X-Request-ID:"), "");
    }

    @Test
    void requestIdWhenHeaderRepeatedThenNeitherValueKeptAndUpstreamGetsOne() {
        RawHttp.Response response = http.get("/public/rid", "X-Request-ID: first-id", "X-Request-ID: second-id");

        String id = assertReplaced(response, "first-id");
        assertThat(id).isNotEqualTo("second-id");
    }

    @Test
    void requestIdWhenAbsentThenNewUuidPerRequest() {
        RawHttp.Response first = http.get("/public/rid");
        RawHttp.Response second = http.get("/public/rid");

        String firstId = assertReplaced(first, null);
        String secondId = assertReplaced(second, null);
        assertThat(firstId).isNotEqualTo(secondId);
    }

    @ParameterizedTest
    @CsvSource({
            "/private/rid, 401, unauthorized",
            "/no-such-route, 404, not_found",
            "/down/rid, 502, bad_gateway",
            "/public/a;b=1, 400, invalid_request"
    })
    void requestIdWhenErrorThenClientIdOnErrorResponse(String path, int status, String code) {
        RawHttp.Response response = http.get(path, "X-Request-ID: err-trace.1");

        assertThat(response.status()).isEqualTo(status);
        ErrorEnvelopes.assertEnvelope(response.body(), code);
        assertThat(response.headers("X-Request-ID")).containsExactly("err-trace.1");
    }

    @ParameterizedTest
    @CsvSource({
            "/private/rid, 401",
            "/no-such-route, 404",
            "/down/rid, 502"
    })
    void requestIdWhenErrorWithoutClientIdThenUuidOnErrorResponse(String path, int status) {
        RawHttp.Response response = http.get(path, "X-Request-ID: not valid");

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.headers("X-Request-ID")).hasSize(1);
        assertThat(response.header("X-Request-ID")).matches(UUID);
    }

    /** Asserts a fresh UUID on the response, the same one (once) at the upstream, and returns it. */
    private static String assertReplaced(RawHttp.Response response, String clientId) {
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers("X-Request-ID")).hasSize(1);
        String id = response.header("X-Request-ID");
        assertThat(id).matches(UUID).isNotEqualTo(clientId);
        assertThat(EchoedRequest.of(response.body()).header("X-Request-ID")).containsExactly(id);
        return id;
    }
}

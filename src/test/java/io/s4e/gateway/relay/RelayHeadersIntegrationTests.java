package io.s4e.gateway.relay;

import java.util.List;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TransferEncodingNormalizationHeadersFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hop-by-hop and client forwarding headers never cross the gateway, in one header copy per direction
 * ({@link RelayHeadersFilter} in place of three Spring Cloud Gateway filters).
 */
@GatewayIntegrationTest
class RelayHeadersIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    List<HttpHeadersFilter> headerFilters;

    private RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @Test
    void requestWhenHopByHopHeadersSentThenUpstreamGetsNoneOfThemAndTheRest() {
        EchoedRequest echoed = forwarded(http.get("/public/h",
                "Connection: keep-alive, X-Listed-In-Connection",
                "X-Listed-In-Connection: dropped",
                "Keep-Alive: timeout=5",
                "TE: trailers",
                "Trailer: X-Checksum",
                "Upgrade: h2c",
                "Proxy-Authorization: Basic c2VjcmV0OnNlY3JldA==",
                "X-Application-Context: app",
                "X-Custom: kept",
                "Accept: application/json"));

        for (String dropped : List.of("x-listed-in-connection", "keep-alive", "te", "trailer", "upgrade",
                "proxy-authorization", "x-application-context")) {
            assertThat(echoed.header(dropped)).as(dropped).isEmpty();
        }
        assertThat(echoed.header("X-Custom")).containsExactly("kept");
        assertThat(echoed.header("Accept")).containsExactly("application/json");
    }

    @Test
    void requestWhenClientSendsForwardingHeadersThenUpstreamGetsNone() {
        EchoedRequest echoed = forwarded(http.get("/public/f",
                "Forwarded: for=203.0.113.9;proto=https",
                "X-Forwarded-For: 203.0.113.9",
                "X-Forwarded-Host: evil.example",
                "X-Forwarded-Proto: https",
                "x-forwarded-prefix: /admin",
                "X-Forwardedness: kept"));

        assertThat(echoed.header("Forwarded")).isEmpty();
        assertThat(echoed.header("X-Forwarded-For")).isEmpty();
        assertThat(echoed.header("X-Forwarded-Host")).isEmpty();
        assertThat(echoed.header("X-Forwarded-Proto")).isEmpty();
        assertThat(echoed.header("X-Forwarded-Prefix")).isEmpty();
        assertThat(echoed.header("X-Forwardedness")).as("not a forwarding header").containsExactly("kept");
    }

    @Test
    void requestWhenChunkedAndContentLengthBothSentThenRefusedBeforeAnythingIsForwarded() {
        byte[] chunked = "5\r\nhello\r\n0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RawHttp.Response response = http.send("POST", "/public/te", chunked,
                "Transfer-Encoding: chunked", "Content-Length: 999", "Content-Type: text/plain");

        // a request-smuggling shape: the gateway's HTTP decoder refuses it, in the envelope
        assertThat(response.status()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(response.body(), "invalid_request");
    }

    @Test
    void answerWhenUpstreamSendsHopByHopHeadersThenClientGetsNoneOfThemAndTheRest() {
        RawHttp.Response response = http.get("/public/hop");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Proxy-Authenticate")).isNull();
        assertThat(response.header("Trailer")).isNull();
        assertThat(response.header("X-Upstream-Kept")).isEqualTo("yes");
    }

    @Test
    void headerFiltersWhenStartedThenOneCopyPerDirectionInsteadOfGatewaysThree() {
        assertThat(headerFilters).noneMatch(f -> f instanceof RemoveHopByHopHeadersFilter
                || f instanceof RemoveForwardedHeadersFilter || f instanceof RemoveXForwardedHeadersFilter);
        assertThat(headerFilters).filteredOn(RelayHeadersFilter.class::isInstance).hasSize(2);
        assertThat(headerFilters).anyMatch(TransferEncodingNormalizationHeadersFilter.class::isInstance);
    }

    private static EchoedRequest forwarded(RawHttp.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return EchoedRequest.of(response.body());
    }
}

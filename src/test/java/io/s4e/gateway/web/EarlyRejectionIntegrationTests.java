package io.s4e.gateway.web;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests the HTTP server refuses before any gateway code runs still get the envelope and a request id. */
@GatewayIntegrationTest
class EarlyRejectionIntegrationTests {

    @LocalServerPort
    int port;

    @Test
    void requestWhenTargetIsNotAUriThen400Envelope() {
        RawHttp.Response response = new RawHttp(port).get("/public/a|b");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(RequestIds.isWellFormed(response.header(RequestIds.HEADER))).isTrue();
        ErrorEnvelopes.assertEnvelope(response.body(), "invalid_request");
    }

    @Test
    void requestWhenHeadersTooLargeThen431Envelope() {
        RawHttp.Response response = new RawHttp(port).get("/public/x", "X-Big: " + "a".repeat(20_000));
        assertThat(response.status()).isEqualTo(431);
        assertThat(RequestIds.isWellFormed(response.header(RequestIds.HEADER))).isTrue();
        ErrorEnvelopes.assertEnvelope(response.body(), "invalid_request");
    }

    @Test
    void requestWhenRefusedByTheGatewayThenItsOwnAnswerIsKept() {
        RawHttp.Response response = new RawHttp(port).get("/public/x;y=1", "X-Request-ID: keep-me-1");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header(RequestIds.HEADER)).isEqualTo("keep-me-1");
        assertThat(response.body()).contains("matrix");
    }
}

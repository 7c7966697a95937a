package io.s4e.gateway.web;

import io.s4e.gateway.support.EchoedRequest;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §2: routes and their policy are chosen on the normalised path only, the upstream receives exactly that
 * path, and paths whose meaning could differ between the gateway and the upstream are refused. Request targets are
 * written byte for byte, as an attacker would send them.
 */
@GatewayIntegrationTest
class PathPolicyIntegrationTests {

    @LocalServerPort
    int port;

    private RawHttp http;
    private String admin;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        admin = "Authorization: Bearer " + TestInfrastructure.get().adminKey;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/private?x=/public",
            "/private/x?next=/public/y",
            "/private#/public",
            "/public/../private/x",
            "/public/./../private",
            "/public/%2e%2e/private",
            "/public/%2E%2E/private/x",
            "/public/.%2e/private",
            "//public/..//private/x"
    })
    void pathWhenItNormalisesToPrivateRouteThenUnauthorizedWithoutCredential(String target) {
        RawHttp.Response response = http.get(target);

        assertThat(response.status()).as(response.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(response.body(), "unauthorized");
    }

    @ParameterizedTest
    @CsvSource({
            "/public/../private/x, /private/x",
            "/public/%2e%2e/private/x, /private/x",
            "/public/%2E%2E/private/./x, /private/x",
            "//private//x, /private/x"
    })
    void pathWhenItNormalisesToPrivateRouteThenKeyReachesUpstreamWithNormalisedPath(String target, String upstream) {
        RawHttp.Response response = http.get(target, admin);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        EchoedRequest echoed = EchoedRequest.of(response.body());
        assertThat(echoed.uri()).isEqualTo(upstream);
        assertThat(echoed.header("X-S4E-Auth-Method")).containsExactly("api_key");
    }

    @ParameterizedTest
    @CsvSource({
            "//public//a, /public/a",
            "/public/./a, /public/a",
            "/private/../public/a, /public/a",
            "/public/a/b/../c/, /public/a/c",
            "/public/a%20b/caf%C3%A9, /public/a%20b/caf%C3%A9",
            "/public/x?q=/private/../y, /public/x?q=/private/../y"
    })
    void pathWhenItNormalisesToPublicRouteThenForwardedWithNormalisedPathAndNoAuth(String target, String upstream) {
        RawHttp.Response response = http.get(target);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        EchoedRequest echoed = EchoedRequest.of(response.body());
        assertThat(echoed.uri()).isEqualTo(upstream);
        assertThat(echoed.identityHeaderNames()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/public/..%2Fprivate",
            "/public/..%2fprivate",
            "/public/..%5Cprivate",
            "/public/x;y=1",
            "/public/..;/private",
            "/public/%3B/private",
            "/public/%252e%252e/private",
            "/public/%25/x",
            "/public/a%00b",
            "/public/a%0d%0aX-Injected:%20yes",
            "/public/../../private",
            "/%2e%2e/private"
    })
    void pathWhenAmbiguousThenInvalidRequestAndNotForwarded(String target) {
        RawHttp.Response response = http.get(target, admin);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        ErrorEnvelopes.assertEnvelope(response.body(), "invalid_request");
        assertThat(response.headers()).doesNotContainKey("x-injected");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/PUBLIC/x", "/Public/x", "/public%2Fx" })
    void pathWhenOnlyCaseOrEncodingResemblesPublicRouteThenNotForwardedWithoutAuth(String target) {
        RawHttp.Response response = http.get(target);

        assertThat(response.status()).as(response.body()).isIn(400, 401, 404);
        assertThat(response.body()).doesNotContain("\"uri\"");
    }

    @Test
    void pathWhenUpperCasePublicThenNoRouteMatches() {
        RawHttp.Response response = http.get("/PUBLIC/x");

        assertThat(response.status()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(response.body(), "not_found");
    }

    @Test
    void pathWhenDotSegmentsResolveToRootThenNoRouteMatches() {
        RawHttp.Response response = http.get("/public/..");

        assertThat(response.status()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(response.body(), "not_found");
    }
}

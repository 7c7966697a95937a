package io.s4e.gateway.console;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same-origin rule for cookie-authenticated state changes, over HTTP: what a browser sends from another origin
 * is refused with 403 before the endpoint acts; the same request from the gateway's own origin, from a client that
 * is not a browser, or with another carrier goes through.
 */
@GatewayIntegrationTest
class SameOriginIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String LOGOUT = "/api/user/auth/logout";

    @LocalServerPort
    int port;

    WebTestClient client;
    String email;
    String token;

    @BeforeEach
    void signIn() {
        client = TestClients.of(port);
        email = ConsoleUsers.withPassword("member");
        EntityExchangeResult<byte[]> login = client.post().uri("/api/user/auth/login")
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue("{\"email\":\"" + email + "\",\"password\":\"" + ConsoleUsers.PASSWORD + "\"}")
                .exchange().expectStatus().isOk().expectBody().returnResult();
        token = JSON.readTree(new String(login.getResponseBody(), StandardCharsets.UTF_8))
                .path("data").path("token").asString();
    }

    private String own() {
        return "http://127.0.0.1:" + port;
    }

    private int logoutWithCookie(String origin, String secFetchSite) {
        WebTestClient.RequestBodySpec request = client.post().uri(LOGOUT).cookie("token", token);
        if (origin != null) {
            request.header(HttpHeaders.ORIGIN, origin);
        }
        if (secFetchSite != null) {
            request.header("Sec-Fetch-Site", secFetchSite);
        }
        EntityExchangeResult<byte[]> result = request.exchange().expectBody().returnResult();
        if (result.getStatus().value() == 403) {
            String body = new String(result.getResponseBody(), StandardCharsets.UTF_8);
            ErrorEnvelopes.assertEnvelope(body, "forbidden");
            assertThat(body).contains("own origin");
        }
        return result.getStatus().value();
    }

    private int keysWithCookie() {
        return client.get().uri("/api/keys").cookie("token", token).exchange().expectBody().returnResult()
                .getStatus().value();
    }

    @Test
    void cookiePostWhenSecFetchSiteCrossSiteThenForbiddenAndSessionKept() {
        assertThat(logoutWithCookie("https://evil.example", "cross-site")).isEqualTo(403);
        assertThat(keysWithCookie()).isEqualTo(200);
    }

    @Test
    void cookiePostWhenSecFetchSiteSameSiteOrNoneThenForbidden() {
        assertThat(logoutWithCookie("http://other.127.0.0.1.nip.example", "same-site")).isEqualTo(403);
        assertThat(logoutWithCookie(null, "same-site")).isEqualTo(403);
        assertThat(logoutWithCookie(null, "none")).isEqualTo(403);
        assertThat(keysWithCookie()).isEqualTo(200);
    }

    @Test
    void cookiePostWhenOriginOfAnotherPortHostOrSchemeOrNullThenForbidden() {
        assertThat(logoutWithCookie("http://127.0.0.1:" + (port + 1), null)).isEqualTo(403);
        assertThat(logoutWithCookie("http://localhost:" + port, null)).isEqualTo(403);
        assertThat(logoutWithCookie("https://127.0.0.1:" + port, null)).isEqualTo(403);
        assertThat(logoutWithCookie("null", null)).isEqualTo(403);
        assertThat(keysWithCookie()).isEqualTo(200);
    }

    @Test
    void cookieDeleteFromAnotherOriginThenForbiddenBeforeTheEndpointActs() {
        String secret = TestData.key(ConsoleUsers.id(email), List.of("read:assets"));
        String keyId = TestData.keyId(secret);

        int delete = client.delete().uri("/api/keys/" + keyId).cookie("token", token)
                .header(HttpHeaders.ORIGIN, "https://evil.example").exchange().expectBody().returnResult()
                .getStatus().value();

        assertThat(delete).isEqualTo(403);
        assertThat(TestData.queryString("SELECT revoked_at FROM api_keys WHERE id = ?", keyId)).isNull();
    }

    @Test
    void cookiePostWhenSameOriginThenAllowed() {
        assertThat(logoutWithCookie(own(), "same-origin")).isEqualTo(200);
        assertThat(keysWithCookie()).isEqualTo(401);
    }

    @Test
    void cookiePostWhenOwnOriginWithoutSecFetchSiteThenAllowed() {
        assertThat(logoutWithCookie(own(), null)).isEqualTo(200);
    }

    @Test
    void cookiePostWhenNeitherHeaderThenAllowedAsNoBrowserSentIt() {
        assertThat(logoutWithCookie(null, null)).isEqualTo(200);
    }

    @Test
    void cookieGetFromAnotherOriginThenNotChecked() {
        int status = client.get().uri("/api/keys").cookie("token", token)
                .header(HttpHeaders.ORIGIN, "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                .exchange().expectBody().returnResult().getStatus().value();

        assertThat(status).isEqualTo(200);
    }

    @Test
    void bearerSessionOrApiKeyFromAnotherOriginThenNotChecked() {
        EntityExchangeResult<byte[]> key = client.post().uri("/api/keys")
                .header("X-API-Key", TestInfrastructure.get().adminKey)
                .header(HttpHeaders.ORIGIN, "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue("{\"name\":\"cross\",\"scopes\":[\"read:assets\"]}")
                .exchange().expectBody().returnResult();
        EntityExchangeResult<byte[]> bearer = client.post().uri(LOGOUT)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .header(HttpHeaders.ORIGIN, "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                .exchange().expectBody().returnResult();

        assertThat(key.getStatus().value()).isEqualTo(201);
        assertThat(bearer.getStatus().value()).isEqualTo(200);
    }

    @Test
    void cookieOnForwardedRouteFromAnotherOriginThenForbiddenInsteadOfForwarded() {
        EntityExchangeResult<byte[]> refused = client.post().uri("/api/assets/1").cookie("token", token)
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .exchange().expectBody().returnResult();
        EntityExchangeResult<byte[]> forwarded = client.post().uri("/api/assets/1").cookie("token", token)
                .header(HttpHeaders.ORIGIN, own())
                .exchange().expectBody().returnResult();

        assertThat(refused.getStatus().value()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(new String(refused.getResponseBody(), StandardCharsets.UTF_8), "forbidden");
        assertThat(forwarded.getStatus().value()).isEqualTo(200);
    }
}

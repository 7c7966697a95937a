package io.s4e.gateway.console;

import java.nio.charset.StandardCharsets;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's files, its configuration and the security headers of everything under {@code /console}. */
@GatewayIntegrationTest
class ConsoleServingIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    WebTestClient client;

    @BeforeEach
    void setUp() {
        client = TestClients.of(port);
    }

    private EntityExchangeResult<byte[]> get(String path) {
        return client.get().uri(path).exchange().expectBody().returnResult();
    }

    private static String body(EntityExchangeResult<byte[]> result) {
        byte[] bytes = result.getResponseBody();
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void assertSecurityHeaders(HttpHeaders headers) {
        String csp = headers.getFirst("Content-Security-Policy");
        assertThat(csp).contains("script-src 'self'", "frame-ancestors 'none'", "default-src 'none'",
                "object-src 'none'", "base-uri 'none'");
        assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(headers.getFirst("X-Frame-Options")).isEqualTo("DENY");
        assertThat(headers.getFirst("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(headers.getFirst("Referrer-Policy")).isEqualTo("no-referrer");
    }

    @Test
    void indexWhenRequestedThenHtmlWithSecurityHeadersAndNoInlineScript() {
        EntityExchangeResult<byte[]> index = get("/console/");

        assertThat(index.getStatus().value()).isEqualTo(200);
        assertThat(index.getResponseHeaders().getContentType().toString()).startsWith("text/html");
        assertSecurityHeaders(index.getResponseHeaders());
        String html = body(index);
        assertThat(html).contains("<script src=\"app.js\" defer></script>");
        assertThat(html.replace("<script src=", "")).doesNotContain("<script");
        assertThat(html).doesNotContainPattern("\\son[a-z]+=").doesNotContain("style=");
    }

    @Test
    void consoleWithoutSlashThenPermanentRedirect() {
        EntityExchangeResult<byte[]> redirect = get("/console");

        assertThat(redirect.getStatus().value()).isEqualTo(308);
        assertThat(redirect.getResponseHeaders().getLocation()).hasToString("/console/");
        assertSecurityHeaders(redirect.getResponseHeaders());
    }

    @Test
    void assetsWhenRequestedThenServedWithTheirTypesAndHeaders() {
        EntityExchangeResult<byte[]> script = get("/console/app.js");
        EntityExchangeResult<byte[]> style = get("/console/app.css");
        EntityExchangeResult<byte[]> qr = get("/console/vendor/qrcode-generator-2.0.4.js");

        assertThat(script.getStatus().value()).isEqualTo(200);
        assertThat(script.getResponseHeaders().getContentType().toString()).contains("javascript");
        assertSecurityHeaders(script.getResponseHeaders());
        assertThat(style.getResponseHeaders().getContentType().toString()).startsWith("text/css");
        assertThat(body(qr)).contains("Licensed under the MIT license");
        assertThat(body(script)).doesNotContain("localStorage");
    }

    @Test
    void unknownFileOrTraversalThenNotFoundEnvelopeWithSecurityHeaders() {
        EntityExchangeResult<byte[]> missing = get("/console/nothing-here.js");
        EntityExchangeResult<byte[]> outside = get("/console/../application.yml");
        EntityExchangeResult<byte[]> classes = get("/console/../io/s4e/gateway/GatewayApplication.class");

        assertThat(missing.getStatus().value()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(body(missing), "not_found");
        assertSecurityHeaders(missing.getResponseHeaders());
        assertThat(outside.getStatus().value()).isEqualTo(404);
        assertThat(classes.getStatus().value()).isEqualTo(404);
    }

    @Test
    void configWhenRequestedThenRolesScopesTiersAndNoCaptchaWidget() {
        EntityExchangeResult<byte[]> config = get("/console/config.json");

        assertThat(config.getStatus().value()).isEqualTo(200);
        JsonNode json = JSON.readTree(body(config));
        assertThat(json.path("captcha").isNull()).isTrue();
        assertThat(json.path("roles").path("member").toString()).contains("read:assets", "write:webhooks")
                .doesNotContain("admin");
        assertThat(json.path("roles").path("viewer").toString()).doesNotContain("write:");
        assertThat(json.path("roles").path("admin").toString()).contains("\"admin\"");
        assertThat(json.path("tiers").toString()).isEqualTo("[\"standard\",\"premium\",\"enterprise\"]");
    }

    @Test
    void preflightFromAnotherOriginThenNoCorsGrant() {
        EntityExchangeResult<byte[]> preflight = client.options().uri("/api/user/auth/login")
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
                .exchange().expectBody().returnResult();

        assertThat(preflight.getResponseHeaders().getAccessControlAllowOrigin()).isNull();
        assertThat(preflight.getResponseHeaders().getAccessControlAllowMethods()).isEmpty();
    }

    @Test
    void responsesOutsideTheConsoleThenWithoutConsoleHeaders() {
        EntityExchangeResult<byte[]> api = get("/public/anything");

        assertThat(api.getResponseHeaders().getFirst("Content-Security-Policy")).isNull();
        assertThat(api.getResponseHeaders().getFirst("X-Frame-Options")).isNull();
    }
}

package io.s4e.gateway.hardening;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 22 (3, 12): spellings of one path never get what the canonical path is refused (SECURITY-CHECKLIST §2,
 * docs/request-paths.md). A replica with the sidecar's kind of routes and a catch-all behind them, the §7 endpoint
 * limits and one route limit from metadata: past a limit, every variant of the endpoint is refused too; a case
 * variant of a route is 404, never the catch-all's; gateway-owned namespaces are never forwarded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathVariantAttackTests {

    private static final String ROUTES = "spring.cloud.gateway.server.webflux.routes";

    private SecondGateway gateway;
    private RawHttp http;

    @BeforeAll
    void start() {
        gateway = SecondGateway.start(routes());
        http = new RawHttp(gateway.port());
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    /**
     * scan-create and assets-bulk take the §7 endpoint limits (10/min, 5/min; s4e.rate-limits.endpoints),
     * findings-export its limit from route metadata; everything else authenticated goes to a catch-all.
     */
    static Map<String, String> routes() {
        String upstream = TestInfrastructure.get().upstream.url();
        Map<String, String> properties = new HashMap<>();
        String[][] routes = {
                { "scan-create", "Path=/api/scan/create", "Method=POST", "s4e-scopes=write:scans" },
                { "findings-export", "Path=/api/findings/export", "Method=POST",
                        "s4e-scopes=read:findings", "s4e-rate-limit=5/min" },
                { "assets-write", "Path=/api/assets/**", "Method=POST,PUT,PATCH,DELETE", "s4e-scopes=write:assets" },
                { "assets-read", "Path=/api/assets/**", null, "s4e-scopes=read:assets" },
                { "public", "Path=/public/**", null, "s4e-auth=none" },
                { "catch-all", "Path=/**", null, null },
        };
        for (int i = 0; i < routes.length; i++) {
            String route = ROUTES + "[" + i + "]";
            properties.put(route + ".id", routes[i][0]);
            properties.put(route + ".uri", upstream);
            properties.put(route + ".predicates[0]", routes[i][1]);
            if (routes[i][2] != null) {
                properties.put(route + ".predicates[1]", routes[i][2]);
            }
            for (int m = 3; m < routes[i].length; m++) {
                if (routes[i][m] != null) {
                    String[] entry = routes[i][m].split("=", 2);
                    properties.put(route + ".metadata." + entry[0], entry[1]);
                }
            }
        }
        return properties;
    }

    private static String key(String... scopes) {
        return "Authorization: Bearer " + TestData.key(TestData.user("member"), List.of(scopes));
    }

    private RawHttp.Response post(String target, String credential) {
        return http.send("POST", target, "{}".getBytes(StandardCharsets.UTF_8), credential,
                "Content-Type: application/json");
    }

    /** Uses up {@code limit} requests of the canonical path, then checks that it and every variant are refused. */
    private void assertVariantsShareLimit(String canonical, int limit, String credential, List<String> variants) {
        for (int i = 0; i < limit; i++) {
            RawHttp.Response allowed = post(canonical, credential);
            assertThat(allowed.status()).as(canonical + " #" + i + " " + allowed.body()).isEqualTo(200);
        }
        assertThat(post(canonical, credential).status()).isEqualTo(429);
        for (String variant : variants) {
            RawHttp.Response response = post(variant, credential);
            assertThat(response.status()).as(variant + " " + response.body()).isIn(429, 404);
            assertThat(response.body()).as(variant).doesNotContain("\"uri\"");
        }
    }

    @Test
    void scanCreateWhenLimitReachedThenEveryVariantIsRefused() {
        assertVariantsShareLimit("/api/scan/create", 10, key("write:scans"), List.of(
                "/api/scan/create/", "/api/scan/create/.", "/api/scan/cre%61te", "/api/scan/Create",
                "/api/scan/%63%72%65%61%74%65/", "//api//scan/create//", "/api/scan/x/../create",
                "/api/SCAN/create", "/api/scan/create/%2e"));
    }

    @Test
    void findingsExportWhenRouteLimitReachedThenEveryVariantIsRefused() {
        assertVariantsShareLimit("/api/findings/export", 5, key("read:findings"), List.of(
                "/api/findings/export/", "/api/findings/export/.", "/api/findings/%65xport", "/api/Findings/export",
                "/api/findings/EXPORT/"));
    }

    @Test
    void assetsBulkWhenLimitReachedThenEveryVariantIsRefused() {
        assertVariantsShareLimit("/api/assets/bulk", 5, key("write:assets"), List.of(
                "/api/assets/bulk/", "/api/assets/bulk/.", "/api/assets/bul%6B", "/api/assets/Bulk",
                "/api/assets/BULK/", "/api/ASSETS/bulk"));
    }

    @Test
    void caseVariantWhenBelowLimitThenNotFoundInsteadOfTheCatchAll() {
        // a variant that only the catch-all would take is 404, and stays 404 below the limit as well
        String credential = key("write:scans");

        RawHttp.Response response = post("/api/scan/Create", credential);

        assertThat(response.status()).as(response.body()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(response.body(), "not_found");
    }

    @ParameterizedTest
    @CsvSource({
            "/api/scan/cre%61te/, /api/scan/create",
            "/api/scan/create/., /api/scan/create",
            "//api/scan//create, /api/scan/create",
            "/api/scan/%7Ex/../create, /api/scan/create"
    })
    void variantWhenUnderLimitThenUpstreamReceivesCanonicalPath(String target, String upstream) {
        RawHttp.Response response = post(target, key("write:scans"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(EchoedRequest.of(response.body()).uri()).isEqualTo(upstream);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/ASSETS/1", "/api/Assets/1", "/API/assets/1", "/api/assets%2F1", "/api/%41ssets/1" })
    void caseVariantOfProtectedPrefixWhenKeyLacksScopeThenNeverTheCatchAll(String target) {
        RawHttp.Response response = http.get(target, key("read:scans"));

        assertThat(response.status()).as(response.body()).isIn(400, 403, 404);
        assertThat(response.body()).doesNotContain("\"uri\"");
    }

    @Test
    void caseVariantOfPublicRouteWhenAnonymousThenNotFound() {
        RawHttp.Response response = http.get("/PUBLIC/x");

        assertThat(response.status()).as(response.body()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(response.body(), "not_found");
    }

    @Test
    void catchAllWhenPathIsNoVariantThenStillForwarded() {
        RawHttp.Response response = http.get("/api/admin-tools/Report", key("read:scans"));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(EchoedRequest.of(response.body()).uri()).isEqualTo("/api/admin-tools/Report");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/user/unknown", "/api/user", "/api/admin/unknown/x", "/api/keys/a/b/c",
            "/api/audit-log/x", "/api/USER/me", "/api/User/auth/login", "/api/Keys", "/API/ADMIN/users",
            "/api/us%65r/unknown", "/api/admin/x/", "/api/x/../keys/a/b", "/api/KEYS/a/rotate/x" })
    void gatewayNamespaceWhenPathUnknownThenNotFoundAndNeverForwarded(String target) {
        RawHttp.Response anonymous = http.get(target);
        RawHttp.Response withKey = http.get(target, "Authorization: Bearer " + TestInfrastructure.get().adminKey);

        for (RawHttp.Response response : List.of(anonymous, withKey)) {
            assertThat(response.status()).as(target + " " + response.body()).isEqualTo(404);
            ErrorEnvelopes.assertEnvelope(response.body(), "not_found");
        }
    }

    @Test
    void gatewayNamespaceWhenSpelledWithEscapesThenAnsweredByTheGateway() {
        RawHttp.Response response = http.get("/api/adm%69n/users/",
                "Authorization: Bearer " + TestInfrastructure.get().adminKey);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"status\":\"success\"").doesNotContain("\"uri\"");
    }

    @Test
    void gatewayNamespaceWhenPostedToUnknownPathThenNotFound() {
        RawHttp.Response response = post("/api/user/auth/LOGIN", key("write:scans"));

        assertThat(response.status()).as(response.body()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(response.body(), "not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/keys/**", "/api/User/{id}", "/api/admin", "/API/AUDIT-LOG/export" })
    void routeWhenItClaimsGatewayNamespaceThenGatewayRefusesToStart(String pattern) {
        Map<String, String> properties = new HashMap<>();
        properties.put(ROUTES + "[0].id", "claims-namespace");
        properties.put(ROUTES + "[0].uri", TestInfrastructure.get().upstream.url());
        properties.put(ROUTES + "[0].predicates[0]", "Path=/public/**," + pattern);

        assertThatThrownBy(() -> SecondGateway.start(properties).close())
                .hasStackTraceContaining("Route 'claims-namespace' has Path " + pattern
                        + " inside a gateway-owned namespace");
    }
}

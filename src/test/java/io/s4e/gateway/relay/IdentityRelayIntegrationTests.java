package io.s4e.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §4: what the upstream receives. The gateway's identity headers with the principal's real values, never a
 * client's {@code X-S4E-*} header, never the credential (header, cookie or query parameter), and only requests whose
 * effective scopes satisfy the route.
 */
@GatewayIntegrationTest
class IdentityRelayIntegrationTests {

    private static final String[] SPOOFED = {
            "X-S4E-User-Id: 999999",
            "x-s4e-user-id: 888888",
            "X-s4E-Role: admin",
            "X-S4E-Anything: whatever",
            "X-S4E-Scopes: admin",
            "X-S4E-User-Role: admin"
    };

    @LocalServerPort
    int port;

    private RawHttp http;
    private String adminKey;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        adminKey = TestInfrastructure.get().adminKey;
    }

    @Test
    void relayWhenAdminKeyThenUpstreamReceivesIdentityHeaders() {
        String adminId = TestData.queryString("SELECT id FROM users WHERE email = ?", TestInfrastructure.ADMIN_EMAIL);

        EchoedRequest echoed = forwarded(http.get("/private/r", "Authorization: Bearer " + adminKey));

        assertThat(echoed.header("X-S4E-User-Id")).containsExactly(adminId);
        assertThat(echoed.header("X-S4E-User-Email")).containsExactly(TestInfrastructure.ADMIN_EMAIL);
        assertThat(echoed.header("X-S4E-User-Role")).containsExactly("admin");
        assertThat(echoed.header("X-S4E-Auth-Method")).containsExactly("api_key");
        assertThat(echoed.header("X-S4E-Key-Id")).containsExactly(TestData.keyId(adminKey));
        assertThat(echoed.header("X-S4E-Scopes")).containsExactly("admin");
        assertThat(echoed.identityHeaderNames()).containsExactlyInAnyOrder("x-s4e-user-id", "x-s4e-user-email",
                "x-s4e-user-role", "x-s4e-auth-method", "x-s4e-key-id", "x-s4e-scopes");
    }

    @Test
    void relayWhenClientSendsIdentityHeadersOnPublicRouteThenAllRemoved() {
        EchoedRequest echoed = forwarded(http.get("/public/r", with(SPOOFED, "X-Custom: kept")));

        assertThat(echoed.identityHeaderNames()).isEmpty();
        assertThat(echoed.header("X-Custom")).containsExactly("kept");
    }

    @Test
    void relayWhenClientSendsIdentityHeadersOnAuthenticatedRouteThenReplacedByRealValues() {
        long viewer = TestData.user("viewer");
        String key = TestData.key(viewer, List.of("read:assets"));

        EchoedRequest echoed = forwarded(http.get("/api/assets/1", with(SPOOFED, "X-API-Key: " + key)));

        assertThat(echoed.header("X-S4E-User-Id")).containsExactly(Long.toString(viewer));
        assertThat(echoed.header("X-S4E-User-Role")).containsExactly("viewer");
        assertThat(echoed.header("X-S4E-Scopes")).containsExactly("read:assets");
        assertThat(echoed.header("X-S4E-Role")).isEmpty();
        assertThat(echoed.header("X-S4E-Anything")).isEmpty();
    }

    @Test
    void relayWhenKeyInAuthorizationBearerThenAuthorizationNotForwarded() {
        EchoedRequest echoed = forwarded(http.get("/private/r", "Authorization: Bearer " + adminKey));

        assertThat(echoed.header("Authorization")).isEmpty();
        assertThat(echoed.toString()).doesNotContain(adminKey);
    }

    @Test
    void relayWhenKeyInXApiKeyThenXApiKeyNotForwarded() {
        EchoedRequest echoed = forwarded(http.get("/private/r", "X-API-Key: " + adminKey));

        assertThat(echoed.header("X-API-Key")).isEmpty();
        assertThat(echoed.toString()).doesNotContain(adminKey);
    }

    @Test
    void relayWhenAuthorizationIsNotBearerThenForwardedUntouched() {
        EchoedRequest echoed = forwarded(http.get("/public/r", "Authorization: Basic dXNlcjpwYXNz"));

        assertThat(echoed.header("Authorization")).containsExactly("Basic dXNlcjpwYXNz");
    }

    @Test
    void relayWhenTokenCookieThenRemovedAndOtherCookiesKept() {
        EchoedRequest echoed = forwarded(http.get("/public/r", "Cookie: theme=dark; token=abc.def; lang=en"));

        assertThat(echoed.header("Cookie")).containsExactly("theme=dark; lang=en");
    }

    @Test
    void relayWhenOnlyTokenCookieThenNoCookieHeaderForwarded() {
        EchoedRequest echoed = forwarded(http.get("/public/r", "Cookie: token=abc.def"));

        assertThat(echoed.header("Cookie")).isEmpty();
    }

    @Test
    void relayWhenTokenQueryParameterThenRemovedAndOthersKeepRawEncoding() {
        EchoedRequest echoed = forwarded(
                http.get("/public/r?a=1%2B2&token=abc.def&b=%2F%20x&c=caf%C3%A9&d=x+y&e=&f"));

        assertThat(echoed.uri()).isEqualTo("/public/r?a=1%2B2&b=%2F%20x&c=caf%C3%A9&d=x+y&e=&f");
    }

    @Test
    void relayWhenPercentEncodedTokenQueryParameterThenRemoved() {
        EchoedRequest echoed = forwarded(http.get("/public/r?x=1&%74oken=abc.def&y=2"));

        assertThat(echoed.uri()).isEqualTo("/public/r?x=1&y=2");
    }

    @Test
    void relayWhenTokenIsOnlyQueryParameterThenNoQueryForwarded() {
        EchoedRequest echoed = forwarded(http.get("/public/r?token=abc.def"));

        assertThat(echoed.uri()).isEqualTo("/public/r");
    }

    @Test
    void relayWhenNoTokenQueryParameterThenQueryForwardedAsReceived() {
        EchoedRequest echoed = forwarded(http.get("/public/r?tokens=1&my_token=2&q=%2Fa%2Bb&r=c+d"));

        assertThat(echoed.uri()).isEqualTo("/public/r?tokens=1&my_token=2&q=%2Fa%2Bb&r=c+d");
    }

    @Test
    void scopesWhenViewerKeyWithReadAssetsThenGetForwardedAndPostForbidden() {
        String key = TestData.key(TestData.user("viewer"), List.of("read:assets"));

        EchoedRequest read = forwarded(http.get("/api/assets/1", "X-API-Key: " + key));
        RawHttp.Response write = http.send("POST", "/api/assets/1", "{}".getBytes(StandardCharsets.UTF_8),
                "X-API-Key: " + key, "Content-Type: application/json");

        assertThat(read.method()).isEqualTo("GET");
        assertThat(read.header("X-S4E-Scopes")).containsExactly("read:assets");
        assertForbidden(write);
    }

    @Test
    void scopesWhenKeyLacksRouteScopeThenForbidden() {
        String key = TestData.key(TestData.user("member"), List.of("read:scans", "write:findings"));

        assertForbidden(http.get("/api/assets/1", "X-API-Key: " + key));
    }

    @Test
    void scopesWhenAdminScopedKeyThenAdminRoutePasses() {
        String key = TestData.key(TestData.user("admin"), List.of("admin"));

        EchoedRequest echoed = forwarded(http.get("/api/admin-tools/x", "X-API-Key: " + key));

        assertThat(echoed.uri()).isEqualTo("/api/admin-tools/x");
        assertThat(echoed.header("X-S4E-Scopes")).containsExactly("admin");
    }

    @Test
    void scopesWhenKeyHasEveryMemberScopeButNotAdminThenAdminRouteForbidden() {
        String key = TestData.key(TestData.user("member"), List.of("read:assets", "write:assets", "read:scans",
                "write:scans"));

        assertForbidden(http.get("/api/admin-tools/x", "X-API-Key: " + key));
    }

    @Test
    void scopesWhenKeyStoredWithScopeBeyondOwnersRoleThenScopeNotEffective() {
        String key = TestData.key(TestData.user("viewer"), List.of("read:assets", "write:assets"));

        EchoedRequest read = forwarded(http.get("/api/assets/1", "X-API-Key: " + key));
        RawHttp.Response write = http.send("POST", "/api/assets/1", "{}".getBytes(StandardCharsets.UTF_8),
                "X-API-Key: " + key, "Content-Type: application/json");

        assertThat(read.header("X-S4E-Scopes")).containsExactly("read:assets");
        assertForbidden(write);
    }

    @Test
    void scopesWhenAdminRoleKeyStoredWithAdminScopeThenWriteRoutePasses() {
        String key = TestData.key(TestData.user("admin"), List.of("admin"));

        RawHttp.Response write = http.send("POST", "/api/assets/1", "{}".getBytes(StandardCharsets.UTF_8),
                "X-API-Key: " + key, "Content-Type: application/json");

        assertThat(forwarded(write).method()).isEqualTo("POST");
    }

    private static String[] with(String[] lines, String... more) {
        String[] all = new String[lines.length + more.length];
        System.arraycopy(lines, 0, all, 0, lines.length);
        System.arraycopy(more, 0, all, lines.length, more.length);
        return all;
    }

    private static EchoedRequest forwarded(RawHttp.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return EchoedRequest.of(response.body());
    }

    private static void assertForbidden(RawHttp.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        ErrorEnvelopes.assertEnvelope(response.body(), "forbidden");
    }
}

package io.s4e.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SECURITY-CHECKLIST §6: every answer the gateway gives itself (secrets included: session tokens, API keys, TOTP
 * secrets, admin lists; errors too) is {@code Cache-Control: no-store}; an authenticated forwarded answer without a
 * cache policy of its own is {@code private} and varies on the credential headers; an anonymous forwarded answer is
 * left as the upstream sent it (docs/request-paths.md).
 */
@GatewayIntegrationTest
class CacheHeadersIntegrationTests {

    private static final String PASSWORD = "a long enough test password";
    private static final String JSON = "Content-Type: application/json";

    @LocalServerPort
    int port;

    private RawHttp http;
    private String admin;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        admin = "Authorization: Bearer " + TestInfrastructure.get().adminKey;
    }

    private static void assertNoStore(RawHttp.Response response) {
        assertThat(response.headers("cache-control")).as(response.status() + " " + response.body())
                .containsExactly("no-store");
    }

    private RawHttp.Response post(String path, String json, String... headers) {
        String[] all = new String[headers.length + 1];
        System.arraycopy(headers, 0, all, 0, headers.length);
        all[headers.length] = JSON;
        return http.send("POST", path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), all);
    }

    private String userWithPassword(String role) {
        return TestUsers.withPassword("cache", role, PASSWORD);
    }

    private RawHttp.Response login(String email) {
        return post("/api/user/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
    }

    @Test
    void loginRefreshAndTotpSetupWhenAnsweredThenNoStore() {
        String email = userWithPassword("member");

        RawHttp.Response login = login(email);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.header("set-cookie")).startsWith("token=");
        assertNoStore(login);
        String token = login.json().path("data").path("token").asString();

        RawHttp.Response refresh = post("/api/user/auth/refresh", null, "Authorization: Bearer " + token);
        assertThat(refresh.status()).as(refresh.body()).isEqualTo(200);
        assertNoStore(refresh);
        String refreshed = refresh.json().path("data").path("token").asString();

        RawHttp.Response setup = post("/api/user/mfa/totp/setup", null, "Authorization: Bearer " + refreshed);
        assertThat(setup.status()).as(setup.body()).isEqualTo(200);
        assertThat(setup.body()).contains("otpauth");
        assertNoStore(setup);

        RawHttp.Response keys = http.get("/api/keys", "Cookie: token=" + refreshed);
        assertThat(keys.status()).as(keys.body()).isEqualTo(200);
        assertNoStore(keys);
    }

    @Test
    void keyCreationRotationAndAdminListsWhenAnsweredThenNoStore() {
        RawHttp.Response created = post("/api/keys", "{\"name\":\"cache test\",\"scopes\":[\"read:assets\"]}", admin);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("data").path("key").asString()).startsWith("s4e_");
        assertNoStore(created);
        String id = created.json().path("data").path("id").asString();

        RawHttp.Response rotated = post("/api/keys/" + id + "/rotate", "{}", admin);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertNoStore(rotated);

        for (String list : List.of("/api/keys", "/api/keys/" + id, "/api/admin/users", "/api/audit-log")) {
            RawHttp.Response response = http.get(list, admin);
            assertThat(response.status()).as(list + " " + response.body()).isEqualTo(200);
            assertNoStore(response);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "/private/x", "/nothing-routes-here", "/public/a%2Fb", "/api/keys/none-such",
            "/api/user/unknown" })
    void errorEnvelopeWhenAnsweredThenNoStore(String target) {
        RawHttp.Response response = http.get(target);

        assertThat(response.status()).isIn(400, 401, 404);
        assertNoStore(response);
    }

    @Test
    void consoleWhenServedThenFilesRevalidatedAndItsJsonNotStored() {
        assertThat(http.get("/console/app.js").headers("cache-control")).containsExactly("no-cache");
        assertThat(http.get("/console/").headers("cache-control")).containsExactly("no-cache");
        assertNoStore(http.get("/console/config.json"));
    }

    @Test
    void forwardedWhenAuthenticatedWithoutPolicyThenPrivateAndVaryOnCredentials() {
        RawHttp.Response response = http.get("/private/x", admin);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(EchoedRequest.of(response.body()).uri()).isEqualTo("/private/x");
        assertThat(response.headers("cache-control")).containsExactly("private");
        assertThat(response.headers("vary")).containsExactly("Authorization, Cookie");
    }

    @Test
    void forwardedWhenAuthenticatedAndUpstreamVariesThenCredentialsMergedIntoItsVary() {
        RawHttp.Response merged = http.get("/private/x?respond-vary=Accept-Encoding", admin);
        RawHttp.Response partly = http.get("/private/x?respond-vary=cookie,%20Accept", admin);
        RawHttp.Response any = http.get("/private/x?respond-vary=*", admin);

        assertThat(merged.headers("cache-control")).containsExactly("private");
        assertThat(merged.headers("vary")).containsExactly("Accept-Encoding, Authorization, Cookie");
        assertThat(partly.headers("vary")).containsExactly("cookie, Accept, Authorization");
        assertThat(any.headers("vary")).containsExactly("*");
    }

    @Test
    void forwardedWhenUpstreamHasItsOwnPolicyThenKeptAlone() {
        RawHttp.Response authenticated = http.get("/private/x?respond-cache-control=max-age%3D60", admin);
        RawHttp.Response anonymous = http.get("/public/x?respond-cache-control=public,%20max-age%3D300");

        assertThat(authenticated.headers("cache-control")).containsExactly("max-age=60");
        assertThat(authenticated.headers("vary")).isEmpty();
        assertThat(anonymous.headers("cache-control")).containsExactly("public, max-age=300");
    }

    @Test
    void forwardedWhenAnonymousWithoutPolicyThenNoCacheHeadersAdded() {
        RawHttp.Response open = http.get("/public/x");
        RawHttp.Response optional = http.get("/optional/x");
        RawHttp.Response optionalWithKey = http.get("/optional/x", admin);

        assertThat(open.status()).isEqualTo(200);
        assertThat(open.headers("cache-control")).isEmpty();
        assertThat(open.headers("vary")).isEmpty();
        assertThat(optional.headers("cache-control")).isEmpty();
        assertThat(optionalWithKey.headers("cache-control")).containsExactly("private");
        assertThat(optionalWithKey.headers("vary")).containsExactly("Authorization, Cookie");
    }
}

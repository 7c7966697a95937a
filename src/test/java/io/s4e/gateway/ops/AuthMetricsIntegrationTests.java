package io.s4e.gateway.ops;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.support.TestUsers;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each authentication outcome counts once in {@code s4e.auth.outcomes{method,outcome}} and shows in the Prometheus
 * scrape; upstream latency is timed per route and the key cache reports hits and misses.
 * (The 503 outcomes are counted in {@link ReadinessOutageIntegrationTests}, where the stores can be cut.)
 */
@GatewayIntegrationTest
class AuthMetricsIntegrationTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry meters;

    @Value("${s4e.session.jwt-secret}")
    String jwtSecret;

    @Test
    void apiKeySuccessWhenCountedThenOneMore() {
        assertCounted("api_key", "success", 200,
                r -> r.header(HttpHeaders.AUTHORIZATION, "Bearer " + TestInfrastructure.get().adminKey));
    }

    @Test
    void apiKeyUnknownWhenCountedThenUnauthorized() {
        assertCounted("api_key", "unauthorized", 401, r -> r.header("X-API-Key", TestData.unknownKey()));
    }

    @Test
    void sessionSuccessWhenCountedThenOneMore() {
        String token = login();
        assertCounted("session", "success", 200, r -> r.header(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    @Test
    void sessionGarbageWhenCountedThenUnauthorized() {
        assertCounted("session", "unauthorized", 401, r -> r.cookie("token", "not.a.jwt"));
    }

    @Test
    void sessionExpiredWhenCountedThenTokenExpired() {
        Instant past = Instant.now().minusSeconds(60);
        String expired = Jwts.builder().header().keyId("k1").and().issuer("s4e-gateway").subject("1")
                .claim("sid", "gone").claim("role", "admin").claim("amr", List.of("pwd"))
                .issuedAt(Date.from(past.minusSeconds(600))).expiration(Date.from(past))
                .signWith(Keys.hmacShaKeyFor(jwtSecret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
        assertCounted("session", "token_expired", 401, r -> r.header(HttpHeaders.AUTHORIZATION, "Bearer " + expired));
    }

    @Test
    void mfaTempTokenWhenCountedThenMfaRequired() {
        assertCounted("session", "mfa_required", 403,
                r -> r.header(HttpHeaders.AUTHORIZATION, "Bearer mfa_temp_0123456789abcdefghijklmnopqrstuv"));
    }

    @Test
    void loginStepsWhenCountedThenEachOutcomeOnce() {
        String good = credentials(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD);
        assertLoginCounted("login", "success", 200, "/api/user/auth/login", good, null);
        assertLoginCounted("login", "unauthorized", 401, "/api/user/auth/login",
                credentials(TestInfrastructure.ADMIN_EMAIL, "wrong password, surely"), null);
        assertLoginCounted("login", "invalid_request", 400, "/api/user/auth/login", "{not json", null);
        String mfaUser = "metrics-mfa-" + System.nanoTime() + "@example.test";
        long mfaUserId = TestUsers.insert(mfaUser, "member", "metrics password 123");
        TestData.update("UPDATE users SET email_mfa_enabled = true WHERE id = ?", mfaUserId);
        assertLoginCounted("login", "mfa_required", 200, "/api/user/auth/login",
                credentials(mfaUser, "metrics password 123"), null);
        assertLoginCounted("mfa_verify", "unauthorized", 401, "/api/user/auth/mfa/verify",
                "{\"mfa_token\":\"mfa_temp_unknown\",\"code\":\"123456\",\"method\":\"email\"}", null);
        assertLoginCounted("refresh", "success", 200, "/api/user/auth/refresh", null, login());
        assertLoginCounted("logout", "success", 200, "/api/user/auth/logout", null, login());
        assertLoginCounted("logout", "unauthorized", 401, "/api/user/auth/logout", null, null);
    }

    @Test
    void prometheusWhenScrapedThenOutcomesRouteLatencyAndCacheSeries() {
        client().get().uri("/api/assets/7").header("X-API-Key", TestInfrastructure.get().adminKey).exchange()
                .expectStatus().isOk();
        client().get().uri("/api/assets/7").header("X-API-Key", TestData.unknownKey()).exchange()
                .expectStatus().isUnauthorized();
        String scrape = TestClients.of(managementPort).get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(scrape)
                .contains("s4e_auth_outcomes_total{method=\"api_key\",outcome=\"success\"}")
                .contains("s4e_auth_outcomes_total{method=\"api_key\",outcome=\"unauthorized\"}")
                .containsPattern("s4e_upstream_requests_seconds_count\\{route=\"assets-read\",status=\"200\"}")
                .containsPattern("s4e_upstream_requests_seconds_bucket\\{[^}]*route=\"assets-read\",status=\"200\"")
                .doesNotContain("http_server_requests_seconds_count{")
                .doesNotContain("http_client_requests_seconds")
                .contains("cache_gets_total{cache=\"s4e.apikeys\",result=\"hit\"}")
                .contains("cache_gets_total{cache=\"s4e.apikeys\",result=\"miss\"}");
    }

    @Test
    void upstreamTimerWhenUpstreamAnswersOrRefusesThenCountedByRouteAndStatus() {
        double answered = upstreamCount("assets-read", "200");
        double refused = upstreamCount("down", "none");
        client().get().uri("/api/assets/9").header("X-API-Key", TestInfrastructure.get().adminKey).exchange()
                .expectStatus().isOk();
        client().get().uri("/down/x").exchange().expectStatus().isEqualTo(502);
        assertThat(upstreamCount("assets-read", "200")).isEqualTo(answered + 1);
        assertThat(upstreamCount("down", "none")).isEqualTo(refused + 1);
        assertThat(meters.find("http.server.requests").timers()).as("server observations are off").isEmpty();
    }

    private double upstreamCount(String route, String status) {
        var timer = meters.find("s4e.upstream.requests").tag("route", route).tag("status", status).timer();
        return timer == null ? 0 : timer.count();
    }

    private void assertCounted(String method, String outcome, int status,
                               Consumer<WebTestClient.RequestHeadersSpec<?>> credential) {
        double before = count(method, outcome);
        WebTestClient.RequestHeadersSpec<?> request = client().get().uri("/api/assets/1");
        credential.accept(request);
        request.exchange().expectStatus().isEqualTo(status).expectBody().consumeWith(b -> { });
        assertThat(count(method, outcome)).as(method + "/" + outcome).isEqualTo(before + 1);
    }

    private void assertLoginCounted(String endpoint, String outcome, int status, String path, String body,
                                    String token) {
        double before = loginCount(endpoint, outcome);
        WebTestClient.RequestBodySpec request = client().post().uri(path);
        if (token != null) {
            request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        WebTestClient.RequestHeadersSpec<?> sent = body == null ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        sent.exchange().expectStatus().isEqualTo(status).expectBody().consumeWith(b -> { });
        assertThat(loginCount(endpoint, outcome)).as(endpoint + "/" + outcome).isEqualTo(before + 1);
    }

    private double loginCount(String endpoint, String outcome) {
        Counter counter = meters.find(LoginOutcomeMetrics.METRIC).tags("endpoint", endpoint, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static String credentials(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private double count(String method, String outcome) {
        Counter counter = meters.find("s4e.auth.outcomes").tags("method", method, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private String login() {
        String body = credentials(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD);
        String json = client().post().uri("/api/user/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return JsonMapper.builder().build().readTree(json).path("data").path("token").asString();
    }

    private WebTestClient client() {
        return TestClients.of(port);
    }
}

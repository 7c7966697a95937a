package io.s4e.gateway.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.audit.AuditLog;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admins' security overview (CONTRACT §12): refusals over time by reason and their top sources, summed from the
 * audit log's refusal aggregates; the lockouts in force on all replicas (listed without KEYS), and lifting one. The
 * replica here trusts 127.0.0.1 as a proxy, so each test speaks for client IPs of its own through X-Forwarded-For,
 * and locks after few failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private SecondGateway gateway;
    private WebTestClient client;

    @BeforeAll
    void start() {
        gateway = SecondGateway.start(Map.of(
                "s4e.trusted-proxies", "127.0.0.1/32",
                "s4e.audit.refusal-window", "1s",
                "s4e.rate-limits.refused-keys.max-failures", "3",
                "s4e.rate-limits.login.max-failures", "2"));
        client = TestClients.of(gateway.port());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void overviewWhenRefusalsThenByReasonOverTimeAndTopSources() throws InterruptedException {
        String guesser = randomIp("203.0.113.");
        String other = randomIp("198.51.100.");
        String member = randomIp("192.0.2.");
        String unknown = TestData.unknownKey();
        for (int i = 0; i < 5; i++) {
            // the third refused key blocks the address: 429 from then on
            assertThat(get("/api/assets/1", unknown, guesser).status()).isEqualTo(i < 2 ? 401 : 429);
        }
        for (int i = 0; i < 2; i++) {
            assertThat(get("/api/assets/1", unknown, other).status()).isEqualTo(401);
        }
        String readOnly = TestData.key(TestData.user("member"), List.of("read:assets"));
        for (int i = 0; i < 2; i++) {
            assertThat(send("POST", "/api/assets/1", readOnly, member).status()).isEqualTo(403);
        }

        JsonNode overview = awaitOverview(data -> countOf(data.get("top_client_ips"), "client_ip", guesser) == 5
                && countOf(data.get("top_client_ips"), "client_ip", other) == 2
                && countOf(data.get("top_client_ips"), "client_ip", member) == 2);

        assertThat(overview.get("window").asString()).isEqualTo("1h");
        assertThat(overview.get("bucket").asString()).isEqualTo("minute");
        assertThat(overview.get("refusals")).hasSize(60);
        List<String> reasons = strings(overview.get("reasons"));
        assertThat(reasons).contains("unauthorized", "rate_limited", "forbidden");
        long unauthorized = 0;
        for (JsonNode bucket : overview.get("refusals")) {
            assertThat(strings(bucket.get("reasons").propertyNames())).containsExactlyElementsOf(reasons);
            unauthorized += bucket.get("reasons").get("unauthorized").asLong();
            long sum = 0;
            for (String reason : reasons) {
                sum += bucket.get("reasons").get(reason).asLong();
            }
            assertThat(bucket.get("total").asLong()).isEqualTo(sum);
        }
        assertThat(unauthorized).isEqualTo(overview.get("totals").get("unauthorized").asLong())
                .isGreaterThanOrEqualTo(5);
        assertThat(countOf(overview.get("top_key_hints"), "key_hint", AuditLog.keyHintOf(unknown))).isEqualTo(7);
        assertThat(overview.get("top_client_ips").size()).isLessThanOrEqualTo(10);

        JsonNode day = data(get("/api/admin/security?window=24h", ADMIN_KEY, null));
        assertThat(day.get("refusals")).hasSize(24);
        assertThat(day.get("bucket").asString()).isEqualTo("hour");
        assertThat(data(get("/api/admin/security?window=7d", ADMIN_KEY, null)).get("refusals")).hasSize(168);
    }

    @Test
    void lockoutWhenBlockedIpThenListedAndWhenLiftedThenAnsweredAgainAndAudited() throws InterruptedException {
        String guesser = randomIp("203.0.113.");
        String unknown = TestData.unknownKey();
        for (int i = 0; i < 4; i++) {
            get("/api/assets/1", unknown, guesser);
        }
        assertThat(get("/api/assets/1", unknown, guesser).status()).isEqualTo(429);
        JsonNode lockout = awaitLockout("refused_keys", guesser);
        assertThat(lockout.get("until").asString()).isNotBlank();

        Reply lifted = send("DELETE", "/api/admin/security/lockouts/" + lockout.get("id").asString(), ADMIN_KEY, null);
        assertThat(lifted.status()).as(lifted.body()).isEqualTo(200);
        assertThat(lifted.json().get("data").get("lifted").get("subject").asString()).isEqualTo(guesser);

        // the replica forgot its block at once: the next refused key is looked up (401), not blocked (429)
        assertThat(get("/api/assets/1", unknown, guesser).status()).isEqualTo(401);
        assertThat(findLockout(data(get("/api/admin/security?window=1h", ADMIN_KEY, null)), "refused_keys", guesser))
                .isNull();
        assertThat(send("DELETE", "/api/admin/security/lockouts/" + lockout.get("id").asString(), ADMIN_KEY, null)
                .status()).isEqualTo(404);
        assertThat(awaitAudit("SELECT detail->>'subject' FROM audit_log WHERE event = 'lockout.lifted' "
                + "AND detail->>'subject' = ?", guesser)).isEqualTo(guesser);
        assertThat(TestData.queryString("SELECT detail->>'kind' FROM audit_log WHERE event = 'lockout.lifted' "
                + "AND detail->>'subject' = ?", guesser)).isEqualTo("refused_keys");
    }

    @Test
    void lockoutWhenLoginLockedThenListedWithTheEmailAndLiftingLetsTheRightPasswordIn() throws InterruptedException {
        String email = UsageHttp.userWithPassword("member");
        String ip = randomIp("192.0.2.");
        String wrong = "{\"email\":\"" + email + "\",\"password\":\"not the password at all\"}";
        String right = "{\"email\":\"" + email + "\",\"password\":\"" + UsageHttp.PASSWORD + "\"}";
        assertThat(send("POST", "/api/user/auth/login", null, ip, wrong).status()).isEqualTo(401);
        assertThat(send("POST", "/api/user/auth/login", null, ip, wrong).status()).isEqualTo(429);
        assertThat(send("POST", "/api/user/auth/login", null, ip, right).status()).isEqualTo(429);

        JsonNode lockout = awaitLockout("login", email);
        assertThat(send("DELETE", "/api/admin/security/lockouts/" + lockout.get("id").asString(), ADMIN_KEY, null)
                .status()).isEqualTo(200);

        assertThat(send("POST", "/api/user/auth/login", null, ip, right).status()).isEqualTo(200);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void logsWhenLockedOutCountedAndLiftedThenNoSecretWritten(CapturedOutput output) throws InterruptedException {
        String email = UsageHttp.userWithPassword("member");
        String ip = randomIp("192.0.2.");
        String wrongPassword = "a wrong password " + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        String wrong = "{\"email\":\"" + email + "\",\"password\":\"" + wrongPassword + "\"}";
        send("POST", "/api/user/auth/login", null, ip, wrong);
        send("POST", "/api/user/auth/login", null, ip, wrong);
        String unknown = TestData.unknownKey();
        String member = TestData.key(TestData.user("member"), List.of("read:assets"));
        for (int i = 0; i < 4; i++) {
            get("/api/assets/1", unknown, randomIp("198.51.100."));
            send("POST", "/api/assets/1", member, ip);
        }
        JsonNode lockout = awaitLockout("login", email);
        assertThat(send("DELETE", "/api/admin/security/lockouts/" + lockout.get("id").asString(), ADMIN_KEY, null)
                .status()).isEqualTo(200);
        String session = new UsageHttp(gateway.port()).login(email);
        gateway.context().getBean(UsageCounters.class).flush().block(WAIT);
        data(get("/api/admin/security?window=1h", ADMIN_KEY, null));

        assertThat(output.getAll()).doesNotContain(wrongPassword, UsageHttp.PASSWORD, session, unknown, member,
                ADMIN_KEY);
    }

    @Test
    void overviewWhenNotAdminOrBadWindowThenRefusedInTheEnvelope() {
        String member = TestData.key(TestData.user("member"), List.of("read:assets"));
        Reply forbidden = get("/api/admin/security", member, null);
        assertThat(forbidden.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(forbidden.body(), "forbidden");
        assertThat(get("/api/admin/security", null, null).status()).isEqualTo(401);
        assertThat(send("DELETE", "/api/admin/security/lockouts/abc", member, null).status()).isEqualTo(403);
        assertThat(send("DELETE", "/api/admin/security/lockouts/bm90LWxvY2tlZA", ADMIN_KEY, null).status())
                .isEqualTo(404);
        Reply bad = get("/api/admin/security?window=30d", ADMIN_KEY, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(ErrorEnvelopes.assertEnvelope(bad.body(), "invalid_request")).contains("window");
        assertThat(send("POST", "/api/admin/security", ADMIN_KEY, null).status()).isEqualTo(405);
    }

    @Test
    void auditEventsWhenListedThenEveryEventTheFilterAccepts() {
        Reply reply = get("/api/audit-log/events", ADMIN_KEY, null);
        assertThat(reply.status()).isEqualTo(200);
        List<String> events = strings(reply.json().get("data").get("events"));
        assertThat(events).contains("login.failure", "request.refused", "lockout.lifted");
        for (String event : events) {
            assertThat(get("/api/audit-log?limit=1&event=" + event, ADMIN_KEY, null).status()).as(event)
                    .isEqualTo(200);
        }
        assertThat(get("/api/audit-log/events", TestData.key(TestData.user("member"), List.of("read:assets")), null)
                .status()).isEqualTo(403);
    }

    private JsonNode awaitOverview(java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode data = data(get("/api/admin/security?window=1h", ADMIN_KEY, null));
        while (!done.test(data) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            data = data(get("/api/admin/security?window=1h", ADMIN_KEY, null));
        }
        assertThat(done.test(data)).as(data.toString()).isTrue();
        return data;
    }

    private JsonNode awaitLockout(String kind, String subject) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode found = null;
        while (found == null && System.nanoTime() < deadline) {
            found = findLockout(data(get("/api/admin/security?window=1h", ADMIN_KEY, null)), kind, subject);
            if (found == null) {
                Thread.sleep(100);
            }
        }
        assertThat(found).as(kind + " " + subject).isNotNull();
        return found;
    }

    private static String awaitAudit(String sql, Object... parameters) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String value = TestData.queryString(sql, parameters);
        while (value == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = TestData.queryString(sql, parameters);
        }
        return value;
    }

    private static JsonNode findLockout(JsonNode overview, String kind, String subject) {
        for (JsonNode lockout : overview.get("lockouts")) {
            if (kind.equals(lockout.get("kind").asString()) && subject.equals(lockout.path("subject").asString())) {
                return lockout;
            }
        }
        return null;
    }

    private static long countOf(JsonNode rows, String field, String value) {
        for (JsonNode row : rows) {
            if (value.equals(row.get(field).asString())) {
                return row.get("count").asLong();
            }
        }
        return 0;
    }

    private static List<String> strings(Iterable<?> values) {
        List<String> strings = new ArrayList<>();
        for (Object value : values) {
            strings.add(value instanceof JsonNode node ? node.asString() : String.valueOf(value));
        }
        return strings;
    }

    private static String randomIp(String prefix) {
        return prefix + ThreadLocalRandom.current().nextInt(1, 255);
    }

    private static JsonNode data(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("data");
    }

    private Reply get(String path, String credential, String clientIp) {
        return send("GET", path, credential, clientIp, null);
    }

    private Reply send(String method, String path, String credential, String clientIp) {
        return send(method, path, credential, clientIp, method.equals("POST") ? "{}" : null);
    }

    private Reply send(String method, String path, String credential, String clientIp, String json) {
        WebTestClient.RequestBodySpec spec = client.method(org.springframework.http.HttpMethod.valueOf(method))
                .uri(path);
        if (credential != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + credential);
        }
        if (clientIp != null) {
            spec.header("X-Forwarded-For", clientIp);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

}

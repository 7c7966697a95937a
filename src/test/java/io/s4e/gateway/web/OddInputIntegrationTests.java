package io.s4e.gateway.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Odd input (issue 22, class 12): ids only in their canonical spelling, no rotation of an expired key, audit cursors
 * only as the gateway signed them, and a cap on the active keys of one user that concurrent creations cannot pass.
 */
@GatewayIntegrationTest
class OddInputIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ADMIN = "X-API-Key: " + TestInfrastructure.get().adminKey;
    private static final int MAX_KEYS = 100;

    @LocalServerPort
    int port;

    RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @Test
    void userIdInPathWhenNotCanonicalDecimalThenNotFoundAndUserUnchanged() {
        long user = TestData.user("member");
        String id = Long.toString(user);

        for (String alias : List.of("+" + id, "0" + id, "00" + id, digits(id, '\uff10'), digits(id, '\u0660'),
                digits(id, '\u06f0'), id + "%20", "%20" + id, id + ".0", "-0", "0x" + Long.toHexString(user))) {
            RawHttp.Response reply = send("PATCH", "/api/admin/users/" + pathSegment(alias), "{\"role\":\"viewer\"}");
            assertThat(reply.status()).as(alias + " → " + reply.body()).isEqualTo(404);
            assertThat(code(reply)).isEqualTo("not_found");
        }
        assertThat(TestData.queryString("SELECT role FROM users WHERE id = ?", user)).isEqualTo("member");

        RawHttp.Response canonical = send("PATCH", "/api/admin/users/" + id, "{\"role\":\"viewer\"}");
        assertThat(canonical.status()).as(canonical.body()).isEqualTo(200);
    }

    @Test
    void userIdParameterWhenNotCanonicalDecimalThenBadRequest() {
        long user = TestData.user("member");
        for (String alias : List.of("%2B" + user, "0" + user, pathSegment(digits(Long.toString(user), '\uff10')))) {
            RawHttp.Response keys = http.get("/api/keys?user_id=" + alias, ADMIN);
            assertThat(keys.status()).as(alias + " → " + keys.body()).isEqualTo(400);
            RawHttp.Response audit = http.get("/api/audit-log?user_id=" + alias, ADMIN);
            assertThat(audit.status()).as(alias + " → " + audit.body()).isEqualTo(400);
        }
        assertThat(http.get("/api/keys?user_id=" + user, ADMIN).status()).isEqualTo(200);
    }

    @Test
    void rotateWhenKeyExpiredThenConflictAndSecretUnchanged() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"), Instant.now().minusSeconds(60));
        String id = TestData.keyId(secret);

        RawHttp.Response reply = send("POST", "/api/keys/" + id + "/rotate", "{}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(409);
        assertThat(code(reply)).isEqualTo("conflict");
        assertThat(TestData.keyId(secret)).isEqualTo(id);
        assertThat(TestData.queryString("SELECT count(*) FROM api_keys WHERE id = ? AND previous_hash IS NULL", id))
                .isEqualTo("1");
    }

    @Test
    void auditCursorWhenNotMadeByTheGatewayThenBadRequest() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            http.get("/api/assets/1", "X-API-Key: " + TestData.unknownKey());
        }
        String cursor = null;
        for (int i = 0; i < 100 && cursor == null; i++) {
            JsonNode next = data(http.get("/api/audit-log?limit=1", ADMIN)).path("next_cursor");
            cursor = next.isString() ? next.asString() : null;
            Thread.sleep(50);
        }
        assertThat(cursor).as("a second page exists").isNotNull();
        assertThat(http.get("/api/audit-log?limit=1&cursor=" + cursor, ADMIN).status()).isEqualTo(200);

        long future = Instant.now().plusSeconds(86_400).toEpochMilli() * 1000;
        String position = Base64.getUrlEncoder().withoutPadding()
                .encodeToString((future + "." + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII));
        String signature = cursor.substring(cursor.lastIndexOf('.'));
        for (String forged : List.of(position, position + signature, cursor.substring(0, cursor.lastIndexOf('.')),
                cursor.substring(0, cursor.length() - 2) + (cursor.endsWith("AA") ? "BB" : "AA"))) {
            RawHttp.Response reply = http.get("/api/audit-log?limit=1&cursor=" + forged, ADMIN);
            assertThat(reply.status()).as(forged + " → " + reply.body()).isEqualTo(400);
            assertThat(code(reply)).isEqualTo("invalid_request");
        }
    }

    @Test
    void createKeyWhenUserHasTheMostActiveKeysThenConflictEvenForConcurrentRequests() throws Exception {
        long owner = TestData.user("admin");
        String callerKey = TestData.key(owner, List.of("admin"));
        String caller = "X-API-Key: " + callerKey;
        for (int i = 0; i < MAX_KEYS - 3; i++) {
            TestData.key(owner, List.of("read:assets"));
        }
        TestData.key(owner, List.of("read:assets"), Instant.now().minusSeconds(60));
        String revoked = TestData.keyId(TestData.key(owner, List.of("read:assets")));
        assertThat(send("DELETE", "/api/keys/" + revoked, null, caller).status()).isEqualTo(200);
        assertThat(create(caller).status()).as("the 99th active key").isEqualTo(201);

        List<Integer> statuses = concurrently(8, () -> create(caller).status());

        assertThat(statuses).as("only the 100th key is created").containsOnly(201, 409).containsOnlyOnce(201);
        assertThat(active(owner)).isEqualTo(MAX_KEYS);
        RawHttp.Response refused = create(caller);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(code(refused)).isEqualTo("conflict");
        assertThat(JSON.readTree(refused.body()).path("error").path("message").asString())
                .contains("100 active API keys");

        String one = TestData.queryString("SELECT id FROM api_keys WHERE user_id = ? AND revoked_at IS NULL "
                + "AND name = 'test key' AND (expires_at IS NULL OR expires_at > now()) AND id <> ? LIMIT 1", owner,
                TestData.keyId(callerKey));
        assertThat(send("DELETE", "/api/keys/" + one, null, caller).status()).isEqualTo(200);
        assertThat(create(caller).status()).as("room again after a revocation").isEqualTo(201);
    }

    private RawHttp.Response create(String caller) {
        return send("POST", "/api/keys", "{\"name\":\"capped\",\"scopes\":[\"read:assets\"]}", caller);
    }

    private static long active(long owner) {
        return Long.parseLong(TestData.queryString("SELECT count(*) FROM api_keys WHERE user_id = ? AND revoked_at "
                + "IS NULL AND (expires_at IS NULL OR expires_at > now())", owner));
    }

    private static <T> List<T> concurrently(int n, java.util.concurrent.Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        }
        finally {
            pool.shutdownNow();
        }
    }

    private RawHttp.Response send(String method, String path, String json) {
        return send(method, path, json, ADMIN);
    }

    private RawHttp.Response send(String method, String path, String json, String credential) {
        return json == null ? http.send(method, path, null, credential)
                : http.send(method, path, json.getBytes(StandardCharsets.UTF_8), "Content-Type: application/json",
                        credential);
    }

    private static JsonNode data(RawHttp.Response reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body()).path("data");
    }

    private static String code(RawHttp.Response reply) {
        return JSON.readTree(reply.body()).path("error").path("code").asString();
    }

    /** {@code ascii} with its digits written from {@code zero} on (full-width, Arabic-Indic, ...). */
    private static String digits(String ascii, char zero) {
        StringBuilder out = new StringBuilder();
        ascii.chars().forEach(c -> out.append((char) (zero + (c - '0'))));
        return out.toString();
    }

    private static String pathSegment(String text) {
        return text.chars().allMatch(c -> c < 0x80) ? text
                : URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package io.s4e.gateway.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/audit-log}: admin only, filters, keyset paging with an opaque cursor, 400 for malformed input; and
 * no secret of a login, an MFA step or a key in any stored event or any log line.
 */
@GatewayIntegrationTest
class AuditQueryIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    AuditRetention retention;

    private AuditHttp http;
    private String admin;

    @BeforeEach
    void client() {
        http = new AuditHttp(port);
        admin = TestInfrastructure.get().adminKey;
    }

    @Test
    void pageWhenFilteredByUserAndEventThenNewestFirstThroughEveryCursorWithoutGapsOrRepeats() {
        long user = 8_000_000_000L + ThreadLocalRandom.current().nextInt(1_000_000);
        Instant base = Instant.parse("2026-11-01T10:00:00Z");
        List<String[]> inserted = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            // three events share each time: order among them is by id
            Instant time = base.plusSeconds(i / 3);
            String event = i % 4 == 0 ? "key.created" : "login.failure";
            String id = UUID.randomUUID().toString();
            insert(id, time, event, user);
            inserted.add(new String[] {id, time.toString(), event});
        }
        List<String[]> failures = inserted.stream().filter(e -> e[2].equals("login.failure"))
                .sorted(Comparator.<String[], String>comparing(e -> e[1]).thenComparing(e -> e[0]).reversed())
                .toList();

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String path = "/api/audit-log?event=login.failure&user_id=" + user + "&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor);
            Reply reply = http.get(path, AuditHttp.requestId("page"), admin);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            for (JsonNode event : reply.data().get("events")) {
                assertThat(event.get("event").asString()).isEqualTo("login.failure");
                assertThat(event.get("user_id").asLong()).isEqualTo(user);
                seen.add(event.get("id").asString());
            }
            JsonNode next = reply.data().get("next_cursor");
            cursor = next.isNull() ? null : next.asString();
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(seen).containsExactlyElementsOf(failures.stream().map(e -> e[0]).toList());
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void retentionWhenRunThenEventsOlderThan400DaysDeletedAndYoungerKept() {
        long user = 8_200_000_000L + ThreadLocalRandom.current().nextInt(1_000_000);
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            insert(UUID.randomUUID().toString(), now.minus(java.time.Duration.ofDays(401 + i)), "login.success", user);
        }
        insert(UUID.randomUUID().toString(), now.minus(java.time.Duration.ofDays(399)), "login.success", user);

        assertThat(retention.run().block(java.time.Duration.ofSeconds(30))).isGreaterThanOrEqualTo(3L);

        List<java.util.Map<String, String>> left = AuditRows.query("SELECT occurred_at FROM audit_log WHERE user_id = ?",
                user);
        assertThat(left).hasSize(1);
    }

    @Test
    void pageWhenSinceAndUntilThenOnlyThatWindowWithEveryField() {
        long user = 8_100_000_000L + ThreadLocalRandom.current().nextInt(1_000_000);
        Instant base = Instant.parse("2026-10-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            insert(UUID.randomUUID().toString(), base.plusSeconds(60L * i), "user.changed", user);
        }
        Reply reply = http.get("/api/audit-log?user_id=" + user + "&since=2026-10-01T00:01:00Z"
                + "&until=2026-10-01T00:03:00Z", AuditHttp.requestId("window"), admin);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode events = reply.data().get("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("time").asString()).isEqualTo("2026-10-01T00:02:00Z");
        assertThat(events.get(1).get("time").asString()).isEqualTo("2026-10-01T00:01:00Z");
        JsonNode first = events.get(0);
        assertThat(first.get("outcome").asString()).isEqualTo("success");
        assertThat(first.get("key_id").asString()).isEqualTo("key-0a1b2c3d");
        assertThat(first.get("key_hint").asString()).isEqualTo("s4e_live_ab…wxyz");
        assertThat(first.get("client_ip").asString()).isEqualTo("192.0.2.7");
        assertThat(first.get("request_id").asString()).isEqualTo("req-x");
        assertThat(first.get("detail").get("reason").asString()).isEqualTo("test");
        // a row written without count, first_at and last_at (as before V6) is one event at its time
        assertThat(first.get("count").asLong()).isEqualTo(1);
        assertThat(first.get("first_at").asString()).isEqualTo(first.get("time").asString());
        assertThat(first.get("last_at").asString()).isEqualTo(first.get("time").asString());
        assertThat(reply.data().get("next_cursor").isNull()).isTrue();
    }

    @Test
    void pageWhenNoFilterThenNewestFirstAndDefaultLimit() {
        String marker = AuditHttp.requestId("newest");
        // a path of its own: a refusal of a source already refused within the window would only add to that row
        http.get("/api/assets/" + marker, marker, null);
        AuditRows.awaitEvent(marker, "request.refused");
        Reply reply = http.get("/api/audit-log", AuditHttp.requestId("all"), admin);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode events = reply.data().get("events");
        assertThat(events.size()).isBetween(1, 50);
        List<String> times = new ArrayList<>();
        events.forEach(e -> times.add(e.get("time").asString()));
        assertThat(times).isSortedAccordingTo(Comparator.comparing(Instant::parse, Comparator.reverseOrder()));
    }

    @Test
    void pageWhenMemberOrNoCredentialThen403Or401() {
        long member = TestData.user("member");
        String key = TestData.key(member, List.of("read:assets", "write:assets"));
        Reply forbidden = http.get("/api/audit-log", AuditHttp.requestId("member"), key);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.errorCode()).isEqualTo("forbidden");
        Reply anonymous = http.get("/api/audit-log", AuditHttp.requestId("anon"), null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.errorCode()).isEqualTo("unauthorized");
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=501", "limit=0", "limit=-1", "limit=ten", "cursor=%%%", "cursor=bm90LWEtY3Vyc29y",
            "since=yesterday", "until=2026-13-01T00:00:00Z", "event=login.maybe", "user_id=x", "user_id=1&user_id=2"})
    void pageWhenFilterOrCursorMalformedThen400(String query) {
        Reply reply = http.get("/api/audit-log?" + query, AuditHttp.requestId("bad"), admin);
        assertThat(reply.status()).as(query).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void pageWhenLimitIsTheMaximumThenAccepted() {
        assertThat(http.get("/api/audit-log?limit=500", AuditHttp.requestId("max"), admin).status()).isEqualTo(200);
    }

    @Test
    void eventsWhenLoginMfaAndKeysUsedThenNoSecretInAnyStoredEventOrLogLine() {
        List<ILoggingEvent> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(event);
            }
        };
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.start();
        root.addAppender(capture);
        List<String> secrets = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        String last;
        try {
            secrets.add(admin);
            secrets.add(AuditHttp.PASSWORD);
            String email = AuditHttp.userWithPassword("admin");
            String totpSecret = AuditHttp.enableTotp(email);
            secrets.add(totpSecret);
            Reply step = http.post("/api/user/auth/login", AuditHttp.requestId("scan1"), null,
                    AuditHttp.loginBody(email, AuditHttp.PASSWORD));
            String mfaToken = step.data("mfa_required").get("mfa_token").asString();
            secrets.add(mfaToken);
            String wrong = AuditHttp.wrongCode(totpSecret);
            codes.add(wrong);
            http.post("/api/user/auth/mfa/verify", AuditHttp.requestId("scan2"), null, verify(mfaToken, wrong));
            String code = AuditHttp.codeNow(totpSecret);
            codes.add(code);
            Reply session = http.post("/api/user/auth/mfa/verify", AuditHttp.requestId("scan3"), null,
                    verify(mfaToken, code));
            assertThat(session.status()).as(session.body()).isEqualTo(200);
            String token = session.data().get("token").asString();
            secrets.add(token);

            Reply generated = http.post("/api/user/mfa/recovery-codes", AuditHttp.requestId("scanrc1"), token,
                    null);
            assertThat(generated.status()).as(generated.body()).isEqualTo(200);
            List<String> recoveryCodes = new ArrayList<>();
            generated.data().get("codes").forEach(c -> recoveryCodes.add(c.asString()));
            for (String recoveryCode : recoveryCodes) {
                secrets.add(recoveryCode);
                secrets.add(recoveryCode.replace("-", ""));
            }
            String recoveryStep = http.post("/api/user/auth/login", AuditHttp.requestId("scanrc2"), null,
                    AuditHttp.loginBody(email, AuditHttp.PASSWORD)).data("mfa_required").get("mfa_token").asString();
            secrets.add(recoveryStep);
            String wrongRecovery = "zzzzz-yyyyy";
            secrets.add(wrongRecovery);
            assertThat(http.post("/api/user/auth/mfa/verify", AuditHttp.requestId("scanrc3"), null,
                    verify(recoveryStep, wrongRecovery, "recovery_code")).status()).isEqualTo(401);
            Reply recovered = http.post("/api/user/auth/mfa/verify", AuditHttp.requestId("scanrc4"), null,
                    verify(recoveryStep, recoveryCodes.get(0), "recovery_code"));
            assertThat(recovered.status()).as(recovered.body()).isEqualTo(200);
            secrets.add(recovered.data().get("token").asString());
            assertThat(http.call(HttpMethod.DELETE, "/api/user/mfa/totp", AuditHttp.requestId("scanrc5"), token, null)
                    .status()).isEqualTo(200);
            String other = AuditHttp.userWithPassword("member");
            secrets.add(AuditHttp.enableTotp(other));
            assertThat(http.post("/api/admin/users/" + AuditHttp.userId(other) + "/mfa/reset",
                    AuditHttp.requestId("scanrc6"), admin, null).status()).isEqualTo(200);
            http.post("/api/user/auth/login", AuditHttp.requestId("scan4"), null,
                    AuditHttp.loginBody(email, "a wrong password typed by mistake"));
            secrets.add("a wrong password typed by mistake");

            Reply created = http.post("/api/keys", AuditHttp.requestId("scan5"), token,
                    "{\"name\":\"scan\",\"scopes\":[\"read:assets\"]}");
            String key = created.data().get("key").asString();
            secrets.add(key);
            String keyId = created.data().get("id").asString();
            Reply rotated = http.post("/api/keys/" + keyId + "/rotate", AuditHttp.requestId("scan6"), token,
                    null);
            http.get("/api/assets/1", AuditHttp.requestId("scan6b"), key);
            String rotatedKey = rotated.data().get("key").asString();
            secrets.add(rotatedKey);
            String unknown = TestData.unknownKey();
            secrets.add(unknown);
            http.get("/api/assets/1", AuditHttp.requestId("scan7"), unknown);
            http.post("/api/user/auth/refresh", AuditHttp.requestId("scan8"), token, null);
            last = AuditHttp.requestId("scan9");
            http.post("/api/user/auth/logout", last, token, null);
            AuditRows.awaitEvent(last, "session.logout");
        }
        finally {
            root.detachAppender(capture);
        }

        List<java.util.Map<String, String>> rows = AuditRows.all();
        assertThat(rows).isNotEmpty();
        for (java.util.Map<String, String> row : rows) {
            String stored = String.join("\n", row.values().stream().map(String::valueOf).toList()).toLowerCase();
            for (String secret : secrets) {
                assertThat(stored).as("an audit row").doesNotContain(secret.toLowerCase());
            }
            if (!String.valueOf(row.get("request_id")).startsWith("audit-scan")) {
                continue;
            }
            String facts = row.get("detail_text") + " " + row.get("path") + " " + row.get("user_agent") + " "
                    + row.get("key_hint");
            for (String code : codes) {
                assertThat(facts).as("an audit row's facts").doesNotContain(code);
            }
        }
        assertThat(lines.stream().filter(l -> l.getLoggerName().equals(AuditLog.LOGGER)).count()).isGreaterThan(8);
        for (ILoggingEvent line : lines) {
            String text = line.getFormattedMessage().toLowerCase();
            for (String secret : secrets) {
                assertThat(text).as("a log line of " + line.getLoggerName()).doesNotContain(secret.toLowerCase());
            }
            String withoutIdsAndTimes = text.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "")
                    .replaceAll("\\d{4}-\\d{2}-\\d{2}t[0-9:.]+z", "");
            for (String code : codes) {
                assertThat(withoutIdsAndTimes).as("a log line of " + line.getLoggerName()).doesNotContain(code);
            }
        }
    }

    private static String verify(String mfaToken, String code) {
        return verify(mfaToken, code, "totp");
    }

    private static String verify(String mfaToken, String code, String method) {
        return "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\",\"method\":\"" + method + "\"}";
    }

    private static void insert(String id, Instant time, String event, long user) {
        TestData.update("INSERT INTO audit_log (id, occurred_at, event, outcome, user_id, key_id, key_hint, client_ip, "
                        + "user_agent, request_id, method, path, detail) VALUES (CAST(? AS uuid), ?, ?, 'success', ?, "
                        + "'key-0a1b2c3d', 's4e_live_ab…wxyz', '192.0.2.7', 'ua', 'req-x', 'POST', '/p', "
                        + "'{\"reason\":\"test\"}')",
                id, java.sql.Timestamp.from(time), event, user);
    }
}

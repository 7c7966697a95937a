package io.s4e.gateway.audit;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica whose PostgreSQL sits behind a cuttable relay, with the captcha on (bypass for 127.0.0.0/8) and an SMTP
 * server: captcha and e-mail-code events, 429 refusals, and events that survive a PostgreSQL outage while requests
 * keep their answers; refusal aggregates (1 s windows here) whose rows and counts wait out the outage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditDeliveryIntegrationTests {

    private TcpProxy postgres;
    private GreenMail smtp;
    private SecondGateway gateway;
    private AuditHttp http;

    @BeforeAll
    void start() throws IOException {
        postgres = new TcpProxy(TestDatabase.HOST, TestDatabase.PORT);
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        gateway = SecondGateway.start(Map.of(
                "spring.r2dbc.url", TestInfrastructure.get().database.r2dbcUrl("127.0.0.1", postgres.port()),
                "s4e.captcha.enabled", "true",
                "s4e.captcha.bypass-cidrs", "127.0.0.0/8",
                "spring.mail.host", "127.0.0.1",
                "spring.mail.port", Integer.toString(smtp.getSmtp().getPort()),
                "s4e.audit.batch-size", "16",
                "s4e.audit.write-timeout", "1s",
                "s4e.audit.refusal-window", "1s"));
        http = new AuditHttp(gateway.port());
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        postgres.close();
    }

    @Test
    void loginWhenCaptchaMissingOrBypassedThenFailureWithReasonCaptchaOrBypassEvent() {
        String email = AuditHttp.userWithPassword("member");
        String failed = AuditHttp.requestId("captcha");
        Reply refused = http.post("/api/user/auth/login", failed, null,
                AuditHttp.loginBody(email, AuditHttp.PASSWORD));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("captcha_failed");
        Map<String, String> failure = AuditRows.awaitEvent(failed, "login.failure");
        assertThat(failure.get("detail_text")).isEqualTo("{\"reason\": \"captcha\"}");
        assertThat(failure.get("user_id")).isNull();

        String bypassed = AuditHttp.requestId("bypass");
        String body = "{\"email\":\"" + email + "\",\"password\":\"" + AuditHttp.PASSWORD + "\",\"bypass_captcha\":true}";
        assertThat(http.post("/api/user/auth/login", bypassed, null, body).status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(bypassed, "captcha.bypass")).containsEntry("client_ip", "127.0.0.1")
                .containsEntry("outcome", "success");
        assertThat(AuditRows.awaitEvent(bypassed, "login.success"))
                .containsEntry("user_id", String.valueOf(AuditHttp.userId(email)));
    }

    @Test
    void mfaSendWhenMailedThenCodeSentAndWhenRepeatedThenRefused429() {
        String email = AuditHttp.userWithPassword("member");
        TestData.update("UPDATE users SET email_mfa_enabled = true WHERE email = ?", email);
        String body = "{\"email\":\"" + email + "\",\"password\":\"" + AuditHttp.PASSWORD + "\",\"bypass_captcha\":true}";
        String mfaToken = http.post("/api/user/auth/login", AuditHttp.requestId("mail-login"), null, body)
                .data("mfa_required").get("mfa_token").asString();
        String send = "{\"mfa_token\":\"" + mfaToken + "\",\"method\":\"email\"}";

        String sent = AuditHttp.requestId("mail-send");
        assertThat(http.post("/api/user/auth/mfa/send", sent, null, send).status()).isEqualTo(200);
        assertThat(AuditRows.awaitEvent(sent, "mfa.code_sent"))
                .containsEntry("user_id", String.valueOf(AuditHttp.userId(email)));

        String again = AuditHttp.requestId("mail-again");
        assertThat(http.post("/api/user/auth/mfa/send", again, null, send).status()).isEqualTo(429);
        assertThat(AuditRows.awaitEvent(again, "request.refused").get("detail_text"))
                .isEqualTo("{\"code\": \"rate_limited\", \"status\": 429}");
    }

    @Test
    void refusalsOfOneSourceWhenPostgresCutThenEveryOneCountedAfterwards() {
        String path = "/api/assets/outage-count-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        int total = 30;
        postgres.cut();
        try {
            // about three windows of refusals of one source, none of which can be written meanwhile
            for (int i = 0; i < total; i++) {
                assertThat(http.get(path, AuditHttp.requestId("outage-count"), null).status()).isEqualTo(401);
                AuditRows.sleep(100);
            }
            AuditRows.sleep(1500);
            assertThat(AuditRows.sumOfCounts(path)).isZero();
        }
        finally {
            postgres.restore();
        }
        assertThat(AuditRefusalAggregatesIntegrationTests.awaitRefusals(path, total)).isEqualTo(total);
        assertThat(AuditRefusalAggregatesIntegrationTests.rowsOf(path).size()).isBetween(2, 10);
    }

    @Test
    void requestsWhenPostgresCutThenSameAnswersPromptlyAndEveryEventArrivesOnceAfterwards() {
        String prefix = "outage-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "-";
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        double failuresBefore = meters.counter("s4e.audit.write.failures").count();
        int total = 60;
        long slowest = 0;

        postgres.cut();
        try {
            for (int i = 0; i < total; i++) {
                long start = System.nanoTime();
                Reply reply = http.get("/api/assets/" + i, prefix + i, null);
                slowest = Math.max(slowest, System.nanoTime() - start);
                assertThat(reply.status()).isEqualTo(401);
                assertThat(reply.errorCode()).isEqualTo("unauthorized");
                if (i % 20 == 19) {
                    AuditRows.sleep(1000);
                }
            }
            AuditRows.sleep(1500);
            // nothing could be written while PostgreSQL was away (read here directly, not through the relay)
            assertThat(AuditRows.countByRequestIdPrefix(prefix)).isZero();
            assertThat(meters.counter("s4e.audit.write.failures").count()).isGreaterThan(failuresBefore);
        }
        finally {
            postgres.restore();
        }
        // no request waited for the audit log: a write would have taken the outage's seconds
        assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(2));

        assertThat(AuditRows.awaitCount(prefix, total, Duration.ofSeconds(30))).isEqualTo(total);
        AuditRows.sleep(1000);
        assertThat(AuditRows.countByRequestIdPrefix(prefix)).isEqualTo(total);
        List<Map<String, String>> rows = AuditRows.query("SELECT count(DISTINCT request_id) AS n FROM audit_log "
                + "WHERE request_id LIKE ? AND event = 'request.refused'", prefix + "%");
        assertThat(rows.get(0).get("n")).isEqualTo(String.valueOf(total));
        assertThat(meters.find("s4e.audit.queue.depth").gauge().value()).isZero();
    }
}

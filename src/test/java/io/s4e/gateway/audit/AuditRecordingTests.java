package io.s4e.gateway.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.NetworkProperties;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one recording call makes of a request: the event with the request's facts, queued and logged as one JSON
 * line; and nothing outside a request or with the audit log off.
 */
class AuditRecordingTests {

    private static final Instant NOW = Instant.parse("2026-11-28T00:00:00.123456789Z");

    private final List<AuditEvent> queued = new CopyOnWriteArrayList<>();
    private final AuditWriter writer = new AuditWriter(null, properties(true), new SimpleMeterRegistry()) {
        @Override
        void offer(AuditEvent event) {
            queued.add(event);
        }
    };

    @Test
    void lockedWhenRecordedInARequestThenLoginFailureWithTheRequestsFactsQueuedAndLogged() {
        List<ILoggingEvent> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(event);
            }
        };
        Logger audit = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
        capture.start();
        audit.addAppender(capture);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest
                .post("/api/user/auth/./login?token=must-not-be-recorded")
                .header("X-Request-ID", "rid-locked")
                .header("User-Agent", "x".repeat(300))
                .remoteAddress(new java.net.InetSocketAddress("192.0.2.9", 40000)));
        AuditLog log = auditLog(true);
        try {
            Audit.loginLocked(42L)
                    .contextWrite(context -> context.put(Audit.AuditScope.class, new Audit.AuditScope(log, exchange)))
                    .block(Duration.ofSeconds(1));
        }
        finally {
            audit.detachAppender(capture);
        }

        assertThat(queued).hasSize(1);
        AuditEvent event = queued.get(0);
        assertThat(event.event()).isEqualTo("login.failure");
        assertThat(event.outcome()).isEqualTo("failure");
        assertThat(event.userId()).isEqualTo(42L);
        assertThat(event.detail()).isEqualTo(Map.of("reason", "locked"));
        assertThat(event.requestId()).isEqualTo("rid-locked");
        assertThat(event.clientIp()).isEqualTo("192.0.2.9");
        assertThat(event.path()).isEqualTo("/api/user/auth/login");
        assertThat(event.method()).isEqualTo("POST");
        assertThat(event.userAgent()).hasSize(256);
        assertThat(event.time()).isEqualTo(Instant.parse("2026-11-28T00:00:00.123456Z"));
        assertThat(event.id().version()).isEqualTo(7);
        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.getFormattedMessage()).startsWith("{\"id\":\"" + event.id() + "\",\"time\":")
                    .contains("\"event\":\"login.failure\"").contains("\"request_id\":\"rid-locked\"")
                    .contains("\"detail\":{\"reason\":\"locked\"}").doesNotContain("must-not-be-recorded");
        });
    }

    @Test
    void recordWhenOutsideARequestOrDisabledThenNothing() {
        assertThat(Audit.loginLocked(42L).block(Duration.ofSeconds(1))).isNull();
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/x"));
        AuditLog off = auditLog(false);
        off.refused(exchange, 401, "unauthorized");
        off.record(exchange, AuditEntry.of(AuditEvents.LOGIN_SUCCESS, AuditEvents.SUCCESS, 1L, Map.of()));
        AuditLog.disabled().refused(exchange, 403, "forbidden");
        assertThat(queued).isEmpty();
    }

    @Test
    void refusedWhenSameSourceAgainWithinTheWindowThenCountedNotQueued() {
        AuditLog log = auditLog(true);
        for (int i = 0; i < 3; i++) {
            log.refused(MockServerWebExchange.from(MockServerHttpRequest.get("/api/assets/1")
                    .header("X-Request-ID", "rid-" + i)
                    .remoteAddress(new java.net.InetSocketAddress("192.0.2.9", 40000))), 401, "unauthorized");
        }
        log.refused(MockServerWebExchange.from(MockServerHttpRequest.get("/api/assets/2")
                .remoteAddress(new java.net.InetSocketAddress("192.0.2.9", 40000))), 401, "unauthorized");

        assertThat(queued).extracting(AuditEvent::path).containsExactly("/api/assets/1", "/api/assets/2");
        AuditEvent first = queued.get(0);
        assertThat(first.requestId()).isEqualTo("rid-0");
        assertThat(first.count()).isEqualTo(1);
        assertThat(first.firstAt()).isEqualTo(first.time());
        assertThat(first.lastAt()).isEqualTo(first.time());
        assertThat(first.detail()).isEqualTo(Map.of("status", 401, "code", "unauthorized"));

        // the shutdown closes the window: the first row again, with the count of all three
        log.stop();
        assertThat(queued).hasSize(3);
        assertThat(queued.get(2).id()).isEqualTo(first.id());
        assertThat(queued.get(2).count()).isEqualTo(3);
    }

    @Test
    void keyHintWhenWellFormedKeyThenPrefixAndLastFourOnly() {
        String key = io.s4e.gateway.credential.ApiKeyFormat.generate(new java.security.SecureRandom());
        assertThat(AuditLog.keyHintOf(key)).isEqualTo(key.substring(0, 13) + "…" + key.substring(37))
                .doesNotContain(key.substring(13, 37));
        assertThat(AuditLog.keyHintOf("s4e_live_not-a-key")).isNull();
        assertThat(AuditLog.keyHintOf(null)).isNull();
    }

    private AuditLog auditLog(boolean enabled) {
        return new AuditLog(writer, new ClientIps(new NetworkProperties(List.of())), properties(enabled),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static AuditProperties properties(boolean enabled) {
        return new AuditProperties(enabled, null, null, null, null, null, null, null, null, null, null, null);
    }
}

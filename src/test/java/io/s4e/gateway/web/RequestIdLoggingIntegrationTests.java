package io.s4e.gateway.web;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Every log line written while a request is handled names its request id (MDC {@code requestId}). */
@GatewayIntegrationTest
class RequestIdLoggingIntegrationTests {

    @LocalServerPort
    int port;

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private Logger s4e;
    private Level before;

    @BeforeEach
    void captureGatewayLogs() {
        s4e = (Logger) LoggerFactory.getLogger("io.s4e.gateway");
        before = s4e.getLevel();
        s4e.setLevel(Level.DEBUG);
        capture.start();
        s4e.addAppender(capture);
    }

    @AfterEach
    void release() {
        s4e.detachAppender(capture);
        s4e.setLevel(before);
    }

    @Test
    void refusalWhenLoggedThenLineCarriesTheRequestId() {
        client().get().uri("/private/x").header(RequestIds.HEADER, "trace-401-abc").exchange()
                .expectStatus().isUnauthorized();
        assertThat(linesAbout("/private/x")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("requestId", "trace-401-abc"));
    }

    @Test
    void upstreamFailureWhenLoggedOnAnotherThreadThenLineCarriesTheRequestId() {
        client().get().uri("/down/x").header(RequestIds.HEADER, "trace-502-abc").exchange()
                .expectStatus().isEqualTo(502);
        List<ILoggingEvent> lines = events.stream()
                .filter(e -> e.getLoggerName().equals(ErrorEnvelopeHandler.class.getName()))
                .toList();
        assertThat(lines).isNotEmpty();
        assertThat(lines).allSatisfy(e ->
                assertThat(e.getMDCPropertyMap()).containsEntry("requestId", "trace-502-abc"));
    }

    @Test
    void linesWhenRequestsInterleaveThenEachCarriesItsOwnId() {
        for (int i = 0; i < 20; i++) {
            client().get().uri("/private/" + i).header(RequestIds.HEADER, "interleave-" + i).exchange()
                    .expectStatus().isUnauthorized();
        }
        List<ILoggingEvent> refusals = events.stream()
                .filter(e -> e.getFormattedMessage().contains("/private/"))
                .toList();
        assertThat(refusals).hasSizeGreaterThanOrEqualTo(20);
        assertThat(refusals).allSatisfy(e -> {
            String path = e.getFormattedMessage().replaceAll(".*/private/(\\d+).*", "$1");
            assertThat(e.getMDCPropertyMap()).containsEntry("requestId", "interleave-" + path);
        });
    }

    @Test
    void clientIpWhenPeerUntrustedThenForgedForwardedForIgnored() {
        client().get().uri("/private/forged").header("X-Forwarded-For", "203.0.113.9").exchange()
                .expectStatus().isUnauthorized();
        assertThat(linesAbout("/private/forged")).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("client_ip=127.0.0.1")
                        .doesNotContain("203.0.113.9"));
    }

    @Test
    void clientIpWhenPeerIsTrustedProxyThenHopBeforeItIsUsed() {
        try (SecondGateway behindProxy = SecondGateway.start(Map.of("s4e.trusted-proxies", "127.0.0.0/8"))) {
            // starting an application re-initialises logging, which drops the capturing appender
            captureGatewayLogs();
            behindProxy.client().get().uri("/private/proxied")
                    .header("X-Forwarded-For", "198.51.100.7, 10.9.9.9, 127.0.0.5")
                    .exchange()
                    .expectStatus().isUnauthorized();
        }
        assertThat(linesAbout("/private/proxied")).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("client_ip=10.9.9.9"));
    }

    private List<ILoggingEvent> linesAbout(String path) {
        return events.stream().filter(e -> e.getFormattedMessage().contains(path)).toList();
    }

    private WebTestClient client() {
        return TestClients.of(port);
    }
}

package io.s4e.gateway.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.s4e.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 (7): Reactor Netty's {@code Decoding failed} warning about a malformed request line or header quotes bytes
 * of the request. Sent over a raw socket, CR, ESC and NUL bytes reach the log only escaped, the warning stays one
 * line, and it carries the request id the client receives in the 400 envelope.
 */
@GatewayIntegrationTest
class DecodeFailureLogIntegrationTests {

    private static final String NETTY = "reactor.netty.http.server.HttpServerOperations";

    @LocalServerPort
    int port;

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private Logger root;

    @BeforeEach
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.start();
        root.addAppender(capture);
    }

    @AfterEach
    void release() {
        root.detachAppender(capture);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /a HTTP/\u0000\u001b[31m1.1\r\n",
            "GET /a HTTP/1.\u001b]0;pwned\u0007\u0000\r1\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nX-Forged\r\u001b[2J\u0000: v\r\n",
            "GET /a HTTP/1.1\r\nHost: x\r\nX\u001b[1A\u0000\rINFO fake line: v\r\n"
    })
    void malformedRequestWhenLoggedThenControlBytesEscapedAndRequestIdNamed(String head) throws IOException {
        String response = send(head + (head.contains("Host:") ? "" : "Host: x\r\n") + "\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 ");
        String requestId = header(response, "X-Request-ID");
        assertThat(requestId).isNotBlank();
        assertThat(warningsFor(requestId)).as("logged before the answer is written").isNotEmpty();
        for (ILoggingEvent warning : warningsFor(requestId)) {
            String message = warning.getFormattedMessage();
            assertThat(message).contains("Decoding failed");
            assertThat(message.chars().filter(c -> c < 0x20 || c == 0x7F)).as(message).isEmpty();
            assertThat(render(warning)).as("one line").doesNotContain("\n").contains("request_id=" + requestId);
        }
        String all = String.join(" ", warningsFor(requestId).stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(all).containsAnyOf("\\x1B", "\\x00", "\\r", "0x1b", "0x0", "0xd");
    }

    @Test
    void malformedRequestLineWhenItQuotesTheBytesThenEachIsEscaped() throws IOException {
        String response = send("GET /a HTTP/\u0000\u001b[31m1.1\r\nHost: x\r\n\r\n");

        String requestId = header(response, "X-Request-ID");
        assertThat(warningsFor(requestId)).as("logged before the answer is written").isNotEmpty();
        assertThat(warningsFor(requestId).get(0).getFormattedMessage()).contains("\\x00\\x1B[31");
    }

    @Test
    void malformedHeaderWhenItQuotesCarriageReturnThenEscaped() throws IOException {
        String response = send("GET /a HTTP/1.1\r\nHost: x\r\nX-Forged\r\u001b[2J\u0000: v\r\n\r\n");

        String requestId = header(response, "X-Request-ID");
        assertThat(warningsFor(requestId)).as("logged before the answer is written").isNotEmpty();
        assertThat(warningsFor(requestId).get(0).getFormattedMessage()).contains("X-Forged\\r\\x1B[2J\\x00");
    }

    private List<ILoggingEvent> warningsFor(String requestId) {
        return events.stream()
                .filter(e -> e.getLoggerName().equals(NETTY))
                .filter(e -> requestId.equals(e.getMDCPropertyMap().get("requestId")))
                .toList();
    }

    /** The line as the gateway's console pattern writes it ({@code logging.pattern.level} names the request id). */
    private static String render(ILoggingEvent event) {
        PatternLayout layout = new PatternLayout();
        layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        layout.setPattern("%5p [request_id=%X{requestId:-}] %logger : %m");
        layout.start();
        return layout.doLayout(event);
    }

    private String send(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while (!all.toString(StandardCharsets.ISO_8859_1).endsWith("}}") && (n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String header(String response, String name) {
        for (String line : response.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }
}

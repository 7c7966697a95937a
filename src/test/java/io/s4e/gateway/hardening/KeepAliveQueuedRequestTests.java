package io.s4e.gateway.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.s4e.gateway.support.CountingUpstream;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kept-alive connection keeps being read after a request that waited in the queue behind a slower one was answered
 * at once. Two requests arrive in one write: a forward the upstream answers after 50 ms, then one the gateway refuses
 * or answers without any I/O (401, 404). Reactor Netty holds the second until the first is done, then answers it in
 * the same step; the server used to stop reading there (reactor/reactor-netty#4361, fixed in 1.3.8), so the third
 * request on the connection got no answer at all. Kept-alive clients saw it as an occasional request after a refusal
 * hanging until their own timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeepAliveQueuedRequestTests {

    private static final int ROUNDS = 20;

    private CountingUpstream upstream;
    private SecondGateway gateway;

    @BeforeAll
    void start() {
        upstream = CountingUpstream.start();
        gateway = SecondGateway.start(SlowClientTests.routeTo(upstream));
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /api/admin/security", "GET /no-such-route", "DELETE /api/keys/key-00000000"})
    void requestAfterAQueuedRequestAnsweredAtOnceIsAnswered(String answeredAtOnce) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int round = 0; round < ROUNDS; round++) {
                out.write((request("GET /open/stall/slow?delay=50") + request(answeredAtOnce))
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertThat(readResponse(in)).startsWith("HTTP/1.1 200 ");
                assertThat(readResponse(in)).matches("(?s)HTTP/1\\.1 40[134] .*");

                out.write(request("GET /open/after").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                assertThat(readResponse(in)).as("round %d: the request after the queued one", round)
                        .startsWith("HTTP/1.1 200 ").endsWith("{\"ok\":true}");
            }
        }
    }

    private static String request(String line) {
        return line + " HTTP/1.1\r\nHost: gateway\r\n\r\n";
    }

    /** One response with a {@code Content-Length} body, read byte for byte so nothing of the next one is taken. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        assertThat(text.toLowerCase(Locale.ROOT)).as("a response this test can delimit").contains("content-length:");
        byte[] body = in.readNBytes(length);
        return text + new String(body, StandardCharsets.UTF_8);
    }
}

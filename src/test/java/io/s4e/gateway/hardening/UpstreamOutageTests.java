package io.s4e.gateway.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream that breaks in the ways real ones do, behind the {@code down} route (public) of a replica, and the
 * echo upstream's slow route: every client request ends, with 502/504 in the envelope when nothing was sent yet,
 * never later than the route's timeout plus a margin, and the gateway keeps serving afterwards. The upstream port
 * that refuses connections is {@code ErrorEnvelopeIntegrationTests.errorWhenUpstreamPortClosedThenBadGateway}.
 */
class UpstreamOutageTests {

    /** The {@code it} profile's global {@code response-timeout}, which the {@code down} route uses. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);
    /** The {@code slow} route's own {@code response-timeout}. */
    private static final Duration SLOW_ROUTE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration MARGIN = Duration.ofSeconds(4);

    static MisbehavingUpstream upstream;
    static SecondGateway gateway;
    static RawHttp http;

    @BeforeAll
    static void start() throws IOException {
        upstream = new MisbehavingUpstream();
        gateway = SecondGateway.start(Map.of("test.closed.url", upstream.url()));
        http = new RawHttp(gateway.port());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void upstreamWhenResetBeforeAnsweringThenBadGatewayAtOnce() {
        assertFailsWithin(Duration.ZERO, 502, "bad_gateway", "/down/reset");
        assertFailsWithin(Duration.ZERO, 502, "bad_gateway", "/down/garbage");
        assertServingAfterwards();
    }

    @Test
    void upstreamWhenSilentThenGatewayTimeoutAtTheConfiguredTimeout() {
        assertFailsWithin(RESPONSE_TIMEOUT, 504, "gateway_timeout", "/down/silent");
        assertServingAfterwards();
    }

    /**
     * Headers already went to the client, so the status cannot change any more: the gateway must end the client's
     * response (not leave it waiting for bytes that never come) and keep serving.
     */
    @Test
    void upstreamWhenResettingMidResponseThenClientResponseEndsIncomplete() throws IOException {
        Exchange partial = exchange("/down/partial");

        assertThat(partial.took()).isLessThan(RESPONSE_TIMEOUT.plus(MARGIN));
        assertIncomplete(partial);
        assertServingAfterwards();
    }

    @Test
    void upstreamWhenStallingMidResponseThenClientResponseEndsWithinTheTimeout() throws IOException {
        Exchange stalled = exchange("/down/stall");

        assertThat(stalled.took()).as("bounded by response-timeout").isLessThan(RESPONSE_TIMEOUT.plus(MARGIN));
        assertIncomplete(stalled);
        assertServingAfterwards();
    }

    /**
     * Many requests timing out at once do not exhaust the upstream connection pool: each gets its 504 at the route's
     * timeout, and a request right afterwards is served without waiting for a connection.
     */
    @Test
    void upstreamWhenManySlowRequestsTimeOutTogetherThenPoolNotExhausted() throws Exception {
        int concurrent = 64;
        ExecutorService pool = Executors.newFixedThreadPool(concurrent);
        try {
            List<Callable<Long>> calls = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                calls.add(() -> {
                    long start = System.nanoTime();
                    RawHttp.Response reply = http.get("/slow/x?delay=20000");
                    assertThat(reply.status()).as(reply.body()).isEqualTo(504);
                    ErrorEnvelopes.assertEnvelope(reply.body(), "gateway_timeout");
                    return (System.nanoTime() - start) / 1_000_000;
                });
            }
            for (Future<Long> took : pool.invokeAll(calls)) {
                assertThat(took.get()).isLessThan(SLOW_ROUTE_TIMEOUT.plus(MARGIN).toMillis());
            }
        }
        finally {
            pool.shutdownNow();
        }
        // the first request after the mass timeout may meet a pooled connection the upstream has just closed: a
        // 502 at once, never a wait for a free connection; every request after it is served
        RawHttp.Response first = http.get("/down/fine");
        assertThat(first.status()).as(first.body()).isIn(200, 502);
        for (int i = 0; i < 5; i++) {
            assertServingAfterwards();
        }
    }

    private static void assertFailsWithin(Duration timeout, int status, String code, String target) {
        long start = System.nanoTime();
        RawHttp.Response reply = http.get(target);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.status()).as(target + " → " + reply.body()).isEqualTo(status);
        ErrorEnvelopes.assertEnvelope(reply.body(), code);
        assertThat(took).as(target).isLessThan(timeout.plus(MARGIN));
    }

    private static void assertServingAfterwards() {
        long start = System.nanoTime();
        RawHttp.Response ok = http.get("/down/fine");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(MARGIN);
    }

    private static void assertIncomplete(Exchange exchange) {
        String text = new String(exchange.bytes(), StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0 || text.startsWith("HTTP/1.1 50")) {
            // nothing or an error status reached the client: it was never told the call worked
            assertThat(text).doesNotStartWith("HTTP/1.1 200");
            return;
        }
        String head = text.substring(0, headEnd).toLowerCase();
        int bodyBytes = exchange.bytes().length - headEnd - 4;
        if (head.contains("content-length: 1000")) {
            assertThat(bodyBytes).as("the client can tell the body is cut short").isLessThan(1000);
        }
        else {
            assertThat(head).contains("transfer-encoding: chunked");
            assertThat(text).as("a chunked body must not end with its last chunk").doesNotEndWith("0\r\n\r\n");
        }
    }

    /** What a client read until the gateway closed the connection, and how long that took. */
    record Exchange(byte[] bytes, Duration took) {
    }

    private static Exchange exchange(String target) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    all.write(buffer, 0, n);
                }
            }
            catch (SocketTimeoutException hung) {
                throw new AssertionError("the gateway left the client waiting for 30 s on " + target, hung);
            }
            catch (java.net.SocketException reset) {
                // an abort may reach the client as a reset
            }
            return new Exchange(all.toByteArray(), Duration.ofNanos(System.nanoTime() - start));
        }
    }
}

package io.s4e.gateway.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.CountingUpstream;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.SlowClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request deadlines (CONTRACT §13) against real sockets: 200 connections trickling a request head or body are
 * closed within their deadline while a normal client keeps being served, and none of their requests reaches the
 * upstream. The gateway runs with short deadlines: a 3 s head, 1 s of body silence, 4 s of keep-alive idleness.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientTests {

    private static final int SLOW = 200;
    private static final long HEADER_TIMEOUT_MS = 3000;
    private static final long BODY_IDLE_MS = 1000;
    private static final long KEEP_ALIVE_MS = 4000;

    private CountingUpstream upstream;
    private SecondGateway gateway;
    private RawHttp http;

    @BeforeAll
    void start() {
        upstream = CountingUpstream.start();
        Map<String, String> properties = new HashMap<>(routeTo(upstream));
        properties.put("s4e.server.header-timeout", HEADER_TIMEOUT_MS + "ms");
        properties.put("s4e.server.body-idle-timeout", BODY_IDLE_MS + "ms");
        properties.put("s4e.server.keep-alive-idle-timeout", KEEP_ALIVE_MS + "ms");
        String ws = "spring.cloud.gateway.server.webflux.routes[1].";
        properties.put(ws + "id", "ws");
        properties.put(ws + "uri", upstream.url().replace("http:", "ws:"));
        properties.put(ws + "predicates[0]", "Path=/ws/**");
        properties.put(ws + "metadata.s4e-auth", "none");
        gateway = SecondGateway.start(properties);
        http = new RawHttp(gateway.port());
        for (int i = 0; i < 300; i++) {
            // a warm gateway: the deadlines are measured, not the first requests' class loading and compilation
            assertThat(http.send("POST", "/open/warm", "{}".getBytes(), "Content-Type: application/json").status())
                    .isEqualTo(200);
        }
    }

    /** One public route, {@code /open/**}, to {@code upstream}. */
    static Map<String, String> routeTo(CountingUpstream upstream) {
        String route = "spring.cloud.gateway.server.webflux.routes[0].";
        return Map.of(route + "id", "open",
                route + "uri", upstream.url(),
                route + "predicates[0]", "Path=/open/**",
                route + "metadata.s4e-auth", "none");
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void headTrickledWhenPastHeaderTimeoutThenClosedWith408WhileOthersAreServed() throws Exception {
        double closedBefore = closed("header_timeout");
        try (NormalClient normal = new NormalClient();
             SlowClients slow = SlowClients.open(gateway.port(), null, SLOW,
                     "GET /open/slow-head HTTP/1.1\r\nHost: gateway\r\n", "X-Trickle: 1\r\n", Duration.ofSeconds(2))) {

            assertThat(slow.awaitAllClosed(Duration.ofMillis(HEADER_TIMEOUT_MS + 3000))).isTrue();

            LongSummaryStatistics closedAfter = closedAfter(slow);
            System.out.println("slow heads closed after (ms): " + closedAfter);
            assertThat(closedAfter.getMin()).isGreaterThanOrEqualTo(HEADER_TIMEOUT_MS - 100);
            assertThat(closedAfter.getMax()).isLessThanOrEqualTo(HEADER_TIMEOUT_MS + 1000);
            assertThat(slow.connections()).allSatisfy(c -> {
                assertThat(c.answer()).startsWith("HTTP/1.1 408 ");
                assertThat(c.answer()).contains("\"code\":\"request_timeout\"").contains("X-Request-ID");
            });
            normal.assertServedThroughout();
        }
        assertThat(upstream.heads("/open/slow-head")).as("no trickled head reached the upstream").isZero();
        assertThat(closed("header_timeout") - closedBefore).isEqualTo(SLOW);
    }

    @Test
    void bodyTrickledWhenSilentPastBodyIdleTimeoutThenClosedWith408AndNothingReachesTheUpstream() throws Exception {
        double closedBefore = closed("body_timeout");
        String head = "POST /open/slow-body HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 100\r\n\r\n";
        try (NormalClient normal = new NormalClient();
             SlowClients slow = SlowClients.open(gateway.port(), null, SLOW, head + "x", "x",
                     Duration.ofSeconds(2))) {

            assertThat(slow.awaitAllClosed(Duration.ofMillis(BODY_IDLE_MS + 3000))).isTrue();

            LongSummaryStatistics sinceLastByte = slow.connections().stream()
                    .mapToLong(SlowClients.Connection::closedAfterLastSendMillis).summaryStatistics();
            System.out.println("slow bodies closed after their last byte (ms): " + sinceLastByte
                    + ", after opening: " + closedAfter(slow));
            assertThat(sinceLastByte.getMin()).isGreaterThanOrEqualTo(BODY_IDLE_MS - 100);
            assertThat(sinceLastByte.getMax()).isLessThanOrEqualTo(BODY_IDLE_MS + 1000);
            assertThat(slow.connections()).allSatisfy(c ->
                    assertThat(c.answer()).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request_timeout\""));
            normal.assertServedThroughout();
        }
        assertThat(upstream.heads("/open/slow-body")).as("no half-read request reached the upstream").isZero();
        assertThat(closed("body_timeout") - closedBefore).isEqualTo(SLOW);
    }

    @Test
    void bodyTrickledWhenEachPauseShorterThanBodyIdleTimeoutThenServedWhole() throws Exception {
        String head = "POST /open/steady-body HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 8\r\nConnection: close\r\n\r\n";
        try (SlowClients steady = SlowClients.open(gateway.port(), null, 1, head, "x", Duration.ofMillis(500))) {
            // 8 bytes at one every 0.5 s take 4 s: longer than the body idle deadline, never idle for as long
            assertThat(steady.awaitAllClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(steady.connections().get(0).answer()).startsWith("HTTP/1.1 200 ");
        }
        assertThat(upstream.whole("/open/steady-body")).isEqualTo(1);
    }

    @Test
    void bodyWhenLargerThanTheBufferedLimitThenStreamedWholeToTheUpstream() {
        byte[] large = new byte[200 * 1024];
        java.util.Arrays.fill(large, (byte) 'a');
        assertThat(http.send("POST", "/open/large", large, "Content-Type: text/plain").status()).isEqualTo(200);
        assertThat(http.send("POST", "/open/small", new byte[10 * 1024], "Content-Type: text/plain").status())
                .isEqualTo(200);
        assertThat(upstream.whole("/open/large")).isEqualTo(1);
        assertThat(upstream.whole("/open/small")).isEqualTo(1);
    }

    @Test
    void keepAliveConnectionWhenIdlePastItsTimeoutThenClosedWithoutAnAnswer() throws Exception {
        double closedBefore = closed("keep_alive_timeout");
        try (SlowClients idle = SlowClients.open(gateway.port(), null, 1,
                "GET /open/keep HTTP/1.1\r\nHost: gateway\r\n\r\n", "", Duration.ofSeconds(1))) {
            assertThat(idle.awaitAllClosed(Duration.ofMillis(KEEP_ALIVE_MS + 3000))).isTrue();
            SlowClients.Connection connection = idle.connections().get(0);
            assertThat(connection.closedAfterMillis()).isBetween(KEEP_ALIVE_MS - 100, KEEP_ALIVE_MS + 1000);
            // one answer, the 200: no second status line (a 408) once the connection sat idle; the request id may
            // contain any digits, so the status line is what is counted
            assertThat(connection.answer()).startsWith("HTTP/1.1 200 ");
            assertThat(connection.answer().split("HTTP/1\\.1 ", -1)).hasSize(2);
        }
        assertThat(closed("keep_alive_timeout") - closedBefore).isEqualTo(1);
    }

    @Test
    void connectionWhenSilentFromTheStartThenClosedAtTheHeaderTimeoutWithoutAnAnswer() throws Exception {
        try (SlowClients silent = SlowClients.open(gateway.port(), null, 1, "", "", Duration.ofSeconds(1))) {
            assertThat(silent.awaitAllClosed(Duration.ofMillis(HEADER_TIMEOUT_MS + 3000))).isTrue();
            SlowClients.Connection connection = silent.connections().get(0);
            assertThat(connection.closedAfterMillis()).isBetween(HEADER_TIMEOUT_MS - 100, HEADER_TIMEOUT_MS + 1000);
            assertThat(connection.answer()).isEmpty();
        }
    }

    @Test
    void keepAliveRequestWhenItsHeadTricklesThenItsDeadlineCountsFromItsFirstByte() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("GET /open/first HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String first = readAvailable(in);
            while (!first.endsWith("{\"ok\":true}")) {
                first += readAvailable(in);
            }
            assertThat(first).startsWith("HTTP/1.1 200 ");
            Thread.sleep(2000); // idle within the keep-alive timeout, and most of a head deadline since the start

            long firstByte = System.nanoTime();
            out.write("GET /open/second HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String answer = "";
            try {
                // a line every second, half a second off the deadline, and the answer read before each line: a line
                // written after the server closed makes it reset the connection, which can discard the 408 unread
                Thread.sleep(500);
                for (int i = 0; i < 10 && answer.isEmpty(); i++) {
                    out.write("X-Trickle: 1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    Thread.sleep(1000);
                    answer = readIfAny(in);
                }
            }
            catch (IOException closed) {
                // the server closed while a line was on its way
            }
            long tookMillis = Duration.ofNanos(System.nanoTime() - firstByte).toMillis();
            assertThat(answer).startsWith("HTTP/1.1 408 ");
            assertThat(tookMillis).isBetween(HEADER_TIMEOUT_MS - 100, HEADER_TIMEOUT_MS + 1100);
        }
        assertThat(upstream.heads("/open/second")).isZero();
    }

    @Test
    void pipelinedRequestsWhenSentInOneWriteThenBothAnsweredAndTheConnectionKept() throws Exception {
        String two = "GET /open/p1 HTTP/1.1\r\nHost: gateway\r\n\r\nGET /open/p2 HTTP/1.1\r\nHost: gateway\r\n\r\n";
        try (SlowClients pipelined = SlowClients.open(gateway.port(), null, 1, two, "", Duration.ofSeconds(1))) {
            assertThat(pipelined.awaitAllClosed(Duration.ofMillis(KEEP_ALIVE_MS + 3000))).isTrue();
            SlowClients.Connection connection = pipelined.connections().get(0);
            assertThat(connection.answer().split("HTTP/1.1 200 ", -1)).hasSize(3);
            assertThat(connection.closedAfterMillis()).as("closed as an idle keep-alive connection")
                    .isGreaterThanOrEqualTo(KEEP_ALIVE_MS - 100);
        }
    }

    @Test
    void webSocketWhenQuietLongerThanEveryHttpDeadlineThenKeptOpen() {
        // messages 3.5 s apart over 7 s: longer than the head deadline and the keep-alive timeout
        List<String> echoes = HttpClient.create()
                .websocket()
                .uri("ws://127.0.0.1:" + gateway.port() + "/ws/echo")
                .handle((in, out) -> Flux.<String>merge(
                        Mono.from(out.sendString(Flux.interval(Duration.ZERO, Duration.ofMillis(3500)).take(3)
                                .map(i -> "m" + i))).then(Mono.<String>empty()),
                        in.receive().asString()))
                .take(3)
                .collectList()
                .block(Duration.ofSeconds(20));

        assertThat(echoes).containsExactly("m0", "m1", "m2");
    }

    private static String readAvailable(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        int n = in.read(buffer);
        return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static String readIfAny(InputStream in) throws IOException {
        return in.available() > 0 ? readAvailable(in) : "";
    }

    private static LongSummaryStatistics closedAfter(SlowClients slow) {
        return slow.connections().stream().mapToLong(SlowClients.Connection::closedAfterMillis).summaryStatistics();
    }

    private double closed(String reason) {
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        return meters.counter("s4e.server.connections.closed", "reason", reason).count();
    }

    /** A client sending a normal request every 200 ms on a thread of its own, until closed. */
    private final class NormalClient implements AutoCloseable {

        private final List<Integer> statuses = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        NormalClient() {
            thread = new Thread(() -> {
                while (running.get()) {
                    long started = System.nanoTime();
                    RawHttp.Response reply = http.get("/open/normal");
                    statuses.add(Duration.ofNanos(System.nanoTime() - started).toMillis() > 1000 ? -reply.status()
                            : reply.status());
                    sleep(200);
                }
            }, "normal-client");
            thread.start();
        }

        void assertServedThroughout() {
            assertThat(statuses).as("a normal client is answered 200 within 1 s throughout").isNotEmpty()
                    .allSatisfy(status -> assertThat(status).isEqualTo(200));
            assertThat(statuses.size()).isGreaterThanOrEqualTo(5);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

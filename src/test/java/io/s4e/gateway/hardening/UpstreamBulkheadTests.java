package io.s4e.gateway.hardening;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.CountingUpstream;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.SlowClients;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream bulkheads (CONTRACT §13): a route whose upstream stalls answers 503 {@code upstream_busy} at once past
 * its {@code s4e-max-upstream-concurrent}, sending nothing upstream, while another route to the same upstream keeps
 * answering 200; permits come back when requests complete, fail or are abandoned by their client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamBulkheadTests {

    private static final int STALLED_LIMIT = 3;

    private CountingUpstream upstream;
    private SecondGateway gateway;
    private RawHttp http;

    @BeforeAll
    void start() {
        upstream = CountingUpstream.start();
        Map<String, String> properties = new HashMap<>(SlowClientTests.routeTo(upstream));
        String stalled = "spring.cloud.gateway.server.webflux.routes[1].";
        properties.put(stalled + "id", "stalled");
        properties.put(stalled + "uri", upstream.url());
        properties.put(stalled + "predicates[0]", "Path=/stall/**");
        properties.put(stalled + "metadata.s4e-auth", "none");
        properties.put(stalled + "metadata.response-timeout", "30000");
        properties.put(stalled + "metadata.s4e-max-upstream-concurrent", Integer.toString(STALLED_LIMIT));
        String broken = "spring.cloud.gateway.server.webflux.routes[2].";
        properties.put(broken + "id", "broken");
        properties.put(broken + "uri", "http://127.0.0.1:" + TestInfrastructure.get().closedPort);
        properties.put(broken + "predicates[0]", "Path=/broken/**");
        properties.put(broken + "metadata.s4e-auth", "none");
        properties.put(broken + "metadata.s4e-max-upstream-concurrent", "1");
        properties.put("s4e.server.max-upstream-concurrent", "50");
        gateway = SecondGateway.start(properties);
        http = new RawHttp(gateway.port());
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void stalledRouteWhenPastItsLimitThen503UpstreamBusyAtOnceWhileAnotherRouteAnswers200() throws Exception {
        double rejectedBefore = rejected("stalled");
        try (SlowClients stalled = SlowClients.open(gateway.port(), null, STALLED_LIMIT,
                "GET /stall/x?delay=20000 HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n", "",
                Duration.ofSeconds(1))) {
            awaitInFlight("stalled", STALLED_LIMIT);
            for (int i = 0; i < 200 && upstream.heads("/stall/x") < STALLED_LIMIT; i++) {
                Thread.sleep(25);
            }
            assertThat(upstream.heads("/stall/x")).isEqualTo(STALLED_LIMIT);

            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                RawHttp.Response busy = http.get("/stall/x?delay=20000");
                long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
                assertThat(busy.status()).isEqualTo(503);
                assertThat(busy.json().path("error").path("code").asString()).isEqualTo("upstream_busy");
                assertThat(busy.json().path("error").path("retry_after").asInt()).isEqualTo(1);
                assertThat(busy.header("Retry-After")).isEqualTo("1");
                assertThat(tookMillis).as("answered at once, not queued").isLessThan(500);

                assertThat(http.get("/open/x").status()).as("another route").isEqualTo(200);
            }
            assertThat(upstream.heads("/stall/x")).as("nothing of the refused requests went upstream")
                    .isEqualTo(STALLED_LIMIT);
            assertThat(rejected("stalled") - rejectedBefore).isEqualTo(5);
        }
        // the stalled clients are gone: their requests are cancelled and their permits come back
        awaitInFlight("stalled", 0);
        assertThat(http.get("/stall/x?delay=10").status()).isEqualTo(200);
        awaitInFlight("stalled", 0);
    }

    @Test
    void stalledRouteWhenManyRequestsArriveAtOnceThenExactlyItsLimitReachTheUpstream() throws Exception {
        int requests = 12;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                Socket socket = new Socket("127.0.0.1", gateway.port());
                socket.setSoTimeout(10_000);
                sockets.add(socket);
            }
            byte[] request = "GET /stall/burst?delay=3000 HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1);
            for (Socket socket : sockets) {
                socket.getOutputStream().write(request);
            }
            int busy = 0;
            for (Socket socket : sockets) {
                byte[] head = new byte[12];
                int n = socket.getInputStream().readNBytes(head, 0, head.length);
                busy += new String(head, 0, n, StandardCharsets.ISO_8859_1).equals("HTTP/1.1 503") ? 1 : 0;
            }
            assertThat(busy).isEqualTo(requests - STALLED_LIMIT);
            assertThat(upstream.heads("/stall/burst")).isEqualTo(STALLED_LIMIT);
        }
        finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        awaitInFlight("stalled", 0);
    }

    @Test
    void permitWhenUpstreamFailsThenGivenBack() {
        for (int i = 0; i < 3; i++) {
            RawHttp.Response reply = http.get("/broken/x");
            assertThat(reply.status()).as("a failed request gives its only permit back").isEqualTo(502);
        }
        assertThat(inFlight("broken")).isZero();
    }

    @Test
    void permitWhenRequestCompletesThenGivenBackExactlyOnce() {
        for (int i = 0; i < 2 * STALLED_LIMIT; i++) {
            assertThat(http.get("/stall/y?delay=1").status()).isEqualTo(200);
        }
        assertThat(inFlight("stalled")).isZero();
    }

    private void awaitInFlight(String route, int expected) throws InterruptedException {
        for (int i = 0; i < 200 && inFlight(route) != expected; i++) {
            Thread.sleep(25);
        }
        assertThat(inFlight(route)).isEqualTo(expected);
    }

    private double inFlight(String route) {
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        return meters.get("s4e.upstream.bulkhead.in_flight").tag("route", route).gauge().value();
    }

    private double rejected(String route) {
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        return meters.counter("s4e.upstream.bulkhead.rejected", "route", route).count();
    }
}

package io.s4e.gateway.hardening;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.connection.ConnectionCaps;
import io.s4e.gateway.support.CountingUpstream;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.SlowClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection caps (CONTRACT §13) against real sockets from several loopback addresses: one address past
 * {@code max-connections-per-ip} has its new connections closed at once while another address is served, a
 * trusted proxy is exempt, and past {@code max-connections} every new connection is closed. The gateway runs with
 * 20 per address, 50 in total, and 127.0.0.4 as a trusted proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionCapTests {

    private static final int PER_IP = 20;
    private static final int TOTAL = 50;
    private static final String HELD = "GET /open/held HTTP/1.1\r\nHost: gateway\r\n\r\n";

    private CountingUpstream upstream;
    private SecondGateway gateway;

    @BeforeAll
    void start() {
        upstream = CountingUpstream.start();
        Map<String, String> properties = new HashMap<>(SlowClientTests.routeTo(upstream));
        properties.put("s4e.server.max-connections-per-ip", Integer.toString(PER_IP));
        properties.put("s4e.server.max-connections", Integer.toString(TOTAL));
        properties.put("s4e.trusted-proxies", "127.0.0.4/32");
        gateway = SecondGateway.start(properties);
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void addressWhenPastItsCapThenNewConnectionsClosedAtOnceWhileAnotherAddressIsServed() throws Exception {
        double refusedBefore = refused("per_ip");
        long fdsBefore = openFileDescriptors();
        try (SlowClients held = hold(address(1), PER_IP)) {
            long fdsHeld = openFileDescriptors();
            List<Long> closedAfter;
            try (SlowClients over = SlowClients.open(gateway.port(), address(1), 200, HELD, "",
                    Duration.ofSeconds(1))) {
                assertThat(over.awaitAllClosed(Duration.ofSeconds(5))).isTrue();
                closedAfter = over.connections().stream().map(SlowClients.Connection::closedAfterMillis).toList();
                assertThat(over.connections()).allSatisfy(c -> assertThat(c.answer()).isEmpty());
            }
            long fdsAfterFlood = openFileDescriptors();
            long gatewaySockets = gatewaySockets();
            System.out.println("connections over the cap closed after (ms): "
                    + closedAfter.stream().mapToLong(Long::longValue).summaryStatistics()
                    + "; fds before " + fdsBefore + ", holding " + fdsHeld + ", after the flood " + fdsAfterFlood
                    + "; gateway-side sockets " + gatewaySockets);
            assertThat(closedAfter).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
            assertThat(served(address(2))).as("another address is served").isTrue();
            assertThat(held.connections()).as("the admitted ones stay open")
                    .allSatisfy(c -> assertThat(c.closedAfterMillis()).isEqualTo(-1));
            assertThat(gatewaySockets).isLessThanOrEqualTo(PER_IP + 1);
            assertThat(fdsAfterFlood - fdsHeld).as("file descriptors stay bounded").isLessThan(20);
        }
        assertThat(refused("per_ip") - refusedBefore).isEqualTo(200);
    }

    @Test
    void trustedProxyWhenPastThePerAddressCapThenStillAdmitted() throws Exception {
        try (SlowClients proxy = hold(address(4), PER_IP + 10)) {
            assertThat(proxy.connections()).allSatisfy(c -> assertThat(c.closedAfterMillis()).isEqualTo(-1));
        }
    }

    @Test
    void replicaWhenPastItsTotalCapThenEveryNewConnectionClosedUntilOneCloses() throws Exception {
        double refusedBefore = refused("total");
        try (SlowClients first = hold(address(1), PER_IP);
             SlowClients second = hold(address(3), PER_IP);
             SlowClients proxied = hold(address(4), TOTAL - 2 * PER_IP)) {
            try (SlowClients refused = SlowClients.open(gateway.port(), address(2), 1, HELD, "",
                    Duration.ofSeconds(1))) {
                assertThat(refused.awaitAllClosed(Duration.ofSeconds(2))).isTrue();
                assertThat(refused.connections().get(0).answer()).isEmpty();
            }
            assertThat(refused("total") - refusedBefore).isEqualTo(1);
        }
        awaitReleased();
        assertThat(served(address(2))).isTrue();
    }

    @Test
    void managementPortWhenThePublicCapOfAnAddressIsFullThenStillAnswersProbes() throws Exception {
        try (SlowClients held = hold(address(1), PER_IP)) {
            RawHttp.Response health = new RawHttp(gateway.managementPort()).get("/actuator/health/liveness");
            assertThat(health.status()).isEqualTo(200);
        }
    }

    /** {@code count} keep-alive connections from {@code local}, each answered once and then left open. */
    private SlowClients hold(InetAddress local, int count) throws InterruptedException {
        SlowClients held = SlowClients.open(gateway.port(), local, count, HELD, "", Duration.ofSeconds(1));
        for (int i = 0; i < 100 && !held.connections().stream().allMatch(c -> c.answer().startsWith("HTTP/1.1 200"));
             i++) {
            Thread.sleep(50);
        }
        assertThat(held.connections()).allSatisfy(c -> assertThat(c.answer()).startsWith("HTTP/1.1 200"));
        return held;
    }

    /** Whether one request from {@code local} is answered 200. */
    private boolean served(InetAddress local) throws InterruptedException {
        try (SlowClients one = SlowClients.open(gateway.port(), local, 1,
                "GET /open/served HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n", "", Duration.ofSeconds(1))) {
            return one.awaitAllClosed(Duration.ofSeconds(5))
                    && one.connections().get(0).answer().startsWith("HTTP/1.1 200");
        }
    }

    private void awaitReleased() throws InterruptedException {
        ConnectionCaps caps = gateway.context().getBean(ConnectionCaps.class);
        for (int i = 0; i < 100 && (caps.openFrom(address(1)) > 0 || caps.openFrom(address(3)) > 0); i++) {
            Thread.sleep(50);
        }
    }

    private double refused(String reason) {
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        return meters.counter("s4e.server.connections.refused", "reason", reason).count();
    }

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Established sockets whose local end is the gateway's port: the gateway's side of its client connections. */
    private long gatewaySockets() throws IOException {
        String port = String.format(":%04X ", gateway.port());
        long count = 0;
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && (fields[1] + " ").endsWith(port) && fields[3].equals("01")) {
                    count++;
                }
            }
        }
        return count;
    }
}

package io.s4e.gateway.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused requests recorded as aggregates (CONTRACT §8) by two replicas on one database, with a 1 s
 * {@code s4e.audit.refusal-window}: the first refusal of a source is a row at once, the others of its window only
 * add to its count, every refusal is counted on every replica, and {@code GET /api/audit-log} shows count, first
 * and last time. Each test refuses on a path of its own, so its source is its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditRefusalAggregatesIntegrationTests {

    private static final Duration WINDOW = Duration.ofSeconds(1);

    private SecondGateway a;
    private SecondGateway b;

    @BeforeAll
    void start() {
        Map<String, String> properties = Map.of("s4e.audit.refusal-window", WINDOW.toMillis() + "ms");
        a = SecondGateway.start(properties);
        b = SecondGateway.start(properties);
    }

    @AfterAll
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void firstRefusalWhenRecordedThenItsRowExistsAtOnceWithCountOne() {
        String path = uniquePath("first");
        String requestId = AuditHttp.requestId("first");
        Instant before = Instant.now();
        assertThat(new AuditHttp(a.port()).get(path, requestId, null).status()).isEqualTo(401);
        // within the writer's batch delay (flush-interval 200 ms), long before the window closes
        List<Map<String, String>> rows = AuditRows.awaitByRequestId(requestId, found -> !found.isEmpty());
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row).containsEntry("event", "request.refused").containsEntry("count", "1")
                    .containsEntry("path", path);
            assertThat(row.get("first_at")).isEqualTo(row.get("occurred_at"));
            assertThat(row.get("last_at")).isEqualTo(row.get("occurred_at"));
        });
    }

    @Test
    void refusalsWhenSpreadOverWindowsAndReplicasThenTheCountsAddUpExactly() {
        String path = uniquePath("replicas");
        AuditHttp toA = new AuditHttp(a.port());
        AuditHttp toB = new AuditHttp(b.port());
        int perReplica = 0;
        // about three windows of refusals, alternating between the replicas
        long end = System.nanoTime() + WINDOW.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            assertThat(toA.get(path, AuditHttp.requestId("ra"), null).status()).isEqualTo(401);
            assertThat(toB.get(path, AuditHttp.requestId("rb"), null).status()).isEqualTo(401);
            perReplica++;
            AuditRows.sleep(20);
        }
        long total = 2L * perReplica;

        assertThat(awaitRefusals(path, total)).isEqualTo(total);
        List<Map<String, String>> rows = rowsOf(path);
        // every window of each replica is one row: at least two windows each, never a row per refusal
        assertThat(rows.size()).isBetween(4, 2 * 5);
        assertThat(rows).allSatisfy(row -> {
            assertThat(Long.parseLong(row.get("count"))).isPositive();
            assertThat(Instant.parse(row.get("last_at").replace(' ', 'T').replaceFirst("\\+00$", "Z")))
                    .isAfterOrEqualTo(Instant.parse(row.get("first_at").replace(' ', 'T').replaceFirst("\\+00$", "Z")));
        });
        assertThat(rows.stream().map(row -> row.get("request_id").substring(0, "audit-ra".length())).distinct())
                .containsExactlyInAnyOrder("audit-ra", "audit-rb");
    }

    @Test
    void auditLogWhenReadThenAggregatesShowCountFirstAndLast() {
        String path = uniquePath("api");
        AuditHttp http = new AuditHttp(a.port());
        for (int i = 0; i < 5; i++) {
            assertThat(http.get(path, AuditHttp.requestId("api"), null).status()).isEqualTo(401);
        }
        assertThat(awaitRefusals(path, 5)).isEqualTo(5);

        Reply page = http.get("/api/audit-log?event=request.refused&limit=500", AuditHttp.requestId("read"),
                TestInfrastructure.get().adminKey);
        assertThat(page.status()).isEqualTo(200);
        long counted = 0;
        for (JsonNode event : page.data().get("events")) {
            if (!path.equals(event.get("path").asString())) {
                continue;
            }
            counted += event.get("count").asLong();
            Instant first = Instant.parse(event.get("first_at").asString());
            Instant last = Instant.parse(event.get("last_at").asString());
            assertThat(first).isEqualTo(Instant.parse(event.get("time").asString()));
            assertThat(last).isAfterOrEqualTo(first);
        }
        assertThat(counted).isEqualTo(5);
    }

    @Test
    void floodWhenOneSourceThenOneRowTwoLogLinesAndTheShutdownWritesItsCount() {
        String path = uniquePath("flood");
        int flood = 1000;
        List<String> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getFormattedMessage().contains(path)) {
                    lines.add(event.getFormattedMessage());
                }
            }
        };
        SecondGateway replica = SecondGateway.start(Map.of("s4e.audit.refusal-window", "1h"));
        // after the start: starting an application sets the logging system up afresh
        Logger auditLogger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
        capture.start();
        auditLogger.addAppender(capture);
        try {
            MeterRegistry meters = replica.context().getBean(MeterRegistry.class);
            AuditHttp http = new AuditHttp(replica.port());
            for (int i = 0; i < flood; i++) {
                assertThat(http.get(path, AuditHttp.requestId("flood"), null).status()).isEqualTo(401);
            }
            assertThat(meters.counter("s4e.audit.refusals", "status", "401").count()).isEqualTo(flood);
            assertThat(meters.find("s4e.audit.refusal.aggregates.open").gauge().value()).isEqualTo(1);
            // the first refusal's row, at once; the others wait in memory for the window to close
            assertThat(awaitRows(path, 1)).singleElement().satisfies(row -> assertThat(row).containsEntry("count", "1"));
            assertThat(lines).hasSize(1);
        }
        finally {
            replica.close();
            auditLogger.detachAppender(capture);
        }
        // a graceful shutdown closes the open aggregate before the writer drains
        assertThat(rowsOf(path)).singleElement()
                .satisfies(row -> assertThat(row).containsEntry("count", String.valueOf(flood)));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("\"count\":" + flood);
        System.out.printf("flood of %d refusals from one source: %d audit row(s), %d audit log line(s), %d bytes%n",
                flood, rowsOf(path).size(), lines.size(), lines.stream().mapToInt(String::length).sum());
    }

    private static String uniquePath(String label) {
        return "/api/assets/" + label + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }

    static List<Map<String, String>> rowsOf(String path) {
        return AuditRows.query("SELECT *, detail::text AS detail_text FROM audit_log WHERE event = 'request.refused' "
                + "AND path = ? ORDER BY occurred_at, id", path);
    }

    private static List<Map<String, String>> awaitRows(String path, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<Map<String, String>> rows = rowsOf(path);
        while (rows.size() < expected && System.nanoTime() < deadline) {
            AuditRows.sleep(50);
            rows = rowsOf(path);
        }
        return rows;
    }

    /** Waits until the refusals stored for {@code path} add up to {@code expected}; returns the sum. */
    static long awaitRefusals(String path, long expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long sum = AuditRows.sumOfCounts(path);
        while (sum < expected && System.nanoTime() < deadline) {
            AuditRows.sleep(100);
            sum = AuditRows.sumOfCounts(path);
        }
        AuditRows.sleep(500);
        return AuditRows.sumOfCounts(path);
    }
}

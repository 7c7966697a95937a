package io.s4e.gateway.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Usage per key (CONTRACT §12): counted per replica, flushed in batches that merge across replicas, read back per
 * minute or hour, zero-filled and aligned; kept for its retention; visible to the key's owner and admins only. The it
 * profile flushes only every hour, so each write seen here comes from an explicit {@link UsageCounters#flush()}.
 */
@io.s4e.gateway.support.GatewayIntegrationTest
class UsageIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    @Autowired
    UsageCounters counters;

    @Autowired
    UsageRepository repository;

    @Autowired
    UsageRetention retention;

    UsageHttp http;

    @BeforeEach
    void setUp() {
        http = new UsageHttp(port);
        counters.flush().block(WAIT);
    }

    @Test
    void trafficThroughTwoReplicasWhenFlushedThenCountsExactAndMerged() {
        long owner = TestData.user("member");
        String key = TestData.key(owner, List.of("read:assets"));
        String keyId = TestData.keyId(key);
        String expired = TestData.key(owner, List.of("read:assets"), Instant.now().minusSeconds(60));
        String expiredId = TestData.keyId(expired);
        try (SecondGateway second = SecondGateway.start(Map.of())) {
            UsageHttp other = new UsageHttp(second.port());
            Map<Integer, Integer> seen = new HashMap<>();
            for (int i = 0; i < 7; i++) {
                count(seen, http.get("/api/assets/" + i, key));
            }
            for (int i = 0; i < 5; i++) {
                count(seen, other.get("/api/assets/" + i, key));
            }
            count(seen, http.send("POST", "/api/assets/1", key, "{}"));
            count(seen, http.send("POST", "/api/assets/1", key, "{}"));
            count(seen, other.send("POST", "/api/assets/1", key, "{}"));
            // 3/min for the account on this route, shared by both replicas through Redis
            for (int i = 0; i < 3; i++) {
                count(seen, http.get("/rl/limited/" + i, key));
                count(seen, other.get("/rl/limited/" + i, key));
            }
            assertThat(http.get("/api/assets/1", expired).status()).isEqualTo(401);
            assertThat(other.get("/api/assets/1", expired).status()).isEqualTo(401);
            assertThat(seen.get(403)).isEqualTo(3);
            assertThat(seen.get(429)).isGreaterThanOrEqualTo(2);

            counters.flush().block(WAIT);
            second.context().getBean(UsageCounters.class).flush().block(WAIT);

            long[] totals = totals(http.get("/api/keys/" + keyId + "/usage?window=1h", ADMIN_KEY));
            assertThat(totals).containsExactly(seen.get(200), 3, seen.get(429));
            assertThat(totals(http.get("/api/keys/" + keyId + "/usage?window=24h", ADMIN_KEY)))
                    .containsExactly(seen.get(200), 3, seen.get(429));
            assertThat(totals(http.get("/api/keys/" + expiredId + "/usage?window=1h", ADMIN_KEY)))
                    .containsExactly(0, 2, 0);
            // both replicas added to the same rows: no more rows than minutes, the hours equal the minutes
            assertThat(Long.parseLong(TestData.queryString(
                    "SELECT count(*) FROM usage_minutes WHERE key_id = ?", keyId))).isBetween(1L, 2L);
            assertThat(TestData.queryString("SELECT sum(allowed) || '/' || sum(refused) || '/' || sum(limited) "
                    + "FROM usage_hours WHERE key_id = ?", keyId))
                    .isEqualTo(seen.get(200) + "/3/" + seen.get(429));
        }
    }

    @Test
    void usageWhenReadThenBucketsAlignedToMinutesAndHoursAndZeroFilled() {
        long owner = TestData.user("member");
        String keyId = TestData.keyId(TestData.key(owner, List.of("read:assets")));
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        Instant days = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(3));
        TestData.update("INSERT INTO usage_minutes (key_id, minute, allowed, refused, limited) VALUES (?, ?, 4, 1, 2)",
                keyId, java.sql.Timestamp.from(minute));
        insertHour(keyId, hour, 9, 0, 1);
        insertHour(keyId, days, 5, 5, 5);

        JsonNode oneHour = http.get("/api/keys/" + keyId + "/usage?window=1h", ADMIN_KEY).data();
        assertThat(oneHour.get("bucket").asString()).isEqualTo("minute");
        List<Instant> starts = starts(oneHour);
        assertThat(starts).hasSize(60);
        assertThat(starts).allSatisfy(s -> assertThat(s.getEpochSecond() % 60).isZero());
        for (int i = 1; i < starts.size(); i++) {
            assertThat(Duration.between(starts.get(i - 1), starts.get(i))).isEqualTo(Duration.ofMinutes(1));
        }
        assertThat(starts.get(59)).isBetween(Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(60),
                Instant.now());
        assertThat(bucketAt(oneHour, minute)).isEqualTo("4/1/2");
        assertThat(totals(oneHour)).containsExactly(4, 1, 2);

        JsonNode day = http.get("/api/keys/" + keyId + "/usage?window=24h", ADMIN_KEY).data();
        assertThat(day.get("bucket").asString()).isEqualTo("hour");
        List<Instant> hours = starts(day);
        assertThat(hours).hasSize(24);
        assertThat(hours).allSatisfy(s -> assertThat(s.getEpochSecond() % 3600).isZero());
        assertThat(bucketAt(day, hour)).isEqualTo("9/0/1");
        assertThat(totals(day)).containsExactly(9, 0, 1);

        JsonNode week = http.get("/api/keys/" + keyId + "/usage?window=7d", ADMIN_KEY).data();
        assertThat(starts(week)).hasSize(168);
        assertThat(totals(week)).containsExactly(14, 5, 6);
    }

    @Test
    void flushesOfTwoReplicasWhenSameHourThenHourIsTheSumOfItsMinutes() {
        long owner = TestData.user("member");
        String keyId = TestData.keyId(TestData.key(owner, List.of("read:assets")));
        long hourStart = Instant.now().truncatedTo(ChronoUnit.HOURS).getEpochSecond() / 60;
        Map<UsageCounters.Bucket, long[]> first = new HashMap<>();
        first.put(new UsageCounters.Bucket(keyId, hourStart + 1), new long[] {3, 1, 0});
        first.put(new UsageCounters.Bucket(keyId, hourStart + 2), new long[] {2, 0, 1});
        Map<UsageCounters.Bucket, long[]> second = new HashMap<>();
        second.put(new UsageCounters.Bucket(keyId, hourStart + 1), new long[] {10, 0, 0});
        second.put(new UsageCounters.Bucket("key-00000000", hourStart + 1), new long[] {1, 1, 1});

        repository.add(first).block(WAIT);
        repository.add(second).block(WAIT);

        assertThat(TestData.queryString("SELECT allowed || '/' || refused || '/' || limited FROM usage_minutes "
                + "WHERE key_id = ? AND minute = ?", keyId, java.sql.Timestamp.from(Instant.ofEpochSecond(
                        (hourStart + 1) * 60)))).isEqualTo("13/1/0");
        assertThat(TestData.queryString("SELECT hour || ' ' || allowed || '/' || refused || '/' || limited "
                + "FROM usage_hours WHERE key_id = ?", keyId)).endsWith(" 15/1/1");
        assertThat(TestData.queryString("SELECT extract(epoch FROM hour)::bigint FROM usage_hours WHERE key_id = ?",
                keyId)).isEqualTo(Long.toString(hourStart * 60));
        // a key that is not stored (deleted meanwhile) is skipped, not a failed batch
        assertThat(TestData.queryString("SELECT count(*) FROM usage_minutes WHERE key_id = 'key-00000000'"))
                .isEqualTo("0");
    }

    @Test
    void retentionWhenRunThenOldBucketsDeletedAndRecentOnesKept() {
        long owner = TestData.user("member");
        String keyId = TestData.keyId(TestData.key(owner, List.of("read:assets")));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        insertMinute(keyId, now.minus(Duration.ofDays(3)));
        insertMinute(keyId, now.minus(Duration.ofHours(1)));
        insertHour(keyId, now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(31)), 1, 0, 0);
        insertHour(keyId, now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(29)), 1, 0, 0);

        assertThat(retention.run().block(WAIT)).isGreaterThanOrEqualTo(2L);

        assertThat(TestData.queryString("SELECT count(*) FROM usage_minutes WHERE key_id = ?", keyId)).isEqualTo("1");
        assertThat(TestData.queryString("SELECT count(*) FROM usage_hours WHERE key_id = ?", keyId)).isEqualTo("1");
        assertThat(TestData.queryString("SELECT min(hour) > now() - interval '30 days' FROM usage_hours "
                + "WHERE key_id = ?", keyId)).isEqualTo("t");
    }

    @Test
    void usageWhenAnotherMembersKeyThen404AndOwnerOrAdminSeeIt() {
        String ownerEmail = UsageHttp.userWithPassword("member");
        String otherEmail = UsageHttp.userWithPassword("member");
        String keyId = TestData.keyId(TestData.key(UsageHttp.userId(ownerEmail), List.of("read:assets")));
        String ownerSession = http.login(ownerEmail);
        String otherSession = http.login(otherEmail);
        String path = "/api/keys/" + keyId + "/usage?window=24h";

        assertThat(http.get(path, ownerSession).status()).isEqualTo(200);
        assertThat(http.get(path, ADMIN_KEY).status()).isEqualTo(200);
        Reply foreign = http.get(path, otherSession);
        assertThat(foreign.status()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(foreign.body(), "not_found");
        assertThat(http.get("/api/keys/key-0000abcd/usage", ownerSession).status()).isEqualTo(404);
        assertThat(http.get(path, null).status()).isEqualTo(401);
    }

    @Test
    void usageWhenWindowInvalidThen400InTheEnvelope() {
        long owner = TestData.user("member");
        String keyId = TestData.keyId(TestData.key(owner, List.of("read:assets")));
        for (String query : List.of("window=2h", "window=", "window=1h&window=7d", "window=1H")) {
            Reply reply = http.get("/api/keys/" + keyId + "/usage?" + query, ADMIN_KEY);
            assertThat(reply.status()).as(query).isEqualTo(400);
            assertThat(ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request")).contains("window");
        }
        assertThat(http.get("/api/keys/" + keyId + "/usage", ADMIN_KEY).data().get("window").asString())
                .isEqualTo("24h");
        assertThat(http.send("POST", "/api/keys/" + keyId + "/usage", ADMIN_KEY, "{}").status()).isEqualTo(405);
    }

    @Test
    void flushWhenPostgresCutThenCountsKeptAndWrittenAfterwards() throws Exception {
        long owner = TestData.user("member");
        String key = TestData.key(owner, List.of("read:assets"));
        String keyId = TestData.keyId(key);
        try (TcpProxy postgres = new TcpProxy(TestDatabase.HOST, TestDatabase.PORT);
             SecondGateway gateway = SecondGateway.start(Map.of(
                     "spring.r2dbc.url", TestInfrastructure.get().database.r2dbcUrl("127.0.0.1", postgres.port()),
                     "s4e.usage.flush-interval", "200ms"))) {
            UsageHttp relayed = new UsageHttp(gateway.port());
            MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
            assertThat(relayed.get("/api/assets/0", key).status()).isEqualTo(200);
            awaitAllowed(keyId, 1);
            double failures = meters.counter("s4e.usage.flushes", "result", "failure").count();

            postgres.cut();
            try {
                for (int i = 1; i <= 9; i++) {
                    assertThat(relayed.get("/api/assets/" + i, key).status()).isEqualTo(200);
                }
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (meters.counter("s4e.usage.flushes", "result", "failure").count() <= failures
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(meters.counter("s4e.usage.flushes", "result", "failure").count()).isGreaterThan(failures);
                assertThat(meters.find("s4e.usage.pending.buckets").gauge().value()).isPositive();
                assertThat(allowed(keyId)).isEqualTo(1);
            }
            finally {
                postgres.restore();
            }
            awaitAllowed(keyId, 10);
            Thread.sleep(600);
            assertThat(allowed(keyId)).isEqualTo(10);
        }
    }

    private static void awaitAllowed(String keyId, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (allowed(keyId) < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(allowed(keyId)).isEqualTo(expected);
    }

    private static long allowed(String keyId) {
        String sum = TestData.queryString("SELECT sum(allowed) FROM usage_minutes WHERE key_id = ?", keyId);
        return sum == null ? 0 : Long.parseLong(sum);
    }

    private static void count(Map<Integer, Integer> seen, Reply reply) {
        seen.merge(reply.status(), 1, Integer::sum);
    }

    private static void insertMinute(String keyId, Instant minute) {
        TestData.update("INSERT INTO usage_minutes (key_id, minute, allowed) VALUES (?, ?, 1)", keyId,
                java.sql.Timestamp.from(minute));
    }

    private static void insertHour(String keyId, Instant hour, long allowed, long refused, long limited) {
        TestData.update("INSERT INTO usage_hours (key_id, hour, allowed, refused, limited) VALUES (?, ?, ?, ?, ?)",
                keyId, java.sql.Timestamp.from(hour), allowed, refused, limited);
    }

    private static long[] totals(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return totals(reply.data());
    }

    private static long[] totals(JsonNode data) {
        long[] sums = new long[3];
        for (JsonNode bucket : data.get("buckets")) {
            sums[0] += bucket.get("allowed").asLong();
            sums[1] += bucket.get("refused").asLong();
            sums[2] += bucket.get("limited").asLong();
        }
        return sums;
    }

    private static List<Instant> starts(JsonNode data) {
        List<Instant> starts = new ArrayList<>();
        for (JsonNode bucket : data.get("buckets")) {
            starts.add(Instant.parse(bucket.get("start").asString()));
        }
        return starts;
    }

    private static String bucketAt(JsonNode data, Instant start) {
        for (JsonNode bucket : data.get("buckets")) {
            if (Instant.parse(bucket.get("start").asString()).equals(start)) {
                return bucket.get("allowed").asLong() + "/" + bucket.get("refused").asLong() + "/"
                        + bucket.get("limited").asLong();
            }
        }
        return null;
    }
}

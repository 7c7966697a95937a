package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code last_used} is kept to the minute and written in batches, never once per request (CONTRACT §5). The it
 * profile flushes only every hour, so each write seen here comes from an explicit {@link LastUsedRecorder#flush()}.
 * Which statement wrote a row is told by its {@code xmin}: rows written by one statement share it.
 */
@GatewayIntegrationTest
class LastUsedIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;

    @LocalServerPort
    int port;

    @Autowired
    LastUsedRecorder recorder;

    @Autowired
    ApiKeyProperties properties;

    GatewayCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayCalls(port);
        recorder.flush().block(WAIT);
    }

    @Test
    void useWhenManyRequestsThenNoDatabaseWritePerRequest() {
        List<String> secrets = newKeys(2);
        List<String> ids = secrets.stream().map(TestData::keyId).toList();
        List<String> writtenBy = ids.stream().map(LastUsedIntegrationTests::xmin).toList();

        for (int i = 0; i < 30; i++) {
            secrets.forEach(secret -> assertThat(gateway.assetsStatus(secret)).isEqualTo(200));
        }

        assertThat(ids).allSatisfy(id -> assertThat(Rows.keyColumn(id, "last_used")).isNull());
        assertThat(ids.stream().map(LastUsedIntegrationTests::xmin).toList()).isEqualTo(writtenBy);
    }

    @Test
    void flushWhenUsesPendingThenOneBatchedWriteToTheMinute() {
        List<String> secrets = newKeys(3);
        List<String> ids = secrets.stream().map(TestData::keyId).toList();
        List<String> insertedBy = ids.stream().map(LastUsedIntegrationTests::xmin).toList();
        for (int i = 0; i < 10; i++) {
            secrets.forEach(gateway::assetsStatus);
        }

        Long written = recorder.flush().block(WAIT);

        assertThat(written).isEqualTo(3);
        for (String id : ids) {
            Instant lastUsed = Instant.parse(TestData.queryString("SELECT to_char(last_used AT TIME ZONE 'UTC', "
                    + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM api_keys WHERE id = ?", id));
            assertThat(lastUsed).isEqualTo(lastUsed.truncatedTo(ChronoUnit.MINUTES));
            assertThat(lastUsed).isCloseTo(Instant.now().truncatedTo(ChronoUnit.MINUTES), within(1, ChronoUnit.MINUTES));
        }
        List<String> writtenBy = ids.stream().map(LastUsedIntegrationTests::xmin).distinct().toList();
        assertThat(writtenBy).as("one statement wrote every row").hasSize(1);
        assertThat(insertedBy).doesNotContain(writtenBy.get(0));
    }

    @Test
    void flushWhenNothingPendingThenWritesNothing() {
        String id = TestData.keyId(newKeys(1).get(0));
        String before = xmin(id);

        assertThat(recorder.flush().block(WAIT)).isZero();
        assertThat(recorder.flush().block(WAIT)).isZero();
        assertThat(xmin(id)).isEqualTo(before);
    }

    @Test
    void flushWhenKeyUsedAgainInTheSameMinuteThenNotWrittenAgain() {
        String secret = newKeys(1).get(0);
        String id = TestData.keyId(secret);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        gateway.assetsStatus(secret);
        assertThat(recorder.flush().block(WAIT)).isEqualTo(1);
        String written = xmin(id);

        for (int i = 0; i < 10; i++) {
            gateway.assetsStatus(secret);
        }
        Long again = recorder.flush().block(WAIT);

        assumeThat(Instant.now().truncatedTo(ChronoUnit.MINUTES)).as("still the same minute").isEqualTo(minute);
        assertThat(again).isZero();
        assertThat(xmin(id)).isEqualTo(written);
    }

    @Test
    void lastUsedWhenFlushedThenShownOnTheKeyToTheMinute() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "shows last use", List.of("read:assets"));
        String id = created.get("id").asString();
        gateway.assetsStatus(created.get("key").asString());
        assertThat(gateway.get("/api/keys/" + id, ADMIN_KEY).data().get("last_used").isNull()).isTrue();

        recorder.flush().block(WAIT);

        Instant lastUsed = Instant.parse(gateway.get("/api/keys/" + id, ADMIN_KEY).data().get("last_used").asString());
        assertThat(lastUsed.getEpochSecond() % 60).isZero();
        assertThat(lastUsed.getNano()).isZero();
    }

    @Test
    void flushWhenPostgresUnreachableThenUsesKeptForTheNextFlush() throws Exception {
        String id = TestData.keyId(newKeys(1).get(0));
        try (TcpProxy proxy = new TcpProxy(TestDatabase.HOST, TestDatabase.PORT)) {
            LastUsedRecorder isolated = recorderThrough(proxy.port(), Clock.systemUTC());
            isolated.record(id);
            proxy.cut();

            assertThat(isolated.flush().block(WAIT)).isZero();
            assertThat(Rows.keyColumn(id, "last_used")).isNull();

            proxy.restore();
            assertThat(isolated.flush().block(WAIT)).isEqualTo(1);
        }
        assertThat(Rows.keyColumn(id, "last_used")).isNotNull();
    }

    @Test
    void flushWhenOlderUseArrivesLaterThenLastUsedNeverMovesBackwards() throws Exception {
        String id = TestData.keyId(newKeys(1).get(0));
        Instant later = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MINUTES);
        Instant earlier = later.minus(Duration.ofMinutes(30));
        try (TcpProxy proxy = new TcpProxy(TestDatabase.HOST, TestDatabase.PORT)) {
            LastUsedRecorder replicaA = recorderThrough(proxy.port(), Clock.fixed(later, ZoneOffset.UTC));
            LastUsedRecorder replicaB = recorderThrough(proxy.port(), Clock.fixed(earlier, ZoneOffset.UTC));
            replicaA.record(id);
            replicaB.record(id);

            assertThat(replicaA.flush().block(WAIT)).isEqualTo(1);
            assertThat(replicaB.flush().block(WAIT)).isZero();
        }
        assertThat(Rows.number("SELECT extract(epoch FROM last_used)::bigint FROM api_keys WHERE id = ?", id))
                .isEqualTo(later.getEpochSecond());
    }

    /** A recorder of its own whose batches reach PostgreSQL through {@code port}, without a pool. */
    private LastUsedRecorder recorderThrough(int port, Clock clock) {
        ConnectionFactoryOptions options = ConnectionFactoryOptions
                .parse(TestInfrastructure.get().database.r2dbcUrl("127.0.0.1", port))
                .mutate()
                .option(ConnectionFactoryOptions.USER, TestDatabase.USER)
                .build();
        ConnectionFactory factory = ConnectionFactories.get(options);
        ApiKeyRepository repository = new ApiKeyRepository(DatabaseClient.create(factory));
        return new LastUsedRecorder(repository, properties, clock, new SimpleMeterRegistry());
    }

    private static List<String> newKeys(int count) {
        long owner = TestData.user("member");
        return Stream.generate(() -> TestData.key(owner, List.of("read:assets"))).limit(count).toList();
    }

    private static String xmin(String id) {
        return TestData.queryString("SELECT xmin::text FROM api_keys WHERE id = ?", id);
    }
}

package io.s4e.gateway.ops;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness follows PostgreSQL and Redis (DOWN while either is unreachable, UP again after; liveness stays UP so the
 * pod is not restarted for an outage it cannot fix), requests that need the missing store get 503 and count as
 * {@code service_unavailable}; and a closing gateway reports readiness DOWN first, then lets in-flight requests
 * finish before it stops. One replica behind cuttable relays, closed by the last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessAndShutdownIntegrationTests {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private TcpProxy postgres;
    private TcpProxy redis;
    private DisposableServer upstream;
    private final Sinks.Empty<Void> release = Sinks.empty();
    private final CountDownLatch held = new CountDownLatch(1);
    private SecondGateway gateway;

    @BeforeAll
    void start() throws IOException {
        postgres = new TcpProxy(TestDatabase.HOST, TestDatabase.PORT);
        redis = new TcpProxy("127.0.0.1", 6379);
        // an upstream that holds /public/hold until the test releases it, and answers anything else at once
        upstream = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> request.receive().then(request.uri().startsWith("/public/hold")
                        ? Mono.fromRunnable(held::countDown).then(release.asMono())
                                .then(response.sendString(Mono.just("finished")).then())
                        : response.sendString(Mono.just("ok")).then()))
                .bindNow();
        Map<String, String> overrides = new HashMap<>();
        overrides.put("spring.r2dbc.url", TestInfrastructure.get().database.r2dbcUrl("127.0.0.1", postgres.port()));
        overrides.put("spring.data.redis.url", "redis://127.0.0.1:" + redis.port());
        overrides.put("s4e.api-keys.lookup-timeout", "1500ms");
        overrides.put("test.upstream.url", "http://127.0.0.1:" + upstream.port());
        gateway = SecondGateway.start(overrides);
    }

    @AfterAll
    void stop() {
        release.tryEmitEmpty();
        gateway.close();
        upstream.disposeNow();
        postgres.close();
        redis.close();
    }

    @Test
    @Order(1)
    void readinessWhenPostgresUnreachableThenDownAndKeysUndecidableThenUpAgain() {
        awaitReadiness(200);
        String uncachedKey = TestData.key(TestData.user("admin"), List.of("read:assets"));
        double before = outcomes("api_key", "service_unavailable");
        postgres.cut();
        try {
            awaitReadiness(503);
            assertThat(health("/actuator/health/liveness").getStatus().value()).isEqualTo(200);
            call(uncachedKey).expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.error.code").isEqualTo("service_unavailable");
            assertThat(outcomes("api_key", "service_unavailable")).isEqualTo(before + 1);
        }
        finally {
            postgres.restore();
        }
        awaitReadiness(200);
    }

    @Test
    @Order(2)
    void readinessWhenRedisUnreachableThenDownAndSessionsUndecidableThenUpAgain() {
        awaitReadiness(200);
        String token = login();
        double before = outcomes("session", "service_unavailable");
        redis.cut();
        try {
            awaitReadiness(503);
            assertThat(health("/actuator/health/liveness").getStatus().value()).isEqualTo(200);
            gateway.client().get().uri("/api/assets/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange().expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.error.code").isEqualTo("service_unavailable");
            assertThat(outcomes("session", "service_unavailable")).isEqualTo(before + 1);
        }
        finally {
            redis.restore();
        }
        awaitReadiness(200);
    }

    @Test
    @Order(3)
    void shutdownWhenRequestInFlightThenReadinessDownFirstAndTheRequestFinishes() throws Exception {
        awaitReadiness(200);
        List<ReadinessState> states = new CopyOnWriteArrayList<>();
        CountDownLatch refusing = new CountDownLatch(1);
        gateway.context().addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) event -> {
            if (event.getState() instanceof ReadinessState state) {
                states.add(state);
                if (state == ReadinessState.REFUSING_TRAFFIC) {
                    refusing.countDown();
                }
            }
        });
        CompletableFuture<EntityExchangeResult<String>> inFlight = CompletableFuture.supplyAsync(() ->
                TestClients.of(gateway.port()).mutate().responseTimeout(PATIENCE).build()
                        .get().uri("/public/hold").exchange().expectBody(String.class).returnResult());
        assertThat(held.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("request reached the upstream").isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
        assertThat(refusing.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("readiness refused traffic").isTrue();
        // readiness is DOWN (or the management port already closed) while the request is still being served
        assertThat(inFlight).isNotDone();
        assertThat(closing).isNotDone();
        assertThat(readinessNow()).isNotEqualTo(200);

        release.tryEmitEmpty();
        EntityExchangeResult<String> finished = inFlight.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(finished.getStatus().value()).isEqualTo(200);
        assertThat(finished.getResponseBody()).isEqualTo("finished");
        closing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(states).isNotEmpty().containsOnly(ReadinessState.REFUSING_TRAFFIC);
    }

    private WebTestClient.ResponseSpec call(String key) {
        return gateway.client().mutate().responseTimeout(Duration.ofSeconds(10)).build()
                .get().uri("/api/assets/1").header("X-API-Key", key).exchange();
    }

    private String login() {
        String body = "{\"email\":\"" + TestInfrastructure.ADMIN_EMAIL + "\",\"password\":\""
                + TestInfrastructure.ADMIN_PASSWORD + "\"}";
        String json = gateway.client().post().uri("/api/user/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return JsonMapper.builder().build().readTree(json).path("data").path("token").asString();
    }

    private double outcomes(String method, String outcome) {
        Counter counter = gateway.context().getBean(MeterRegistry.class).find("s4e.auth.outcomes")
                .tags("method", method, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private EntityExchangeResult<String> health(String path) {
        return TestClients.of(gateway.managementPort()).mutate().responseTimeout(Duration.ofSeconds(10)).build()
                .get().uri(path).exchange().expectBody(String.class).returnResult();
    }

    /** The readiness status code now, or -1 when the management port no longer answers. */
    private int readinessNow() {
        try {
            return health("/actuator/health/readiness").getStatus().value();
        }
        catch (RuntimeException closed) {
            return -1;
        }
    }

    private void awaitReadiness(int status) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        int last;
        do {
            last = readinessNow();
            if (last == status) {
                return;
            }
            sleep();
        }
        while (System.nanoTime() < deadline);
        assertThat(last).as("readiness status").isEqualTo(status);
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

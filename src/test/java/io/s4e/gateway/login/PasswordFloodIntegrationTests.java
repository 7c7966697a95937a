package io.s4e.gateway.login;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.ratelimit.Http;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A password-hashing flood: 400 wrong-password logins from 40 addresses (10 each, inside the per-IP limit) at once,
 * while a real user signs in. Password checks are a bulkhead (CONTRACT §7, README "Login"): past its threads and its
 * short queue a check is refused at once with 503 and {@code Retry-After}, so the flood cannot make the real login
 * wait behind hundreds of Argon2id computations.
 * <p>
 * With {@code -Ds4e.bench.login-flood=true} ({@code bench/login-flood.sh}) the same flood also runs against a
 * replica configured as the gateway was before the bulkhead (unbounded queue), and the real login's time to a 200 on
 * both is printed as {@code login-flood:} lines: a measurement, not an assertion on speed.
 */
class PasswordFloodIntegrationTests {

    private static final String LOGIN = "/api/user/auth/login";
    private static final int ADDRESSES = 40;
    private static final int PER_ADDRESS = 10;

    @Test
    void floodOfWrongPasswordsIsRefusedAtOnceWhileARealLoginGetsThrough() throws Exception {
        long bounded;
        try (SecondGateway gateway = SecondGateway.start(floodProperties(null, null))) {
            Flood flood = flood(gateway);
            assertThat(flood.realLogin.status()).as(flood.realLogin.body()).isEqualTo(200);
            assertThat(flood.refusedAtOnce).as("flood checks refused at once with 503").isPositive();
            assertThat(flood.refused.status()).isEqualTo(503);
            assertThat(flood.refused.json().path("error").path("code").asString()).isEqualTo("service_unavailable");
            assertThat(flood.refused.headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
            MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
            assertThat(meters.get("s4e.password.checks.rejected").counter().count())
                    .as("every refusal counted (the flood's and the real login's retries)")
                    .isGreaterThanOrEqualTo(flood.refusedAtOnce);
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            assertThat(flood.mostInFlight).as("checks running or waiting never exceed threads + queue")
                    .isLessThanOrEqualTo(threads + 4 * threads);
            bounded = flood.realLoginMillis;
        }
        if (!Boolean.getBoolean("s4e.bench.login-flood")) {
            return;
        }
        // bench/login-flood.sh: the same flood against the gateway as it was before the bulkhead (as many threads as
        // processors, at least two, and an unbounded queue), for the before/after numbers
        long unbounded;
        int before = Math.max(2, Runtime.getRuntime().availableProcessors());
        try (SecondGateway gateway = SecondGateway.start(floodProperties(before, 1_000_000))) {
            Flood flood = flood(gateway);
            assertThat(flood.realLogin.status()).as(flood.realLogin.body()).isEqualTo(200);
            assertThat(flood.refusedAtOnce).as("nothing refused without the bulkhead").isZero();
            unbounded = flood.realLoginMillis;
        }
        System.out.printf("login-flood: a real login during %d wrong-password logins took %d ms with the "
                + "password-check bulkhead, %d ms without%n", ADDRESSES * PER_ADDRESS, bounded, unbounded);
    }

    private static Map<String, String> floodProperties(Integer concurrency, Integer queue) {
        Map<String, String> properties = new HashMap<>();
        properties.put("s4e.trusted-proxies", "127.0.0.1/32");
        properties.put("s4e.rate-limits.login.per-ip-per-minute", Integer.toString(PER_ADDRESS + 1));
        if (concurrency != null) {
            properties.put("s4e.password-checks.concurrency", concurrency.toString());
        }
        if (queue != null) {
            properties.put("s4e.password-checks.queue", queue.toString());
        }
        return properties;
    }

    /** What one flood showed. */
    private record Flood(Http.Reply realLogin, long realLoginMillis, int refusedAtOnce, Http.Reply refused,
                         double mostInFlight) {
    }

    /**
     * Sends the flood, and once it is under way the real login, as a client honouring {@code Retry-After} would
     * (an answer of 503 is retried after the time it asks for).
     */
    private static Flood flood(SecondGateway gateway) throws Exception {
        Http http = new Http(gateway.port());
        assertThat(http.call(HttpMethod.POST, LOGIN, Map.of("X-Forwarded-For", "10.78.0.2"),
                body(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD)).status())
                .as("a first login, before the flood").isEqualTo(200);
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        ExecutorService pool = Executors.newFixedThreadPool(ADDRESSES);
        AtomicInteger refusedAtOnce = new AtomicInteger();
        Http.Reply[] refused = new Http.Reply[1];
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> attackers = new ArrayList<>();
        for (int i = 0; i < ADDRESSES; i++) {
            String ip = "10.77." + i + "." + (1 + ThreadLocalRandom.current().nextInt(250));
            attackers.add(pool.submit(() -> {
                go.await();
                for (int n = 0; n < PER_ADDRESS; n++) {
                    Http.Reply reply = http.call(HttpMethod.POST, LOGIN, Map.of("X-Forwarded-For", ip),
                            body("nobody-" + ip + "-" + n + "@example.test", "a wrong password " + n));
                    assertThat(reply.status()).as(reply.body()).isIn(401, 503);
                    if (reply.status() == 503 && reply.headers().getFirst(HttpHeaders.RETRY_AFTER) != null) {
                        refusedAtOnce.incrementAndGet();
                        refused[0] = reply;
                    }
                }
                return null;
            }));
        }
        go.countDown();
        double mostInFlight = 0;
        long sampleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < sampleUntil) {
            mostInFlight = Math.max(mostInFlight, meters.get("s4e.password.checks.in.flight").gauge().value());
            Thread.sleep(5);
        }
        long start = System.nanoTime();
        int tries = 0;
        Http.Reply real;
        while (true) {
            tries++;
            real = http.call(HttpMethod.POST, LOGIN, Map.of("X-Forwarded-For", "10.78.0.1"),
                    body(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD));
            mostInFlight = Math.max(mostInFlight, meters.get("s4e.password.checks.in.flight").gauge().value());
            if (real.status() != 503 || System.nanoTime() - start > TimeUnit.SECONDS.toNanos(60)) {
                break;
            }
            String retryAfter = real.headers().getFirst(HttpHeaders.RETRY_AFTER);
            Thread.sleep(1000L * (retryAfter == null ? 1 : Long.parseLong(retryAfter)));
        }
        long realMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long floodStart = System.nanoTime();
        for (Future<?> attacker : attackers) {
            attacker.get(300, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        for (int i = 0; i < 600 && meters.get("s4e.password.checks.in.flight").gauge().value() > 0; i++) {
            Thread.sleep(50); // no computation still running when the replica stops
        }
        System.out.printf("login-flood: real login %d ms in %d tries; flood finished %d ms after it; %d of %d flood "
                + "checks refused at once%n", realMillis, tries,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - floodStart), refusedAtOnce.get(),
                ADDRESSES * PER_ADDRESS);
        return new Flood(real, realMillis, refusedAtOnce.get(), refused[0], mostInFlight);
    }

    private static String body(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }
}

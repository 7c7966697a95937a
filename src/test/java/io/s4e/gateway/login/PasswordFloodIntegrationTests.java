package io.s4e.gateway.login;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.ratelimit.Http;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A password-hashing flood: 400 wrong-password logins from 40 addresses (10 each, inside the per-IP limit), 40 at a
 * time, while a real user signs in. Password checks are a bulkhead (docs/login-security.md): past its threads and
 * its short queue a check is refused at once with 503 and {@code Retry-After}, so the flood cannot queue hundreds of
 * Argon2id computations in front of the real login.
 * <p>
 * The flood's clients share this JVM and its cores with the gateway, so this test measures nothing:
 * {@code bench/login-flood.sh} measures a real login during such a flood, with wrk, against the gateway with the
 * bulkhead and as it was before it.
 */
class PasswordFloodIntegrationTests {

    private static final String LOGIN = "/api/user/auth/login";
    private static final int ADDRESSES = 40;
    private static final int PER_ADDRESS = 10;

    @Test
    void floodOfWrongPasswordsIsRefusedAtOnceWhileARealLoginGetsThrough() throws Exception {
        try (SecondGateway gateway = SecondGateway.start(Map.of("s4e.trusted-proxies", "127.0.0.1/32",
                "s4e.rate-limits.login.per-ip-per-minute", Integer.toString(PER_ADDRESS + 1)))) {
            Http http = new Http(gateway.port());
            MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
            assertThat(realLogin(http).status()).as("a first login, before the flood").isEqualTo(200);

            ExecutorService pool = Executors.newFixedThreadPool(ADDRESSES);
            AtomicInteger refusedAtOnce = new AtomicInteger();
            AtomicReference<Reply> refused = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> attackers = new ArrayList<>();
            for (int i = 0; i < ADDRESSES; i++) {
                String ip = "10.77." + i + ".9";
                attackers.add(pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < PER_ADDRESS; n++) {
                        Reply reply = http.call(HttpMethod.POST, LOGIN, Map.of("X-Forwarded-For", ip),
                                body("nobody-" + ip + "-" + n + "-" + System.nanoTime() + "@example.test",
                                        "a wrong password " + n));
                        assertThat(reply.status()).as(reply.body()).isIn(401, 503);
                        if (reply.status() == 503 && reply.headers().getFirst(HttpHeaders.RETRY_AFTER) != null) {
                            refusedAtOnce.incrementAndGet();
                            refused.set(reply);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            double mostInFlight = 0;
            long sampleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < sampleUntil) {
                mostInFlight = Math.max(mostInFlight, inFlight(meters));
                Thread.sleep(5);
            }
            Reply real = realLogin(http);
            for (int tries = 1; real.status() == 503 && tries < 60; tries++) {
                mostInFlight = Math.max(mostInFlight, inFlight(meters));
                String retryAfter = real.headers().getFirst(HttpHeaders.RETRY_AFTER);
                Thread.sleep(1000L * (retryAfter == null ? 1 : Long.parseLong(retryAfter)));
                real = realLogin(http);
            }
            for (Future<?> attacker : attackers) {
                attacker.get(120, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            for (int i = 0; i < 600 && inFlight(meters) > 0; i++) {
                Thread.sleep(50); // no computation still running when the replica stops
            }

            assertThat(real.status()).as("the real login, retried as Retry-After asks: " + real.body()).isEqualTo(200);
            assertThat(refusedAtOnce.get()).as("flood logins refused at once").isPositive();
            assertThat(refused.get().json().path("error").path("code").asString()).isEqualTo("service_unavailable");
            assertThat(refused.get().headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
            assertThat(meters.get("s4e.password.checks.rejected").counter().count())
                    .as("every refusal counted (the flood's and the real login's)")
                    .isGreaterThanOrEqualTo(refusedAtOnce.get());
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            assertThat(mostInFlight).as("checks running or waiting never exceed threads + queue")
                    .isLessThanOrEqualTo(threads + 4 * threads);
        }
    }

    private static double inFlight(MeterRegistry meters) {
        return meters.get("s4e.password.checks.in.flight").gauge().value();
    }

    private static Reply realLogin(Http http) {
        return http.call(HttpMethod.POST, LOGIN, Map.of("X-Forwarded-For", "10.78.0.1"),
                body(TestInfrastructure.ADMIN_EMAIL, TestInfrastructure.ADMIN_PASSWORD));
    }

    private static String body(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }
}

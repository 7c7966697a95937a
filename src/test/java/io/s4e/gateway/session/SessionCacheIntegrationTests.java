package io.s4e.gateway.session;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The replica's session near cache: a session is read from Redis at most once per {@code s4e.session.cache-ttl}
 * (1 s), an ended session leaves every replica's cache when its end is published, and a session removed from Redis
 * without any message is still refused within the 1 s bound of the contract.
 */
@GatewayIntegrationTest
class SessionCacheIntegrationTests {

    private static final Duration REDIS = Duration.ofSeconds(5);
    /** Below the 1 s cache-ttl, with room for the requests themselves: a reply this soon came from the cache. */
    private static final long FRESH_MILLIS = 700;
    private static final int ATTEMPTS = 5;

    @LocalServerPort
    int port;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    SessionKeys keys;

    @Autowired
    SessionTokenCodec codec;

    @Autowired
    MeterRegistry meters;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    @Test
    void sessionWhenUsedRepeatedlyThenReadFromRedisAboutOncePerSecond() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));
        double missesBefore = cacheGets("miss");
        double hitsBefore = cacheGets("hit");
        long start = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        double misses = cacheGets("miss") - missesBefore;
        assertThat(misses).as("Redis reads: one per cache-ttl").isLessThanOrEqualTo(seconds + 1);
        assertThat(cacheGets("hit") - hitsBefore).isEqualTo(30 - misses);
    }

    @Test
    void sessionWhenRemovedFromRedisWithoutAMessageThenServedFromCacheUntilTtlAndRefusedWithinOneSecond() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String token = gateway.token(LoginCalls.userWithPassword("member"));
            assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
            long cachedAt = System.nanoTime();
            redis.delete(keys.session(codec.decode(token).sid())).block(REDIS);
            int stale = gateway.get("/api/assets/1", token).status();
            if (millisSince(cachedAt) >= FRESH_MILLIS) {
                continue; // too slow to tell the cache from Redis; try again
            }
            assertThat(stale).as("nothing told this replica: served from its cache").isEqualTo(200);
            assertThat(firstRefusalMillis(gateway, token, Duration.ofMillis(1500)))
                    .as("refused once the cache-ttl ends").isNotNegative();
            assertThat(millisSince(cachedAt)).as("within the 1 s bound (and a request's margin)").isLessThan(1500);
            return;
        }
        fail("every attempt took longer than " + FRESH_MILLIS + " ms");
    }

    @Test
    void sessionWhenItsEndIsPublishedThenRefusedAtOnceWhileStillFreshInTheCache() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String token = gateway.token(LoginCalls.userWithPassword("member"));
            String sid = codec.decode(token).sid();
            assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
            long cachedAt = System.nanoTime();
            redis.delete(keys.session(sid)).block(REDIS);
            redis.convertAndSend(TestInfrastructure.get().redisPrefix + "invalidate",
                    SessionCache.SESSION_TOPIC + ":" + sid).block(REDIS);
            long refusedAfter = firstRefusalMillis(gateway, token, Duration.ofMillis(FRESH_MILLIS));
            if (millisSince(cachedAt) >= FRESH_MILLIS && refusedAfter < 0) {
                continue;
            }
            assertThat(refusedAfter).as("refused before the cache-ttl could end it").isNotNegative();
            return;
        }
        fail("every attempt took longer than " + FRESH_MILLIS + " ms");
    }

    @Test
    void logoutWhenSessionCachedHereThenRefusedHereOnTheVeryNextRequest() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));
        assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
        assertThat(gateway.post("/api/user/auth/logout", token, null).status()).isEqualTo(200);
        Reply after = gateway.get("/api/assets/1", token);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.errorCode()).isEqualTo("unauthorized");
    }

    @Test
    void logoutOnAnotherReplicaWhenSessionCachedHereThenRefusedHereWithinOneSecond() {
        try (SecondGateway other = SecondGateway.start(Map.of())) {
            LoginCalls there = new LoginCalls(other.port());
            String token = gateway.token(LoginCalls.userWithPassword("member"));
            assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
            assertThat(there.get("/api/assets/1", token).status()).isEqualTo(200);

            assertThat(there.post("/api/user/auth/logout", token, null).status()).isEqualTo(200);
            long loggedOut = System.nanoTime();

            assertThat(there.get("/api/assets/1", token).status()).as("the replica that logged out").isEqualTo(401);
            assertThat(firstRefusalMillis(gateway, token, Duration.ofSeconds(1))).as("this replica, within 1 s")
                    .isNotNegative();
            assertThat(millisSince(loggedOut)).isLessThan(1500);
        }
    }

    private static long firstRefusalMillis(LoginCalls calls, String token, Duration within) {
        long start = System.nanoTime();
        do {
            if (calls.get("/api/assets/1", token).status() == 401) {
                return millisSince(start);
            }
        } while (millisSince(start) < within.toMillis());
        return -1;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private double cacheGets(String result) {
        FunctionCounter counter = meters.find("cache.gets").tag("cache", "s4e.sessions").tag("result", result)
                .functionCounter();
        return counter == null ? 0 : counter.count();
    }
}

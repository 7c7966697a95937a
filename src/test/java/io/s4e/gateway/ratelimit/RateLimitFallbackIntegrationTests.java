package io.s4e.gateway.ratelimit;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TcpProxy;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica whose Redis connections pass through a proxy the test cuts: limits are then decided in-process with the
 * same numbers (never "everything allowed"), within the Redis timeout, counted in {@code s4e.ratelimit.fallback};
 * once Redis is back, decisions are shared through it again.
 */
class RateLimitFallbackIntegrationTests {

    @Test
    void redisUnreachableThenInProcessLimitsStillRefuseWithoutHangingAndRedisIsUsedAgainOnceBack()
            throws IOException, InterruptedException {
        Map<String, String> properties = new HashMap<>(RateLimitIntegrationTests.realLimits());
        properties.put("s4e.rate-limits.redis-retry", "500ms");
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        factory.start();
        try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379)) {
            properties.put("spring.data.redis.url", "redis://127.0.0.1:" + redis.port());
            try (SecondGateway gateway = SecondGateway.start(properties)) {
                StringRedisTemplate direct = new StringRedisTemplate(factory);
                Http http = new Http(gateway.port());
                String key = RateLimitIntegrationTests.keyOf(RateLimitIntegrationTests.user("standard"));
                assertThat(http.get("/api/assets/1", key).status()).isEqualTo(200);

                redis.cut();
                for (int i = 1; i <= 3; i++) {
                    long start = System.nanoTime();
                    Reply reply = http.get("/rl/limited/x", key);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
                    assertThat(reply.headerAsLong("X-RateLimit-Remaining")).isEqualTo(3 - i);
                    assertThat(millis).as("bounded wait").isLessThan(5000);
                }
                long start = System.nanoTime();
                Reply refused = http.get("/rl/limited/x", key);
                long millis = (System.nanoTime() - start) / 1_000_000;
                refused.assertRateLimited();
                assertThat(millis).as("bounded wait").isLessThan(5000);
                for (int i = 1; i <= 3; i++) {
                    assertThat(http.call(HttpMethod.GET, "/rl/open/x", Map.of(), null).status()).isEqualTo(200);
                }
                http.call(HttpMethod.GET, "/rl/open/x", Map.of(), null).assertRateLimited();
                assertThat(fallbacks(gateway)).isGreaterThanOrEqualTo(8);

                redis.restore();
                long user = RateLimitIntegrationTests.user("standard");
                String other = RateLimitIntegrationTests.keyOf(user);
                String bucket = TestInfrastructure.get().redisPrefix + "rl:{u:" + user + "}:tier";
                boolean shared = false;
                for (int i = 0; i < 50 && !shared; i++) {
                    Thread.sleep(200);
                    assertThat(http.get("/api/assets/1", other).status()).isEqualTo(200);
                    shared = Boolean.TRUE.equals(direct.hasKey(bucket));
                }
                assertThat(shared).as("decisions are taken in Redis again").isTrue();
            }
        }
        finally {
            factory.destroy();
        }
    }

    private static double fallbacks(SecondGateway gateway) {
        return gateway.context().getBean(MeterRegistry.class).find("s4e.ratelimit.fallback").counters().stream()
                .mapToDouble(Counter::count).sum();
    }
}

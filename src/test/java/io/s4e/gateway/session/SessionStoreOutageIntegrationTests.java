package io.s4e.gateway.session;

import java.io.IOException;
import java.util.Map;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TcpProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A gateway whose Redis connections pass through a proxy the test cuts: sessions answer 503, never 401. */
class SessionStoreOutageIntegrationTests {

    @Test
    void sessionWhenRedisUnreachableThen503AndTokenWorksOnceRedisIsBack() throws IOException, InterruptedException {
        try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
             SecondGateway gateway = SecondGateway.start(Map.of("spring.data.redis.url",
                     "redis://127.0.0.1:" + redis.port()))) {
            LoginCalls calls = new LoginCalls(gateway.port());
            String token = calls.token(LoginCalls.userWithPassword("member"));
            assertThat(calls.get("/api/assets/1", token).status()).isEqualTo(200);

            redis.cut();
            // the session was just read: this replica may serve it from its near cache for s4e.session.cache-ttl
            Thread.sleep(SessionProperties.MAX_CACHE_TTL.plusMillis(100).toMillis());
            long start = System.nanoTime();
            Reply during = calls.get("/api/assets/1", token);
            long millis = (System.nanoTime() - start) / 1_000_000;
            Reply logout = calls.post("/api/user/auth/logout", token, null);
            redis.restore();

            assertThat(during.status()).as(during.body()).isEqualTo(503);
            ErrorEnvelopes.assertEnvelope(during.body(), "service_unavailable");
            assertThat(millis).as("bounded wait").isLessThan(5000);
            assertThat(logout.status()).as(logout.body()).isEqualTo(503);
            int status = 0;
            for (int i = 0; i < 50 && status != 200; i++) {
                Thread.sleep(200);
                status = calls.get("/api/assets/1", token).status();
            }
            assertThat(status).as("after Redis is back").isEqualTo(200);
        }
    }
}

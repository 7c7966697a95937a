package io.s4e.gateway.login;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Refresh on a gateway with a 1 s refresh grace and a 1 h max-lifetime (ttl 24 h). */
class RefreshIntegrationTests {

    static SecondGateway gateway;
    static LoginCalls calls;

    @BeforeAll
    static void start() {
        gateway = SecondGateway.start(Map.of("s4e.session.refresh-grace", "1s", "s4e.session.max-lifetime", "1h",
                "s4e.session.ttl", "24h", "s4e.session.cookie-secure", "false"));
        calls = new LoginCalls(gateway.port());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void refreshWhenCalledThenNewTokenWorksAndOldEndsAfterGrace() throws InterruptedException {
        String old = calls.token(LoginCalls.userWithPassword("member"));

        Reply refreshed = calls.post("/api/user/auth/refresh", old, null);

        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
        String fresh = refreshed.data().get("token").asString();
        assertThat(fresh).isNotEqualTo(old);
        assertThat(refreshed.setCookie()).startsWith("token=" + fresh + ";")
                .doesNotContain("Secure");
        assertThat(calls.get("/api/assets/1", fresh).status()).isEqualTo(200);
        assertThat(calls.get("/api/assets/1", old).status()).as("within the grace").isEqualTo(200);
        assertThat(calls.post("/api/user/auth/refresh", old, null).status()).as("refreshed once only")
                .isEqualTo(401);

        Thread.sleep(1600);

        assertThat(calls.get("/api/assets/1", old).status()).as("after the grace").isEqualTo(401);
        assertThat(calls.get("/api/assets/1", fresh).status()).isEqualTo(200);
    }

    @Test
    void refreshWhenRepeatedThenNeverBeyondMaxLifetimeFromLogin() {
        Instant loginAround = Instant.now();
        String token = calls.token(LoginCalls.userWithPassword("member"));
        assertThat(expiry(token)).isCloseTo(loginAround.plusSeconds(3600), within(5, java.time.temporal.ChronoUnit.SECONDS));

        for (int i = 0; i < 3; i++) {
            Reply reply = calls.post("/api/user/auth/refresh", token, null);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            token = reply.data().get("token").asString();
            assertThat(expiry(token)).isBeforeOrEqualTo(loginAround.plusSeconds(3602));
            assertThat(reply.setCookie()).containsPattern("Max-Age=3[56]\\d\\d;");
        }
        assertThat(calls.get("/api/assets/1", token).status()).isEqualTo(200);
    }

    private static Instant expiry(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        JsonNode claims = LoginCalls.JSON.readTree(payload);
        return Instant.ofEpochSecond(claims.get("exp").asLong());
    }
}

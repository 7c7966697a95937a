package io.s4e.gateway.session;

import java.time.Duration;
import java.util.Map;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Sessions ended from outside a request (a disabled user), and signing-key rotation across replicas. */
@GatewayIntegrationTest
class SessionRevocationIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    SessionRevocations revocations;

    @Value("${s4e.session.jwt-secret}")
    String currentSecret;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    @Test
    void revokeAllWhenUserDisabledThenEveryTokenRefusedAtOnce() {
        String email = LoginCalls.userWithPassword("member");
        String first = gateway.token(email);
        String second = gateway.token(email);
        assertThat(gateway.get("/api/assets/1", first).status()).as("now in this replica's session cache")
                .isEqualTo(200);
        assertThat(gateway.get("/api/assets/1", second).status()).isEqualTo(200);
        long userId = Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?", email));

        Long ended = revocations.revokeAll(userId).block(Duration.ofSeconds(5));

        assertThat(ended).isEqualTo(2L);
        assertThat(gateway.get("/api/assets/1", first).status()).isEqualTo(401);
        assertThat(gateway.get("/api/assets/1", second).status()).isEqualTo(401);
    }

    @Test
    void tokenWhenSignedWithPreviousKeyThenAcceptedAfterRotation() {
        String oldToken = gateway.token(LoginCalls.userWithPassword("member"));
        try (SecondGateway rotated = SecondGateway.start(Map.of(
                "s4e.session.jwt-secret", "rOt4tEdK3yF0rS3ss10nT0k3nsAbCdEfGh",
                "s4e.session.jwt-kid", "k2",
                "s4e.session.previous-keys.k1", currentSecret))) {
            LoginCalls calls = new LoginCalls(rotated.port());

            assertThat(calls.get("/api/assets/1", oldToken).status()).as("old kid still verifies").isEqualTo(200);
            String newToken = calls.token(LoginCalls.userWithPassword("member"));
            assertThat(calls.get("/api/assets/1", newToken).status()).isEqualTo(200);
            assertThat(gateway.get("/api/assets/1", newToken).status()).as("k2 unknown to the old replica")
                    .isEqualTo(401);
        }
    }
}

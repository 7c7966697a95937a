package io.s4e.gateway.session;

import java.util.Map;

import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway refuses to start without a usable session signing secret, naming the property. */
class SessionSecretStartupIntegrationTests {

    @Test
    void startWhenSecretShortThenRefusedNamingTheProperty() {
        assertRefused("too-short-0123456789", "too short");
    }

    @Test
    void startWhenSecretMissingThenRefusedNamingTheProperty() {
        assertRefused("", "is required");
    }

    @Test
    void startWhenSecretIsAWellKnownExampleThenRefused() {
        assertRefused("your-256-bit-secret-padded-to-be-long-enough", "well-known");
        assertRefused("changeme-changeme-changeme-changeme", "well-known");
        assertRefused("0000000000000000000000000000000000000000", "well-known");
    }

    private static void assertRefused(String secret, String reason) {
        assertThatThrownBy(() -> SecondGateway.start(Map.of("s4e.session.jwt-secret", secret)).close())
                .rootCause()
                .hasMessageContaining("s4e.session.jwt-secret")
                .hasMessageContaining(reason)
                .satisfies(e -> {
                    if (!secret.isEmpty()) {
                        org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain(secret);
                    }
                });
    }
}

package io.s4e.gateway.passkey;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The relying party is checked when the gateway starts: a configuration no browser could use does not start. */
class WebAuthnPropertiesTests {

    @Test
    void defaultsWhenNothingSetThenLocalhostConsole() {
        WebAuthnProperties properties = new WebAuthnProperties(null, null, null, null);

        assertThat(properties.rpId()).isEqualTo("localhost");
        assertThat(properties.rpName()).isEqualTo("S4E");
        assertThat(properties.origins()).containsExactly("http://localhost:8080");
        assertThat(properties.optionsPerIpPerMinute()).isEqualTo(30);
    }

    @Test
    void originsWhenHostsUnderRpIdThenNormalised() {
        WebAuthnProperties properties = new WebAuthnProperties("Example.COM", "S4E",
                List.of("https://Console.Example.com:443", "https://example.com"), 5);

        assertThat(properties.rpId()).isEqualTo("example.com");
        assertThat(properties.origins()).containsExactly("https://console.example.com", "https://example.com");
    }

    @Test
    void startWhenRpIdIsNotAHostNameThenRefused() {
        for (String rpId : List.of("https://example.com", "example.com:8443", "example.com/path", "127.0.0.1",
                ".example.com", "exa mple.com")) {
            assertThatThrownBy(() -> new WebAuthnProperties(rpId, null, List.of("https://example.com"), null))
                    .as(rpId).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s4e.webauthn.rp-id");
        }
    }

    @Test
    void startWhenOriginNotUnderRpIdOrNotAnOriginOrPlainHttpThenRefused() {
        assertThatThrownBy(() -> new WebAuthnProperties("example.com", null, List.of("https://evil.com"), null))
                .hasMessageContaining("not s4e.webauthn.rp-id");
        assertThatThrownBy(() -> new WebAuthnProperties("example.com", null, List.of("https://notexample.com"), null))
                .hasMessageContaining("not s4e.webauthn.rp-id");
        assertThatThrownBy(() -> new WebAuthnProperties("example.com", null, List.of("https://example.com/app"),
                null)).hasMessageContaining("is not an origin");
        assertThatThrownBy(() -> new WebAuthnProperties("example.com", null, List.of("http://example.com"), null))
                .hasMessageContaining("must use https");
        assertThatThrownBy(() -> new WebAuthnProperties(null, null, List.of("http://localhost:8080"), 0))
                .hasMessageContaining("options-per-ip-per-minute");
    }
}

package io.s4e.gateway.console;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConsolePropertiesTests {

    @Test
    void defaultsThenEnabledWithoutCaptchaOrTrustedOrigins() {
        ConsoleProperties properties = new ConsoleProperties(null, null, null, null);

        assertThat(properties.enabled()).isTrue();
        assertThat(properties.hasCaptcha()).isFalse();
        assertThat(properties.trustedOrigins()).isEmpty();
    }

    @Test
    void trustedOriginsThenNormalised() {
        ConsoleProperties properties = new ConsoleProperties(true, null, null,
                List.of("HTTPS://Console.Example:443", "http://localhost:3000"));

        assertThat(properties.trustedOrigins()).containsExactly("https://console.example", "http://localhost:3000");
    }

    @Test
    void trustedOriginWithPathOrWithoutSchemeThenRefusedNamingTheProperty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConsoleProperties(true, null, null, List.of("https://console.example/app")))
                .withMessageContaining("s4e.console.trusted-origins");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConsoleProperties(true, null, null, List.of("console.example")))
                .withMessageContaining("s4e.console.trusted-origins");
    }

    @Test
    void captchaVendorUnknownOrWithoutSiteKeyThenRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConsoleProperties(true, "recaptcha", "key", null))
                .withMessageContaining("s4e.console.captcha-vendor");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConsoleProperties(true, "turnstile", null, null))
                .withMessageContaining("s4e.console.captcha-site-key");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConsoleProperties(true, "turnstile", "a\"b", null))
                .withMessageContaining("s4e.console.captcha-site-key");
    }

    @Test
    void contentSecurityPolicyWhenVendorThenOnlyItsHostsAreAdded() {
        String none = ConsoleHeaders.contentSecurityPolicy(null);
        String turnstile = ConsoleHeaders.contentSecurityPolicy("turnstile");
        String recaptcha = ConsoleHeaders.contentSecurityPolicy("googlev2");
        String hcaptcha = ConsoleHeaders.contentSecurityPolicy("hcaptcha");

        assertThat(none).contains("script-src 'self';", "frame-src 'none';").doesNotContain("https:");
        assertThat(turnstile).contains("script-src 'self' https://challenges.cloudflare.com;",
                "frame-src https://challenges.cloudflare.com;").doesNotContain("google");
        assertThat(recaptcha).contains("https://www.google.com/recaptcha/").doesNotContain("cloudflare");
        assertThat(hcaptcha).contains("https://*.hcaptcha.com");
        for (String policy : List.of(none, turnstile, recaptcha, hcaptcha)) {
            assertThat(policy).doesNotContain("unsafe-").contains("frame-ancestors 'none'");
        }
    }
}

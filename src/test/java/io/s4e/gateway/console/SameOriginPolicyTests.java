package io.s4e.gateway.console;

import java.util.Set;

import io.s4e.gateway.credential.Carrier;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

class SameOriginPolicyTests {

    private static final String OWN = "https://gateway.example";
    private final SameOriginPolicy policy = new SameOriginPolicy(Set.of("https://console.example"));

    @Test
    void stateChangeWithCookieWhenSecFetchSiteSameOriginThenAllowed() {
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, "same-origin", OWN, OWN)).isTrue();
        assertThat(policy.allows(HttpMethod.DELETE, Carrier.COOKIE, "same-origin", null, OWN)).isTrue();
    }

    @Test
    void stateChangeWithCookieWhenSecFetchSiteOtherThenRefusedEvenWithOwnOrigin() {
        for (String site : new String[] {"same-site", "cross-site", "none", "CROSS-SITE", "garbage"}) {
            assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, site, OWN, OWN)).as(site).isFalse();
        }
    }

    @Test
    void stateChangeWithCookieWhenOnlyOriginThenItMustBeOwnOrTrusted() {
        assertThat(policy.allows(HttpMethod.PATCH, Carrier.COOKIE, null, "https://GATEWAY.example:443", OWN)).isTrue();
        assertThat(policy.allows(HttpMethod.PUT, Carrier.COOKIE, null, "https://console.example", OWN)).isTrue();
        assertThat(policy.allows(HttpMethod.PUT, Carrier.COOKIE, "same-site", "https://console.example", OWN))
                .isTrue();
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, null, "http://gateway.example", OWN)).isFalse();
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, null, "https://gateway.example:8443", OWN))
                .isFalse();
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, null, "null", OWN)).isFalse();
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, null, "https://evil.example", OWN)).isFalse();
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, null, OWN, null)).isFalse();
    }

    @Test
    void stateChangeWithCookieWhenNeitherHeaderThenAllowed() {
        assertThat(policy.allows(HttpMethod.POST, Carrier.COOKIE, null, null, OWN)).isTrue();
    }

    @Test
    void safeMethodsAndOtherCarriersThenNeverChecked() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS}) {
            assertThat(policy.allows(method, Carrier.COOKIE, "cross-site", "https://evil.example", OWN)).isTrue();
        }
        for (Carrier carrier : new Carrier[] {Carrier.AUTHORIZATION_BEARER, Carrier.API_KEY_HEADER, Carrier.QUERY}) {
            assertThat(policy.allows(HttpMethod.POST, carrier, "cross-site", "https://evil.example", OWN)).isTrue();
        }
        assertThat(policy.allows(HttpMethod.POST, null, "cross-site", "https://evil.example", OWN)).isTrue();
    }
}

package io.s4e.gateway.relay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code X-S4E-User-Email} is percent-encoded UTF-8, always, so the upstream decodes every value alike. */
class IdentityHeaderEncodingTests {

    @Test
    void percentEncodedWhenPlainAddressThenUnchanged() {
        assertThat(IdentityRelayFilter.percentEncoded("jane.doe_1-x~y@example.com"))
                .isEqualTo("jane.doe_1-x~y@example.com");
    }

    @Test
    void percentEncodedWhenNonAsciiOrReservedThenUtf8Octets() {
        assertThat(IdentityRelayFilter.percentEncoded("j\u00f6rg@xn--bcher-kva.example"))
                .isEqualTo("j%C3%B6rg@xn--bcher-kva.example");
        assertThat(IdentityRelayFilter.percentEncoded("o'neil+tag@example.com")).isEqualTo("o%27neil%2Btag@example.com");
        assertThat(IdentityRelayFilter.percentEncoded("%C3%A9@example.com")).as("no value decodes to another")
                .isEqualTo("%25C3%25A9@example.com");
        assertThat(IdentityRelayFilter.percentEncoded("a\r\nX-Evil: 1@example.com"))
                .isEqualTo("a%0D%0AX-Evil%3A%201@example.com");
        assertThat(IdentityRelayFilter.percentEncoded("\ud83d\ude00@example.com")).isEqualTo("%F0%9F%98%80@example.com");
    }
}

package io.s4e.gateway.web;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClientIpResolverTests {

    private final ClientIpResolver resolver = new ClientIpResolver(List.of("10.0.0.0/8", "::1/128", "fd00::/8"));

    @Test
    void resolveWhenPeerIsNullThenUnknown() {
        assertThat(resolver.resolve(null, List.of("203.0.113.9"))).isEqualTo("unknown");
    }

    @Test
    void resolveWhenPeerIsUnresolvedThenUnknown() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("proxy.internal", 443);

        assertThat(resolver.resolve(unresolved, List.of("203.0.113.9"))).isEqualTo("unknown");
    }

    @Test
    void resolveWhenPeerIsUntrustedThenPeerAndHeaderIgnored() {
        assertThat(resolver.resolve(peer("198.51.100.7"), List.of("203.0.113.9"))).isEqualTo("198.51.100.7");
    }

    @Test
    void resolveWhenNoTrustedProxiesThenForgedHeaderIgnored() {
        ClientIpResolver noProxies = new ClientIpResolver(List.of());

        assertThat(noProxies.resolve(peer("10.0.0.5"), List.of("203.0.113.9"))).isEqualTo("10.0.0.5");
        assertThat(noProxies.resolve(peer("198.51.100.7"), List.of("1.2.3.4, 10.0.0.1"))).isEqualTo("198.51.100.7");
        assertThat(new ClientIpResolver(null).resolve(peer("10.0.0.5"), List.of("203.0.113.9"))).isEqualTo("10.0.0.5");
    }

    @Test
    void resolveWhenTrustedPeerWithoutHeaderThenPeer() {
        assertThat(resolver.resolve(peer("10.0.0.5"), null)).isEqualTo("10.0.0.5");
        assertThat(resolver.resolve(peer("10.0.0.5"), List.of())).isEqualTo("10.0.0.5");
        assertThat(resolver.resolve(peer("10.0.0.5"), List.of("", " , "))).isEqualTo("10.0.0.5");
        assertThat(resolver.resolve(peer("10.0.0.5"), Arrays.asList((String) null))).isEqualTo("10.0.0.5");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.5 | 203.0.113.9 | 203.0.113.9",
            "10.0.0.5 | ' 203.0.113.9 ' | 203.0.113.9",
            "10.0.0.5 | 203.0.113.9, 10.0.0.2 | 203.0.113.9",
            "10.0.0.5 | 203.0.113.9,10.0.0.3,10.0.0.2 | 203.0.113.9",
            "10.0.0.5 | 1.1.1.1, 203.0.113.9, 10.0.0.2 | 203.0.113.9",
            "10.0.0.5 | 10.0.0.9, 10.0.0.3 | 10.0.0.9",
            "10.0.0.5 | 203.0.113.9,, 10.0.0.2, | 203.0.113.9",
            "10.0.0.5 | '\t203.0.113.9\t,\t10.0.0.2' | 203.0.113.9",
            "10.0.0.5 | 2001:db8::1 | 2001:db8:0:0:0:0:0:1",
            "10.0.0.5 | [2001:db8::1] | 2001:db8:0:0:0:0:0:1",
            "10.0.0.5 | ::ffff:203.0.113.9 | 203.0.113.9",
            "10.0.0.5 | 203.0.113.9, ::ffff:10.0.0.2 | 203.0.113.9",
            "::1 | 203.0.113.9, fd00::1 | 203.0.113.9",
            "10.0.0.5 | garbage | 10.0.0.5",
            "10.0.0.5 | 203.0.113.9, garbage | 10.0.0.5",
            "10.0.0.5 | 203.0.113.9, evil.example.com, 10.0.0.2 | 10.0.0.2",
            "10.0.0.5 | 203.0.113.9, unknown, 10.0.0.2, 10.0.0.3 | 10.0.0.2",
            "10.0.0.5 | 203.0.113.9:4711 | 10.0.0.5",
            "10.0.0.5 | garbage, 203.0.113.9 | 203.0.113.9",
            "10.0.0.5 | 10.0.0.2, 198.51.100.1 | 198.51.100.1",
            "10.0.0.5 | '<script>, 10.0.0.2' | 10.0.0.2"
    })
    void resolveWhenTrustedPeerThenWalksForwardedForFromRight(String peer, String header, String expected) {
        assertThat(resolver.resolve(peer(peer), List.of(header))).isEqualTo(expected);
    }

    @Test
    void resolveWhenSeveralHeaderValuesThenTreatsThemAsOneList() {
        assertThat(resolver.resolve(peer("10.0.0.5"), List.of("203.0.113.9", "10.0.0.2"))).isEqualTo("203.0.113.9");
        assertThat(resolver.resolve(peer("10.0.0.5"), List.of("1.1.1.1", "203.0.113.9, 10.0.0.3", "10.0.0.2")))
                .isEqualTo("203.0.113.9");
        assertThat(resolver.resolve(peer("10.0.0.5"), List.of("203.0.113.9", "garbage", "10.0.0.2")))
                .isEqualTo("10.0.0.2");
        assertThat(resolver.resolve(peer("10.0.0.5"), List.of("10.0.0.7", "10.0.0.2"))).isEqualTo("10.0.0.7");
    }

    @Test
    void resolveWhenIpv6PeerThenHostAddress() {
        ClientIpResolver noProxies = new ClientIpResolver(List.of());

        assertThat(noProxies.resolve(peer("::1"), List.of())).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(resolver.resolve(peer("::1"), List.of())).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void resolveWhenTrustedProxyIsIpv4MappedPeerThenTrusted() {
        assertThat(resolver.resolve(peer("::ffff:10.0.0.5"), List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    }

    @Test
    void constructorWhenCidrInvalidThenThrows() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ClientIpResolver(List.of("10.0.0.0/8", "proxy.local")))
                .withMessageContaining("proxy.local");
    }

    private static InetSocketAddress peer(String address) {
        return new InetSocketAddress(Cidr.parseAddress(address).orElseThrow(), 54321);
    }
}

package io.s4e.gateway.console;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

class OriginsTests {

    private static final InetSocketAddress PROXY = new InetSocketAddress("10.0.0.7", 40000);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.9", 40000);

    private final Origins origins = new Origins(List.of("10.0.0.0/8"));

    @Test
    void normaliseWhenOriginThenLowerCaseWithoutDefaultPort() {
        assertThat(Origins.normalise("HTTPS://Gateway.Example:443")).isEqualTo("https://gateway.example");
        assertThat(Origins.normalise("http://gateway.example:80")).isEqualTo("http://gateway.example");
        assertThat(Origins.normalise("http://localhost:8080")).isEqualTo("http://localhost:8080");
        assertThat(Origins.normalise("http://[::1]:8080")).isEqualTo("http://[::1]:8080");
    }

    @Test
    void normaliseWhenNotAnOriginThenNull() {
        for (String value : new String[] {"null", "", "ftp://gateway.example", "https://gateway.example/path",
                "https://user@gateway.example", "https://gateway.example?x=1", "gateway.example", "https://"}) {
            assertThat(Origins.normalise(value)).as(value).isNull();
        }
        assertThat(Origins.normalise(null)).isNull();
    }

    @Test
    void expectedWhenDirectRequestThenItsOwnSchemeAndHost() {
        MockServerHttpRequest request = MockServerHttpRequest.post("http://localhost:8080/api/keys")
                .remoteAddress(CLIENT)
                .header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Proto", "https")
                .build();

        assertThat(origins.expectedOf(request)).isEqualTo("http://localhost:8080");
    }

    @Test
    void expectedWhenTrustedProxyThenForwardedProtoHostAndPort() {
        MockServerHttpRequest hostOnly = MockServerHttpRequest.post("http://gateway.internal:8080/api/keys")
                .remoteAddress(PROXY)
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "console.example, other.example")
                .build();
        MockServerHttpRequest withPort = MockServerHttpRequest.post("http://gateway.internal:8080/api/keys")
                .remoteAddress(PROXY)
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "console.example")
                .header("X-Forwarded-Port", "8443")
                .build();
        MockServerHttpRequest protoOnly = MockServerHttpRequest.post("http://console.example:8080/api/keys")
                .remoteAddress(PROXY)
                .header("X-Forwarded-Proto", "https")
                .build();

        assertThat(origins.expectedOf(hostOnly)).isEqualTo("https://console.example");
        assertThat(origins.expectedOf(withPort)).isEqualTo("https://console.example:8443");
        assertThat(origins.expectedOf(protoOnly)).isEqualTo("https://console.example");
    }

    @Test
    void expectedWhenTrustedProxySendsGarbageThenUnknown() {
        MockServerHttpRequest badHost = MockServerHttpRequest.post("http://gateway.internal:8080/api/keys")
                .remoteAddress(PROXY).header("X-Forwarded-Host", "console.example/path").build();
        MockServerHttpRequest badPort = MockServerHttpRequest.post("http://gateway.internal:8080/api/keys")
                .remoteAddress(PROXY).header("X-Forwarded-Port", "99999").build();

        assertThat(origins.expectedOf(badHost)).isNull();
        assertThat(origins.expectedOf(badPort)).isNull();
    }
}

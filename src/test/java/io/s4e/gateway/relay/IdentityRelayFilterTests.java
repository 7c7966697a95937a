package io.s4e.gateway.relay;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.GatewayAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

class IdentityRelayFilterTests {

    @ParameterizedTest
    @ValueSource(strings = {
            "/a",
            "/a?x=1",
            "/a?tokens=1&my_token=2&token_x=3",
            "/a?TOKEN=1",
            "/a?q=%2F%20x&r=caf%C3%A9",
            "/a?x=token",
            "/a?x=1&y=token%3Dabc"
    })
    void withoutTokenParameterWhenNoTokenParameterThenNull(String uri) {
        assertThat(IdentityRelayFilter.withoutTokenParameter(URI.create(uri))).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/a?token=abc                              | /a",
            "/a?token=abc&x=1                          | /a?x=1",
            "/a?x=1&token=abc                          | /a?x=1",
            "/a?x=1&token=abc&y=2                      | /a?x=1&y=2",
            "/a?x=1&token&y=2                          | /a?x=1&y=2",
            "/a?x=1&token=&y=2                         | /a?x=1&y=2",
            "/a?token=a&x=1&token=b                    | /a?x=1",
            "/a?%74oken=abc&x=1                        | /a?x=1",
            "/a?%74%6F%6B%65%6E=abc&x=1                | /a?x=1",
            "/a?x=1%2B2&token=abc&y=%2F%20z&w=caf%C3%A9 | /a?x=1%2B2&y=%2F%20z&w=caf%C3%A9",
            "/a?x=c+d&token=abc&e=&f                   | /a?x=c+d&e=&f",
            "/a%20b/c?token=abc&x=%26                  | /a%20b/c?x=%26",
            "http://h:8080/a?token=abc&x=1             | http://h:8080/a?x=1"
    })
    void withoutTokenParameterWhenTokenParameterThenRemovedAndRestKeptRaw(String uri, String expected) {
        assertThat(IdentityRelayFilter.withoutTokenParameter(URI.create(uri))).hasToString(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "theme=dark; token=abc; lang=en | theme=dark; lang=en",
            "token=abc                      | ''",
            "token=abc; token=def           | ''",
            "  token = abc ;a=1             | a=1",
            "a=b=c; token=x                 | a=b=c",
            "flag; token=x; b=2             | flag; b=2",
            ";; a=1;; ;                     | a=1",
            "tokens=1; my_token=2; Token=3  | tokens=1; my_token=2; Token=3",
            "a=\"quoted\"; token=\"x\"      | a=\"quoted\""
    })
    void cookieHeadersWithoutWhenNamedCookiePresentThenOnlyItRemoved(String header, String expected) {
        assertThat(CookieHeaders.without(List.of(header), "token")).isEqualTo(expected);
    }

    @Test
    void cookieHeadersWithoutWhenSeveralHeadersThenJoinedIntoOne() {
        assertThat(CookieHeaders.without(List.of("a=1; token=x", "b=2", "token=y; c=3"), "token"))
                .isEqualTo("a=1; b=2; c=3");
    }

    @Test
    void filterWhenCredentialsNotForwardedThenCarriersAndSpoofedHeadersRemovedAndIdentityAdded() {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.method(HttpMethod.GET, URI.create("/r?x=1&token=t"))
                        .header("Authorization", "Bearer s4e_live_x")
                        .header("X-API-Key", "s4e_live_x")
                        .header("Cookie", "a=1; token=t")
                        .header("X-S4E-User-Id", "999")
                        .header("x-s4e-anything", "x")
                        .header("X-Other", "kept"));
        exchange.getAttributes().put(GatewayAttributes.PRINCIPAL,
                Principal.ofApiKey(7, "u@example.test", "viewer", "key-0000abcd", Set.of("read:assets")));

        ServerHttpRequest forwarded = forward(new IdentityRelayFilter(new ForwardProperties(false)), exchange);

        assertThat(forwarded.getURI().toString()).isEqualTo("/r?x=1");
        assertThat(forwarded.getHeaders().get("Authorization")).isNull();
        assertThat(forwarded.getHeaders().get("X-API-Key")).isNull();
        assertThat(forwarded.getHeaders().get("Cookie")).containsExactly("a=1");
        assertThat(forwarded.getHeaders().get("X-S4E-User-Id")).containsExactly("7");
        assertThat(forwarded.getHeaders().get("X-S4E-User-Email")).containsExactly("u@example.test");
        assertThat(forwarded.getHeaders().get("X-S4E-User-Role")).containsExactly("viewer");
        assertThat(forwarded.getHeaders().get("X-S4E-Auth-Method")).containsExactly("api_key");
        assertThat(forwarded.getHeaders().get("X-S4E-Key-Id")).containsExactly("key-0000abcd");
        assertThat(forwarded.getHeaders().get("X-S4E-Scopes")).containsExactly("read:assets");
        assertThat(forwarded.getHeaders().get("X-S4E-Anything")).isNull();
        assertThat(forwarded.getHeaders().get("X-Other")).containsExactly("kept");
    }

    @Test
    void filterWhenCredentialsForwardedThenCarriersKeptButSpoofedHeadersStillRemoved() {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.method(HttpMethod.GET, URI.create("/r?x=1&token=t"))
                        .header("Authorization", "Bearer s4e_live_x")
                        .header("X-API-Key", "s4e_live_x")
                        .header("Cookie", "a=1; token=t")
                        .header("X-S4E-User-Id", "999"));

        ServerHttpRequest forwarded = forward(new IdentityRelayFilter(new ForwardProperties(true)), exchange);

        assertThat(forwarded.getURI().toString()).isEqualTo("/r?x=1&token=t");
        assertThat(forwarded.getHeaders().get("Authorization")).containsExactly("Bearer s4e_live_x");
        assertThat(forwarded.getHeaders().get("X-API-Key")).containsExactly("s4e_live_x");
        assertThat(forwarded.getHeaders().get("Cookie")).containsExactly("a=1; token=t");
        assertThat(forwarded.getHeaders().get("X-S4E-User-Id")).isNull();
    }

    private static ServerHttpRequest forward(IdentityRelayFilter filter, MockServerWebExchange exchange) {
        AtomicReference<ServerHttpRequest> forwarded = new AtomicReference<>();
        GatewayFilterChain chain = next -> {
            forwarded.set(next.getRequest());
            return Mono.empty();
        };
        filter.filter(exchange, chain).block();
        return forwarded.get();
    }
}

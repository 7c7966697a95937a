package io.s4e.gateway.relay;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.credential.CredentialExtractor;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.usage.UsageCounters;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayRouteFilter;
import io.s4e.gateway.web.NativeRequestHeaders;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * Prepares the request for the upstream (CONTRACT §4): removes every client-sent {@code X-S4E-*} header, removes the
 * credential carriers unless {@code s4e.forward.credentials} is set, and adds the principal's identity headers.
 */
@Component
public class IdentityRelayFilter extends GatewayRouteFilter {

    /** Prefix of the identity headers the gateway owns. */
    public static final String IDENTITY_PREFIX = "x-s4e-";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final boolean forwardCredentials;
    private final UsageCounters usage;

    @Autowired
    public IdentityRelayFilter(ForwardProperties properties, UsageCounters usage) {
        this.forwardCredentials = properties.credentials();
        this.usage = usage;
    }

    /** A relay that counts no usage. */
    public IdentityRelayFilter(ForwardProperties properties) {
        this(properties, UsageCounters.disabled());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Principal principal = exchange.getAttribute(GatewayAttributes.PRINCIPAL);
        usage.forwarded(principal);
        ServerHttpRequest request = exchange.getRequest();
        URI withoutToken = forwardCredentials ? null : withoutTokenParameter(request.getURI());
        HttpHeaders own = withoutToken == null ? NativeRequestHeaders.writable(request) : null;
        if (own != null) {
            // in place: rebuilding the request would copy every header
            relayHeaders(own, principal);
            return chain.filter(exchange);
        }
        ServerHttpRequest.Builder builder = request.mutate()
                .headers(headers -> relayHeaders(headers, principal));
        if (withoutToken != null) {
            builder.uri(withoutToken);
        }
        return chain.filter(exchange.mutate().request(builder.build()).build());
    }

    private void relayHeaders(HttpHeaders headers, Principal principal) {
        List<String> spoofed = new ArrayList<>();
        for (String name : headers.asMultiValueMap().keySet()) {
            if (name.regionMatches(true, 0, IDENTITY_PREFIX, 0, IDENTITY_PREFIX.length())) {
                spoofed.add(name);
            }
        }
        spoofed.forEach(headers::remove);
        if (!forwardCredentials) {
            removeCredentials(headers);
        }
        if (principal != null) {
            addIdentity(headers, principal);
        }
    }

    private static void removeCredentials(HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "bearer", 0, 6)) {
            headers.remove(HttpHeaders.AUTHORIZATION);
        }
        headers.remove(CredentialExtractor.API_KEY_HEADER);
        List<String> cookies = headers.get(HttpHeaders.COOKIE);
        if (cookies != null && !cookies.isEmpty()) {
            String kept = CookieHeaders.without(cookies, CredentialExtractor.TOKEN);
            if (kept.isEmpty()) {
                headers.remove(HttpHeaders.COOKIE);
            } else {
                headers.set(HttpHeaders.COOKIE, kept);
            }
        }
    }

    private static void addIdentity(HttpHeaders headers, Principal principal) {
        headers.set("X-S4E-User-Id", Long.toString(principal.userId()));
        headers.set("X-S4E-User-Email", percentEncoded(principal.email()));
        headers.set("X-S4E-User-Role", principal.role());
        headers.set("X-S4E-Auth-Method", principal.method().wire());
        if (principal.keyId() != null) {
            headers.set("X-S4E-Key-Id", principal.keyId());
        }
        headers.set("X-S4E-Scopes", principal.scopeHeader());
    }

    /**
     * {@code value} as printable ASCII: the UTF-8 octets of everything but letters, digits, {@code - . _ ~} and
     * {@code @} as {@code %XX} (RFC 3986 percent-encoding, upper-case hex). Always applied, so {@code %} itself is
     * {@code %25} and the upstream decodes every value the same way, whatever it holds; an ordinary ASCII address
     * such as {@code jane.doe@example.com} is unchanged.
     */
    static String percentEncoded(String value) {
        byte[] octets = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(octets.length + 8);
        for (byte octet : octets) {
            int b = octet & 0xFF;
            if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '.'
                    || b == '_' || b == '~' || b == '@') {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    /** The URI without any {@code token} query parameter, or null when it has none. */
    static URI withoutTokenParameter(URI uri) {
        String query = uri.getRawQuery();
        if (query == null || (!query.contains(CredentialExtractor.TOKEN) && query.indexOf('%') < 0)) {
            return null;
        }
        StringBuilder kept = new StringBuilder(query.length());
        boolean removed = false;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = rawName.indexOf('%') < 0 ? rawName : decodeOrKeep(rawName);
            if (name.equals(CredentialExtractor.TOKEN)) {
                removed = true;
                continue;
            }
            if (!kept.isEmpty()) {
                kept.append('&');
            }
            kept.append(pair);
        }
        if (!removed) {
            return null;
        }
        return UriComponentsBuilder.fromUri(uri)
                .replaceQuery(kept.isEmpty() ? null : kept.toString())
                .build(true)
                .toUri();
    }

    private static String decodeOrKeep(String rawName) {
        try {
            return UriUtils.decode(rawName, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException malformed) {
            return rawName;
        }
    }

    @Override
    public int getOrder() {
        return FilterOrder.IDENTITY_RELAY;
    }
}

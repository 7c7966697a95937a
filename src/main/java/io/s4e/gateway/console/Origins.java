package io.s4e.gateway.console;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

import io.s4e.gateway.web.Cidr;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Web origins ({@code scheme://host[:port]}): parsing into one normal form, and the origin a request was addressed
 * to. Behind a trusted proxy ({@code s4e.trusted-proxies}) that origin is the one the proxy was reached at, from the
 * first value of {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} and {@code X-Forwarded-Port}; from any other
 * peer those headers are ignored and the request's own scheme and {@code Host} decide.
 */
public final class Origins {

    private final List<Cidr> trustedProxies;

    /** Origins of requests, believing forwarded headers only from {@code trustedProxyCidrs}. */
    public Origins(List<String> trustedProxyCidrs) {
        this.trustedProxies = trustedProxyCidrs.stream().map(Cidr::parse).toList();
    }

    /**
     * The normal form of an origin: lower-case scheme and host, the port only when it is not the scheme's default.
     *
     * @return the origin; null when {@code value} is not an http(s) origin (a path, query, user info or fragment
     *         included, or the opaque {@code null} origin)
     */
    public static String normalise(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(value);
        }
        catch (URISyntaxException invalid) {
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            return null;
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
            return null;
        }
        return of(scheme, uri.getHost(), uri.getPort());
    }

    private static String of(String scheme, String host, int port) {
        String origin = scheme + "://" + host.toLowerCase(Locale.ROOT);
        boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80)
                || ("https".equals(scheme) && port == 443);
        return defaultPort ? origin : origin + ":" + port;
    }

    /**
     * The origin {@code request} was addressed to.
     *
     * @return the origin; null when it cannot be told (then no browser origin can match it)
     */
    public String expectedOf(ServerHttpRequest request) {
        URI uri = request.getURI();
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        int port = uri.getPort();
        if (isFromTrustedProxy(request.getRemoteAddress())) {
            HttpHeaders headers = request.getHeaders();
            String forwardedProto = first(headers, "X-Forwarded-Proto");
            String forwardedHost = first(headers, "X-Forwarded-Host");
            String forwardedPort = first(headers, "X-Forwarded-Port");
            if (forwardedProto != null) {
                scheme = forwardedProto.toLowerCase(Locale.ROOT);
            }
            if (forwardedHost != null) {
                String candidate = normalise(scheme + "://" + forwardedHost);
                if (candidate == null) {
                    return null;
                }
                URI parsed = URI.create(candidate);
                host = parsed.getHost();
                port = parsed.getPort();
            }
            if (forwardedPort != null && (forwardedHost == null || !forwardedHost.contains(":")
                    || forwardedHost.endsWith("]"))) {
                port = parsePort(forwardedPort);
            }
            else if (forwardedProto != null && forwardedHost == null && forwardedPort == null) {
                port = -1;
            }
        }
        if (host == null || port < -1) {
            return null;
        }
        return normalise(of(scheme, host, port));
    }

    private boolean isFromTrustedProxy(InetSocketAddress peer) {
        if (trustedProxies.isEmpty() || peer == null || peer.getAddress() == null) {
            return false;
        }
        return trustedProxies.stream().anyMatch(cidr -> cidr.contains(peer.getAddress()));
    }

    private static String first(HttpHeaders headers, String name) {
        String value = headers.getFirst(name);
        if (value == null) {
            return null;
        }
        int comma = value.indexOf(',');
        String first = (comma < 0 ? value : value.substring(0, comma)).strip();
        return first.isEmpty() ? null : first;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            return port > 0 && port < 65536 ? port : -2;
        }
        catch (NumberFormatException invalid) {
            return -2;
        }
    }
}

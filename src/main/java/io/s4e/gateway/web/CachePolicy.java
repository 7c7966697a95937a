package io.s4e.gateway.web;

import java.util.List;

import org.springframework.http.HttpHeaders;

/**
 * The cache policy of every response (docs/request-paths.md, SECURITY-CHECKLIST §6), decided with two header writes
 * and no Reactor operator:
 * <ul>
 * <li>everything the gateway answers itself (login, refresh, keys, MFA, users, audit, errors) is
 * {@code Cache-Control: no-store}: set on every response when the request arrives
 * ({@link RequestIdHandlerDecorator}); the console's files replace it with {@code no-cache}
 * ({@link io.s4e.gateway.console.ConsoleHeaders});</li>
 * <li>a forwarded response drops that default when the upstream's headers arrive ({@link #forwarded}): it keeps the
 * upstream's own {@code Cache-Control}; without one, an authenticated response becomes {@code Cache-Control: private}
 * with {@code Vary: Authorization, Cookie} merged into the upstream's {@code Vary}; an anonymous one is left as the
 * upstream sent it.</li>
 * </ul>
 */
public final class CachePolicy {

    /** The {@code Cache-Control} of gateway-owned responses. */
    public static final String NO_STORE = "no-store";
    /** The {@code Cache-Control} of an authenticated forwarded response without its own. */
    public static final String PRIVATE = "private";

    private static final String AUTHORIZATION = "Authorization";
    private static final String COOKIE = "Cookie";
    private static final String VARY_CREDENTIALS = AUTHORIZATION + ", " + COOKIE;

    private CachePolicy() {
    }

    /** The default of every response, set when the request arrives: what the gateway answers itself is not stored. */
    public static void gatewayOwned(HttpHeaders response) {
        response.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
    }

    /**
     * The policy of a forwarded response.
     *
     * @param upstream      the upstream's headers as they will be added to the response (changed in place)
     * @param response      the response's headers, holding the gateway-owned default
     * @param authenticated whether a principal was resolved for the request
     */
    public static void forwarded(HttpHeaders upstream, HttpHeaders response, boolean authenticated) {
        response.remove(HttpHeaders.CACHE_CONTROL);
        if (!authenticated || upstream.containsHeader(HttpHeaders.CACHE_CONTROL)) {
            return;
        }
        upstream.set(HttpHeaders.CACHE_CONTROL, PRIVATE);
        List<String> vary = upstream.get(HttpHeaders.VARY);
        if (vary == null || vary.isEmpty()) {
            upstream.set(HttpHeaders.VARY, VARY_CREDENTIALS);
            return;
        }
        boolean authorization = false;
        boolean cookie = false;
        for (String value : vary) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (name.equals("*")) {
                    return;
                }
                authorization |= name.equalsIgnoreCase(AUTHORIZATION);
                cookie |= name.equalsIgnoreCase(COOKIE);
            }
        }
        if (authorization && cookie) {
            return;
        }
        StringBuilder merged = new StringBuilder(String.join(", ", vary));
        if (!authorization) {
            merged.append(", ").append(AUTHORIZATION);
        }
        if (!cookie) {
            merged.append(", ").append(COOKIE);
        }
        upstream.set(HttpHeaders.VARY, merged.toString());
    }
}

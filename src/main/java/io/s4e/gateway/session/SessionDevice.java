package io.s4e.gateway.session;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Where a session was signed in from, as the session list shows it (CONTRACT §10): the client IP the gateway believes
 * (CONTRACT §4) and the {@code User-Agent}, cut to {@value #MAX_USER_AGENT} characters. Requests under
 * {@code /api/user/auth/} (login, MFA step, refresh, and any later sign-in endpoint there) carry it in their Reactor
 * context, put there by {@link Filter}, so {@link SessionStore#create} stores it with every session issued, whatever
 * code path issued it.
 *
 * @param clientIp  the client IP, or null
 * @param userAgent the user agent, or null
 */
public record SessionDevice(String clientIp, String userAgent) {

    /** The longest user agent kept. */
    static final int MAX_USER_AGENT = 256;

    /** The device of {@code exchange}. */
    static SessionDevice of(ServerWebExchange exchange, ClientIps clientIps) {
        String agent = exchange.getRequest().getHeaders().getFirst(HttpHeaders.USER_AGENT);
        if (agent != null) {
            agent = agent.strip();
            if (agent.length() > MAX_USER_AGENT) {
                agent = agent.substring(0, MAX_USER_AGENT);
            }
            if (agent.isEmpty()) {
                agent = null;
            }
        }
        return new SessionDevice(clientIps.of(exchange), agent);
    }

    /** Puts the {@link SessionDevice} of sign-in requests into their Reactor context. */
    @Component
    static class Filter extends GatewayWebFilter {

        private static final String SIGN_IN_PATHS = "/api/user/auth/";

        private final ClientIps clientIps;

        Filter(ClientIps clientIps) {
            this.clientIps = clientIps;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            if (!exchange.getRequest().getPath().value().startsWith(SIGN_IN_PATHS)) {
                return chain.filter(exchange);
            }
            SessionDevice device = of(exchange, clientIps);
            return chain.filter(exchange).contextWrite(context -> context.put(SessionDevice.class, device));
        }

        @Override
        public int getOrder() {
            return FilterOrder.SESSION_DEVICE;
        }
    }
}

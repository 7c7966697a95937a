package io.s4e.gateway.web;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/** The client IP of an exchange (CONTRACT §4), resolved once per exchange. */
@Component
public class ClientIps {

    private final ClientIpResolver resolver;

    public ClientIps(NetworkProperties properties) {
        this.resolver = new ClientIpResolver(properties.trustedProxies());
    }

    /** The client IP of {@code exchange}: the socket peer, or the hop before the first trusted proxy. */
    public String of(ServerWebExchange exchange) {
        String cached = exchange.getAttribute(GatewayAttributes.CLIENT_IP);
        if (cached != null) {
            return cached;
        }
        String ip = resolver.resolve(exchange.getRequest().getRemoteAddress(),
                exchange.getRequest().getHeaders().get("X-Forwarded-For"));
        exchange.getAttributes().put(GatewayAttributes.CLIENT_IP, ip);
        return ip;
    }
}

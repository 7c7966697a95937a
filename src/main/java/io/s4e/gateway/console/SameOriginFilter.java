package io.s4e.gateway.console;

import java.util.HashSet;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.credential.Carrier;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayWebFilter;
import io.s4e.gateway.web.NetworkProperties;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Refuses, with 403 {@code forbidden}, a state-changing request authenticated by the session cookie that a browser
 * sent from another origin ({@link SameOriginPolicy}), on every path: gateway-owned endpoints and forwarded routes
 * alike. It runs right after the credential is read and before anything resolves it.
 */
@Component
public class SameOriginFilter extends GatewayWebFilter {

    private final SameOriginPolicy policy;
    private final Origins origins;

    public SameOriginFilter(ConsoleProperties console, NetworkProperties network) {
        this.policy = new SameOriginPolicy(new HashSet<>(console.trustedOrigins()));
        this.origins = new Origins(network.trustedProxies());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Carrier carrier = AuthenticationFilter.authenticationOf(exchange).credential()
                .map(Credential::carrier)
                .orElse(null);
        if (carrier != Carrier.COOKIE) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        String secFetchSite = headers.getFirst("Sec-Fetch-Site");
        String origin = headers.getFirst(HttpHeaders.ORIGIN);
        String expected = origin == null ? null : origins.expectedOf(request);
        if (policy.allows(request.getMethod(), carrier, secFetchSite, origin, expected)) {
            return chain.filter(exchange);
        }
        return Mono.error(Errors.forbidden("A request that changes state with the session cookie must come from "
                + "the gateway's own origin."));
    }

    @Override
    public int getOrder() {
        return FilterOrder.SAME_ORIGIN;
    }
}

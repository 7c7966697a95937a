package io.s4e.gateway.web;

import io.s4e.gateway.config.FilterOrder;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Rewrites the request to its canonical path ({@link PathNormalizer}) before any route or endpoint is matched
 * (CONTRACT §2), so that routes, policy and limits are decided on exactly the path the upstream receives. Ambiguous
 * paths (encoded slashes, matrix parameters, double encoding, escaping the root) are refused with
 * {@code 400 invalid_request}.
 */
@Component
public class PathNormalizationFilter extends GatewayWebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String rawPath = exchange.getRequest().getURI().getRawPath();
        String normalized;
        try {
            normalized = PathNormalizer.normalize(rawPath);
        }
        catch (IllegalArgumentException refused) {
            return Mono.error(Errors.invalidRequest(refused.getMessage()));
        }
        if (normalized.equals(rawPath)) {
            return chain.filter(exchange);
        }
        if (rawPath.length() > 1 && rawPath.charAt(rawPath.length() - 1) == '/') {
            exchange.getAttributes().put(GatewayAttributes.TRAILING_SLASH, Boolean.TRUE);
        }
        return chain.filter(exchange.mutate().request(builder -> builder.path(normalized)).build());
    }

    @Override
    public int getOrder() {
        return FilterOrder.PATH_NORMALIZATION;
    }
}

package io.s4e.gateway.relay;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.web.CachePolicy;
import io.s4e.gateway.web.GatewayAttributes;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Applies {@link CachePolicy#forwarded} to the upstream's answer, in the header copy Spring Cloud Gateway makes anyway
 * when the answer arrives (after {@link RelayHeadersFilter}); the headers are changed in place, nothing is copied.
 */
@Component
public class ForwardedCacheHeaders implements HttpHeadersFilter, Ordered {

    @Override
    public HttpHeaders filter(HttpHeaders upstream, ServerWebExchange exchange) {
        CachePolicy.forwarded(upstream, exchange.getResponse().getHeaders(),
                exchange.getAttribute(GatewayAttributes.PRINCIPAL) != null);
        return upstream;
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.RESPONSE;
    }

    @Override
    public int getOrder() {
        return FilterOrder.FORWARDED_CACHE_HEADERS;
    }
}

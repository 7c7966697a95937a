package io.s4e.gateway.web;

import io.s4e.gateway.config.FilterOrder;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request its {@code X-Request-ID} (CONTRACT §3): on the exchange, on the request to the upstream, on
 * the response (errors included) and in the Reactor context, from which log lines take it.
 */
@Component
public class RequestIdFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String requestId = RequestIds.acceptOrCreate(request.getHeaders().get(RequestIds.HEADER));
        exchange.getAttributes().put(GatewayAttributes.REQUEST_ID, requestId);
        exchange.getResponse().beforeCommit(() -> setResponseHeader(exchange, requestId));
        ServerWebExchange withId = exchange.mutate()
                .request(builder -> builder.headers(headers -> headers.set(RequestIds.HEADER, requestId)))
                .build();
        return chain.filter(withId)
                .contextWrite(Context.of(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, requestId));
    }

    private static Mono<Void> setResponseHeader(ServerWebExchange exchange, String requestId) {
        exchange.getResponse().getHeaders().set(RequestIds.HEADER, requestId);
        return Mono.empty();
    }

    @Override
    public int getOrder() {
        return FilterOrder.REQUEST_ID;
    }
}

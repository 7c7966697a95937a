package io.s4e.gateway.web;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * One step of the gateway's web filters: the checks and decorations every request meets before a handler (path,
 * credential, same origin, refused keys, ...). The steps are not WebFlux filters of their own:
 * {@link GatewayWebFilters} runs all of them, in the order of {@link #getOrder()} (constants in
 * {@code config/FilterOrder}), inside one WebFilter, so a request pays WebFlux's per-filter deferral and checkpoint
 * once instead of once per step. A step reads like a WebFilter: do its work, then {@code chain.filter(exchange)} for
 * the next step, or answer an error.
 */
public abstract class GatewayWebFilter implements Ordered {

    private final String name = getClass().getName();

    /** This step's work; {@code chain} runs the steps after it and then the rest of WebFlux's chain. */
    public abstract Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain);

    @Override
    public String toString() {
        return name;
    }
}

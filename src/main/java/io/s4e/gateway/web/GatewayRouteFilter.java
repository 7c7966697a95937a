package io.s4e.gateway.web;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * One step of what the gateway does to a request after a route matched and before it is sent upstream: route claims,
 * principal (401), rate limits (429), scopes and MFA (403), identity relay, body buffering, the upstream bulkhead.
 * The steps are not Spring Cloud Gateway global filters of their own: {@link GatewayRouteFilters} runs all of them,
 * in the order of {@link #getOrder()} (constants in {@code config/FilterOrder}), as one global filter, so a forwarded
 * request pays the gateway chain's deferral and link once instead of once per step. A step reads like a global
 * filter: do its work, then {@code chain.filter(exchange)} for the next step, or answer an error.
 */
public abstract class GatewayRouteFilter implements Ordered {

    private final String name = getClass().getName();

    /** This step's work; {@code chain} runs the steps after it and then the rest of the route's filters. */
    public abstract Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain);

    @Override
    public String toString() {
        return name;
    }
}

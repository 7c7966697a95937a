package io.s4e.gateway.route;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;

/**
 * Finds the configured route of a request the gateway's own handlers can never answer before anything else looks at
 * it. WebFlux asks its handler mappings in order, and the gateway's endpoints (router functions) come before the
 * configured routes so that they win wherever both could match; without this, every forwarded request was first
 * tried against every endpoint's request predicates and then handed from mapping to mapping. A path within a
 * gateway namespace or the console ({@link GatewayNamespaces#mayBeServedByTheGateway}) is left to the usual order,
 * as is a path no configured route matches (it goes on to the endpoints and the 404), so which handler answers a
 * request does not change; {@code ForwardedRouteMappingIntegrationTests} checks that every endpoint lies within
 * those paths.
 */
@Component
public class ForwardedRouteMapping implements HandlerMapping, Ordered {

    private final RoutePredicateHandlerMapping routes;

    public ForwardedRouteMapping(RoutePredicateHandlerMapping routes) {
        this.routes = routes;
    }

    @Override
    public Mono<Object> getHandler(ServerWebExchange exchange) {
        if (GatewayNamespaces.mayBeServedByTheGateway(exchange.getRequest().getPath().value())) {
            return Mono.empty();
        }
        return routes.getHandler(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}

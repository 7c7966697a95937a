package io.s4e.gateway.route;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.principal.Authentication;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayRouteFilter;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The principal step of a forwarded request (docs/request-paths.md): the matched route's auth mode decides whether
 * the caller is resolved, once, here. {@code required} without a credential, or with a refused one, is answered 401
 * (or 503 when a store cannot be asked) before any limit is counted; {@code optional} resolves a presented credential
 * and goes on without one; {@code none} resolves nothing. The principal is left on the exchange
 * ({@link GatewayAttributes#PRINCIPAL}) for every later step: rate limits, scopes and MFA, the identity relay, the
 * audit log.
 *
 * <p>A cached credential is answered without operators (the one shortcut for already-decided answers,
 * {@link Authentication#readyPrincipalOf}); a lookup still to come continues the chain when it completes.
 */
@Component
public class PrincipalFilter extends GatewayRouteFilter {

    private final RoutePolicyRegistry policies;

    public PrincipalFilter(RoutePolicyRegistry policies) {
        this.policies = policies;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        if (route == null) {
            return Mono.error(Errors.notFound("No route matches this path."));
        }
        RoutePolicy policy = policies.policyFor(route);
        if (policy == null) {
            return Mono.error(Errors.of(ErrorCode.INTERNAL_ERROR, "This route is misconfigured."));
        }
        exchange.getAttributes().put(GatewayAttributes.ROUTE_POLICY, policy);
        if (policy.auth() == RoutePolicy.AuthMode.NONE) {
            return chain.filter(exchange);
        }
        Principal ready = Authentication.readyPrincipalOf(exchange);
        if (ready != null) {
            exchange.getAttributes().put(GatewayAttributes.PRINCIPAL, ready);
            return chain.filter(exchange);
        }
        Authentication authentication = AuthenticationFilter.authenticationOf(exchange);
        Mono<Principal> principal = policy.auth() == RoutePolicy.AuthMode.REQUIRED
                ? authentication.requirePrincipal()
                : authentication.principal();
        return principal
                .doOnNext(p -> exchange.getAttributes().put(GatewayAttributes.PRINCIPAL, p))
                .then(Mono.defer(() -> chain.filter(exchange)));
    }

    @Override
    public int getOrder() {
        return FilterOrder.PRINCIPAL;
    }
}

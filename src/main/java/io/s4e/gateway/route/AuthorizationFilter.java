package io.s4e.gateway.route;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.principal.Authentication;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.GatewayAttributes;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Applies the matched route's policy: resolves the principal when the route needs or accepts one, checks scopes and
 * MFA, and leaves the principal on the exchange for the identity relay.
 */
@Component
public class AuthorizationFilter implements GlobalFilter, Ordered {

    private final RoutePolicyRegistry policies;

    public AuthorizationFilter(RoutePolicyRegistry policies) {
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
        if (policy.auth() == RoutePolicy.AuthMode.NONE) {
            return chain.filter(exchange);
        }
        Principal ready = Authentication.readyPrincipalOf(exchange);
        if (ready != null) {
            // a cached credential: decide now, without operators
            try {
                authorize(ready, policy);
            }
            catch (GatewayException refused) {
                return Mono.error(refused);
            }
            exchange.getAttributes().put(GatewayAttributes.PRINCIPAL, ready);
            return chain.filter(exchange);
        }
        Authentication authentication = AuthenticationFilter.authenticationOf(exchange);
        Mono<Principal> principal = policy.auth() == RoutePolicy.AuthMode.REQUIRED
                ? authentication.requirePrincipal()
                : authentication.principal();
        return principal
                .doOnNext(p -> authorize(p, policy))
                .doOnNext(p -> exchange.getAttributes().put(GatewayAttributes.PRINCIPAL, p))
                .then(Mono.defer(() -> chain.filter(exchange)));
    }

    private static void authorize(Principal principal, RoutePolicy policy) {
        if (!principal.hasScopes(policy.scopes())) {
            throw Errors.forbidden("This credential lacks a scope this route needs: " + String.join(" ", policy.scopes()) + ".");
        }
        if (policy.mfa() && principal.method() == Principal.AuthMethod.SESSION && !principal.mfaPassed()) {
            throw Errors.of(ErrorCode.MFA_REQUIRED, "This route needs a session that passed multi-factor verification.");
        }
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUTHORIZATION;
    }
}

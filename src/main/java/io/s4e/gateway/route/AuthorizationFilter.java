package io.s4e.gateway.route;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayRouteFilter;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The scopes-and-MFA step of a forwarded request (docs/request-paths.md): after the principal step resolved the
 * caller (401 there) and the rate limits counted it, a principal without a scope the route needs is answered 403
 * {@code forbidden}, and a session that did not pass MFA on an {@code s4e-mfa: true} route 403 {@code mfa_required}.
 * Decided in place, without operators.
 */
@Component
public class AuthorizationFilter extends GatewayRouteFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        RoutePolicy policy = exchange.getAttribute(GatewayAttributes.ROUTE_POLICY);
        Principal principal = exchange.getAttribute(GatewayAttributes.PRINCIPAL);
        if (policy == null) {
            return Mono.error(Errors.of(ErrorCode.INTERNAL_ERROR, "This route was not decided by the principal step."));
        }
        if (principal != null) {
            if (!principal.hasScopes(policy.scopes())) {
                return Mono.error(Errors.forbidden("This credential lacks a scope this route needs: "
                        + String.join(" ", policy.scopes()) + "."));
            }
            if (policy.mfa() && principal.method() == Principal.AuthMethod.SESSION && !principal.mfaPassed()) {
                return Mono.error(Errors.of(ErrorCode.MFA_REQUIRED,
                        "This route needs a session that passed multi-factor verification."));
            }
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUTHORIZATION;
    }
}

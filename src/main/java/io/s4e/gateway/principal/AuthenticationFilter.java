package io.s4e.gateway.principal;

import java.util.Optional;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.credential.Carrier;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.credential.CredentialExtractor;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Reads the credential carriers of every request (forwarded or gateway-owned) and attaches an
 * {@link Authentication} whose principal is resolved only when a policy asks for it. A request that used the
 * {@code token} query parameter gets {@code Referrer-Policy: no-referrer} on its response.
 */
@Component
public class AuthenticationFilter extends GatewayWebFilter {

    private final PrincipalResolver resolver;

    public AuthenticationFilter(PrincipalResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Optional<Credential> credential;
        try {
            credential = CredentialExtractor.extract(exchange.getRequest());
        }
        catch (GatewayException refused) {
            return Mono.error(refused);
        }
        if (credential.isEmpty()) {
            exchange.getAttributes().put(GatewayAttributes.AUTHENTICATION, Authentication.anonymous());
            return chain.filter(exchange);
        }
        if (credential.get().carrier() == Carrier.QUERY) {
            exchange.getAttributes().put(GatewayAttributes.QUERY_TOKEN_USED, Boolean.TRUE);
            exchange.getResponse().beforeCommit(() -> noReferrer(exchange));
        }
        exchange.getAttributes().put(GatewayAttributes.AUTHENTICATION, Authentication.of(credential.get(), resolver));
        return chain.filter(exchange);
    }

    private static Mono<Void> noReferrer(ServerWebExchange exchange) {
        exchange.getResponse().getHeaders().set("Referrer-Policy", "no-referrer");
        return Mono.empty();
    }

    /** The authentication of {@code exchange}; anonymous when the filter did not run. */
    public static Authentication authenticationOf(ServerWebExchange exchange) {
        Authentication authentication = exchange.getAttribute(GatewayAttributes.AUTHENTICATION);
        return authentication == null ? Authentication.anonymous() : authentication;
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUTHENTICATION;
    }
}

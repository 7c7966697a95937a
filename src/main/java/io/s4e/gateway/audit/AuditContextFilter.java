package io.s4e.gateway.audit;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Puts the exchange (with its normalised path) and the {@link AuditLog} into the Reactor context of the request, so
 * that {@link Audit}'s recording calls anywhere in its chain know which request an event belongs to.
 */
@Component
public class AuditContextFilter extends GatewayWebFilter {

    private final AuditLog audit;

    public AuditContextFilter(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!audit.enabled()) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange).contextWrite(context -> context.put(Audit.AuditScope.class,
                new Audit.AuditScope(audit, exchange)));
    }

    @Override
    public int getOrder() {
        return FilterOrder.AUDIT_CONTEXT;
    }
}

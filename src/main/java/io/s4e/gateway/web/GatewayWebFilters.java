package io.s4e.gateway.web;

import java.util.ArrayList;
import java.util.List;

import io.s4e.gateway.config.FilterOrder;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The gateway's web filter steps ({@link GatewayWebFilter}) as one WebFilter, ordered first. WebFlux wraps every
 * filter it chains in a deferred Mono and a checkpoint, which every signal of the request then passes through; the
 * steps here call each other directly through links made once (WebFlux hands this filter the same rest-of-chain
 * object on every request), so a forwarded request pays that wrapping once instead of nine times.
 * A step that throws instead of returning an error is turned into an error, as WebFlux's deferral did.
 */
@Component
public class GatewayWebFilters implements WebFilter, Ordered {

    private final GatewayWebFilter[] steps;

    /** The links for the last rest-of-chain seen: WebFlux builds its chain once, so this is made once. */
    private volatile Links links;

    public GatewayWebFilters(List<GatewayWebFilter> steps) {
        List<GatewayWebFilter> ordered = new ArrayList<>(steps);
        AnnotationAwareOrderComparator.sort(ordered);
        this.steps = ordered.toArray(GatewayWebFilter[]::new);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Links current = links;
        if (current == null || current.rest != chain) {
            current = new Links(chain, link(0, chain));
            links = current;
        }
        return current.first.filter(exchange);
    }

    /** The steps, in order, for the gateway's documentation and tests. */
    public List<GatewayWebFilter> steps() {
        return List.of(steps);
    }

    private WebFilterChain link(int index, WebFilterChain rest) {
        if (index == steps.length) {
            return rest;
        }
        GatewayWebFilter step = steps[index];
        WebFilterChain next = link(index + 1, rest);
        return exchange -> {
            try {
                return step.filter(exchange, next);
            }
            catch (Throwable failure) {
                Exceptions.throwIfJvmFatal(failure);
                return Mono.error(failure);
            }
        };
    }

    @Override
    public int getOrder() {
        return steps.length == 0 ? FilterOrder.PATH_NORMALIZATION : steps[0].getOrder();
    }

    @Override
    public String toString() {
        return "GatewayWebFilters";
    }

    private record Links(WebFilterChain rest, WebFilterChain first) {
    }
}

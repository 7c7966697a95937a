package io.s4e.gateway.web;

import java.util.ArrayList;
import java.util.List;

import io.s4e.gateway.config.FilterOrder;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The gateway's route steps ({@link GatewayRouteFilter}) as one Spring Cloud Gateway global filter, at the first
 * step's order. Spring Cloud Gateway defers every filter of a route and makes a new chain link for it on each request;
 * the steps here call each other directly, so a forwarded request pays that once instead of seven times. Spring Cloud
 * Gateway's own global filters order outside the steps' range (before {@code -300}, from the response writer's
 * {@code -1} on), so running the steps together keeps every filter's place. The constructor refuses a step ordered
 * at or after the response writer: a step that must wrap the writer, as {@code relay/UpstreamConnectionFilter} does,
 * stays a global filter of its own.
 * A step that throws instead of returning an error is turned into an error, as the gateway chain's deferral did.
 */
@Component
public class GatewayRouteFilters implements GlobalFilter, Ordered {

    private final GatewayRouteFilter[] steps;

    public GatewayRouteFilters(List<GatewayRouteFilter> steps) {
        List<GatewayRouteFilter> ordered = new ArrayList<>(steps);
        AnnotationAwareOrderComparator.sort(ordered);
        for (GatewayRouteFilter step : ordered) {
            if (step.getOrder() >= NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER) {
                throw new IllegalStateException(step + " orders after the response writer; make it a global filter "
                        + "of its own");
            }
        }
        this.steps = ordered.toArray(GatewayRouteFilter[]::new);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return run(0, exchange, chain);
    }

    /** The steps, in order, for the gateway's documentation and tests. */
    public List<GatewayRouteFilter> steps() {
        return List.of(steps);
    }

    private Mono<Void> run(int index, ServerWebExchange exchange, GatewayFilterChain rest) {
        if (index == steps.length) {
            return rest.filter(exchange);
        }
        try {
            return steps[index].filter(exchange, new Link(this, index + 1, rest));
        }
        catch (Throwable failure) {
            Exceptions.throwIfJvmFatal(failure);
            return Mono.error(failure);
        }
    }

    @Override
    public int getOrder() {
        return steps.length == 0 ? FilterOrder.ROUTE_CLAIMS : steps[0].getOrder();
    }

    @Override
    public String toString() {
        return "GatewayRouteFilters";
    }

    /** The rest of the chain from one step on; Spring Cloud Gateway hands a new rest per request, so this is too. */
    private record Link(GatewayRouteFilters filters, int index, GatewayFilterChain rest) implements GatewayFilterChain {

        @Override
        public Mono<Void> filter(ServerWebExchange exchange) {
            return filters.run(index, exchange, rest);
        }
    }
}

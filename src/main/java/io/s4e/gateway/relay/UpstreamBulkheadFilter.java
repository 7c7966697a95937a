package io.s4e.gateway.relay;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.connection.ConnectionProperties;
import io.s4e.gateway.route.RoutePolicy;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.GatewayRouteFilter;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Holds a permit of the route's {@link UpstreamBulkheads bulkhead} while a forwarded request is with the upstream,
 * from sending until the response body has been written to the client; when none is free, answers 503
 * {@code upstream_busy} with {@code Retry-After} at once and sends nothing upstream. It runs after authentication,
 * limits and authorization, so a refused request never takes a permit. The permit is given back exactly once,
 * whether the exchange completes, fails or is cancelled (a client gone, a deadline passed).
 */
@Component
public class UpstreamBulkheadFilter extends GatewayRouteFilter {

    private final UpstreamBulkheads bulkheads;
    private final int retryAfterSeconds;

    public UpstreamBulkheadFilter(UpstreamBulkheads bulkheads, ConnectionProperties properties) {
        this.bulkheads = bulkheads;
        this.retryAfterSeconds = (int) Math.max(1, (properties.upstreamBusyRetryAfter().toMillis() + 999) / 1000);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        RoutePolicy policy = exchange.getAttribute(GatewayAttributes.ROUTE_POLICY);
        if (route == null || policy == null) {
            return chain.filter(exchange); // the principal step refused it already (404 or 500)
        }
        UpstreamBulkheads.Limited limited = bulkheads.of(route, policy);
        Bulkhead bulkhead = limited.bulkhead();
        if (!bulkhead.tryAcquirePermission()) {
            limited.rejected().increment();
            return Mono.error(busy());
        }
        AtomicBoolean released = new AtomicBoolean();
        // given back before the outcome travels on, so a client that has its answer finds the permit free
        return chain.filter(exchange)
                .doOnTerminate(() -> release(bulkhead, released))
                .doOnCancel(() -> release(bulkhead, released));
    }

    private static void release(Bulkhead bulkhead, AtomicBoolean released) {
        if (released.compareAndSet(false, true)) {
            bulkhead.onComplete();
        }
    }

    private GatewayException busy() {
        return Errors.upstreamBusy(retryAfterSeconds);
    }

    @Override
    public int getOrder() {
        return FilterOrder.UPSTREAM_BULKHEAD;
    }
}

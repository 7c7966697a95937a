package io.s4e.gateway.relay;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.connection.ConnectionProperties;
import io.s4e.gateway.route.RoutePolicy;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.stereotype.Component;

/**
 * One bulkhead per route (CONTRACT §13): at most {@code s4e-max-upstream-concurrent} requests (route metadata, read
 * into the route's {@link RoutePolicy} and checked when routes load; default
 * {@code s4e.server.max-upstream-concurrent}) in flight to the route's upstream on this replica, and none waiting: a
 * semaphore bulkhead with no wait, so a full one answers at once. A route keeps its bulkhead across route refreshes
 * while its limit is unchanged.
 * <p>
 * Meters: {@code s4e.upstream.bulkhead.rejected{route}} and {@code s4e.upstream.bulkhead.in_flight{route}}.
 */
@Component
public class UpstreamBulkheads {

    private final MeterRegistry meters;
    private final int defaultLimit;
    private final Map<String, Limited> byRouteId = new ConcurrentHashMap<>();

    public UpstreamBulkheads(MeterRegistry meters, ConnectionProperties properties) {
        this.meters = meters;
        this.defaultLimit = properties.maxUpstreamConcurrent();
    }

    /** A route's bulkhead with its rejection counter, and the loaded route it was last looked up for. */
    record Limited(Route route, Bulkhead bulkhead, Counter rejected, int limit) {
    }

    /** The bulkhead of {@code route}, whose policy is {@code policy}, created on first use. */
    Limited of(Route route, RoutePolicy policy) {
        Limited known = byRouteId.get(route.getId());
        if (known != null && known.route() == route) {
            return known;
        }
        int limit = limitOf(policy, defaultLimit);
        return byRouteId.compute(route.getId(), (id, current) -> current != null && current.limit() == limit
                ? new Limited(route, current.bulkhead(), current.rejected(), limit)
                : create(route, limit));
    }

    private Limited create(Route route, int limit) {
        String routeId = route.getId();
        Bulkhead bulkhead = Bulkhead.of("upstream-" + routeId, BulkheadConfig.custom()
                .maxConcurrentCalls(limit)
                .maxWaitDuration(Duration.ZERO)
                .build());
        Counter rejected = Counter.builder("s4e.upstream.bulkhead.rejected")
                .description("Forwarded requests answered 503 upstream_busy because the route's bulkhead was full")
                .tag("route", routeId)
                .register(meters);
        Gauge.builder("s4e.upstream.bulkhead.in_flight", bulkhead,
                        b -> b.getBulkheadConfig().getMaxConcurrentCalls() - b.getMetrics().getAvailableConcurrentCalls())
                .description("Forwarded requests in flight to the route's upstream")
                .tag("route", routeId)
                .register(meters);
        return new Limited(route, bulkhead, rejected, limit);
    }

    /** The bulkhead limit of a route with {@code policy}: its own, or {@code fallback} when it sets none. */
    static int limitOf(RoutePolicy policy, int fallback) {
        Integer own = policy.maxUpstreamConcurrent();
        return own == null ? fallback : own;
    }
}

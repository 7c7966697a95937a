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

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.stereotype.Component;

/**
 * One bulkhead per route (CONTRACT §13): at most {@code s4e-max-upstream-concurrent} requests (route metadata;
 * default {@code s4e.server.max-upstream-concurrent}) in flight to the route's upstream on this replica, and none
 * waiting: a semaphore bulkhead with no wait, so a full one answers at once. The metadata is checked when routes
 * load; a route keeps its bulkhead across route refreshes while its limit is unchanged.
 * <p>
 * Meters: {@code s4e.upstream.bulkhead.rejected{route}} and {@code s4e.upstream.bulkhead.in_flight{route}}.
 */
@Component
public class UpstreamBulkheads implements SmartInitializingSingleton {

    /** Route metadata key of the limit. */
    public static final String METADATA = "s4e-max-upstream-concurrent";

    private final RouteDefinitionLocator definitions;
    private final MeterRegistry meters;
    private final int defaultLimit;
    private final Map<String, Limited> byRouteId = new ConcurrentHashMap<>();

    public UpstreamBulkheads(RouteDefinitionLocator definitions, MeterRegistry meters,
                             ConnectionProperties properties) {
        this.definitions = definitions;
        this.meters = meters;
        this.defaultLimit = properties.maxUpstreamConcurrent();
    }

    /** A route's bulkhead with its rejection counter, and the loaded route it was last looked up for. */
    record Limited(Route route, Bulkhead bulkhead, Counter rejected, int limit) {
    }

    /** Stops a gateway whose route names an invalid limit, with a message naming the route. */
    @Override
    public void afterSingletonsInstantiated() {
        definitions.getRouteDefinitions()
                .toStream()
                .forEach(this::validate);
    }

    private void validate(RouteDefinition definition) {
        try {
            limitOf(definition.getMetadata(), defaultLimit);
        }
        catch (IllegalArgumentException invalid) {
            throw new IllegalStateException("Route '" + definition.getId() + "' has invalid metadata: "
                    + invalid.getMessage(), invalid);
        }
    }

    /**
     * The bulkhead of {@code route}, created on first use.
     *
     * @throws IllegalArgumentException when the route's limit became invalid after a refresh
     */
    Limited of(Route route) {
        Limited known = byRouteId.get(route.getId());
        if (known != null && known.route() == route) {
            return known;
        }
        int limit = limitOf(route.getMetadata(), defaultLimit);
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

    /**
     * The limit of a route's metadata.
     *
     * @throws IllegalArgumentException naming the key and value when it is not a whole number of at least 1
     */
    static int limitOf(Map<String, Object> metadata, int fallback) {
        Object value = metadata == null ? null : metadata.get(METADATA);
        if (value == null) {
            return fallback;
        }
        try {
            int limit = value instanceof Number number ? Math.toIntExact(number.longValue())
                    : Integer.parseInt(value.toString().trim());
            if (limit >= 1) {
                return limit;
            }
        }
        catch (NumberFormatException | ArithmeticException invalid) {
            // reported below
        }
        throw new IllegalArgumentException(METADATA + " must be a whole number of at least 1, not '" + value + "'");
    }
}

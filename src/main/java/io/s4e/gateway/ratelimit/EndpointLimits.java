package io.s4e.gateway.ratelimit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.s4e.gateway.route.RouteMetadataCheck;
import io.s4e.gateway.web.PathNormalizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.context.event.EventListener;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The per-endpoint limits of a request: the route's metadata ({@code s4e-rate-limit}, {@code s4e-max-concurrent}),
 * and for what the route leaves unset, the configured endpoint of the request's method and path
 * ({@code s4e.rate-limits.endpoints}, by default those of CONTRACT §7). Metadata is validated when the gateway
 * starts (invalid metadata stops it with a message naming the route) and parsed once per loaded route.
 * <p>
 * A configured endpoint is matched on the request's canonical path ({@link PathNormalizer}: escapes of unreserved
 * characters decoded, dot segments, duplicate and trailing slashes removed), ignoring letter case: every spelling
 * of {@code POST /api/scan/create} that reaches the upstream shares its limit (docs/request-paths.md).
 */
@Component
public class EndpointLimits implements SmartInitializingSingleton, RouteMetadataCheck {

    private static final Logger log = LoggerFactory.getLogger(EndpointLimits.class);

    private final RouteDefinitionLocator definitions;
    private final List<Configured> configured;
    private final Map<String, Parsed> byRouteId = new ConcurrentHashMap<>();

    private record Parsed(Route route, EndpointLimit limit) {
    }

    /** A configured endpoint: its method, its canonical path and its limits. */
    private record Configured(String method, String path, EndpointLimit limit) {

        boolean matches(String requestMethod, String requestPath) {
            return method.equals(requestMethod) && path.equalsIgnoreCase(requestPath);
        }
    }

    public EndpointLimits(RouteDefinitionLocator definitions, RateLimitProperties properties) {
        this.definitions = definitions;
        this.configured = properties.endpoints().stream().map(EndpointLimits::configured).toList();
    }

    private static Configured configured(RateLimitProperties.Endpoint endpoint) {
        String method = endpoint.method().toUpperCase(Locale.ROOT);
        String path = PathNormalizer.normalize(endpoint.path());
        String id = method + " " + path;
        return new Configured(method, path, new EndpointLimit(id,
                endpoint.limit() == null ? null : Rate.parse(endpoint.limit()), endpoint.maxConcurrent()));
    }

    /** Validates every configured route's rate-limit metadata at start; throws to stop a misconfigured gateway. */
    @Override
    public void afterSingletonsInstantiated() {
        definitions.getRouteDefinitions().toStream().forEach(EndpointLimits::validate);
    }

    private static void validate(RouteDefinition definition) {
        try {
            EndpointLimit.parse(definition.getId(), definition.getMetadata());
        }
        catch (IllegalArgumentException invalid) {
            throw new IllegalStateException("Route '" + definition.getId() + "' has invalid metadata: "
                    + invalid.getMessage(), invalid);
        }
    }

    /** Checks {@code s4e-rate-limit} and {@code s4e-max-concurrent}. */
    @Override
    public void check(String routeId, Map<String, Object> metadata) {
        EndpointLimit.parse(routeId, metadata);
    }

    /** Drops the parsed limits when routes were reloaded. */
    @EventListener
    public void onRoutesRefreshed(RefreshRoutesResultEvent event) {
        byRouteId.clear();
    }

    /**
     * The limits of {@code request} on {@code route}.
     *
     * @return the limits, {@link EndpointLimit#NONE} when none applies; null when the route's metadata became
     *         invalid after a refresh (the route is closed by its policy as well)
     */
    public EndpointLimit of(Route route, ServerHttpRequest request) {
        EndpointLimit fromRoute = forRoute(route);
        if (fromRoute == null) {
            return null;
        }
        if (configured.isEmpty() || (fromRoute.rate() != null && fromRoute.maxConcurrent() != null)) {
            return fromRoute;
        }
        EndpointLimit fromConfig = configuredFor(request.getMethod().name(), request.getPath().value());
        if (fromConfig == null) {
            return fromRoute;
        }
        if (fromRoute.isNone()) {
            return fromConfig;
        }
        return new EndpointLimit(fromRoute.id(),
                fromRoute.rate() != null ? fromRoute.rate() : fromConfig.rate(),
                fromRoute.maxConcurrent() != null ? fromRoute.maxConcurrent() : fromConfig.maxConcurrent());
    }

    /** The configured endpoint limits of a method and canonical path, or null; no allocation per request. */
    private EndpointLimit configuredFor(String method, String path) {
        for (int i = 0; i < configured.size(); i++) {
            Configured endpoint = configured.get(i);
            if (endpoint.matches(method, path)) {
                return endpoint.limit();
            }
        }
        return null;
    }

    private EndpointLimit forRoute(Route route) {
        Parsed parsed = byRouteId.get(route.getId());
        if (parsed != null && parsed.route() == route) {
            return parsed.limit();
        }
        EndpointLimit limit;
        try {
            limit = EndpointLimit.parse(route.getId(), route.getMetadata());
        }
        catch (IllegalArgumentException invalid) {
            log.error("Route '{}' has invalid rate-limit metadata: {}", route.getId(), invalid.getMessage());
            limit = null;
        }
        byRouteId.put(route.getId(), new Parsed(route, limit));
        return limit;
    }
}

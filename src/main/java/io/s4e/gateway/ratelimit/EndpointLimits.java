package io.s4e.gateway.ratelimit;

import java.util.List;
import java.util.Locale;

import io.s4e.gateway.route.EndpointLimit;
import io.s4e.gateway.route.Rate;
import io.s4e.gateway.route.RoutePolicy;
import io.s4e.gateway.web.PathNormalizer;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The per-endpoint limits of a request: the route's own ({@code s4e-rate-limit}, {@code s4e-max-concurrent}, parsed
 * with the rest of its rules in {@link RoutePolicy}), and for what the route leaves unset, the configured endpoint of
 * the request's method and path ({@code s4e.rate-limits.endpoints}, by default those of CONTRACT §7).
 * <p>
 * A configured endpoint is matched on the request's canonical path ({@link PathNormalizer}: escapes of unreserved
 * characters decoded, dot segments, duplicate and trailing slashes removed), ignoring letter case: every spelling
 * of {@code POST /api/scan/create} that reaches the upstream shares its limit (docs/request-paths.md).
 */
@Component
public class EndpointLimits {

    private final List<Configured> configured;

    /** A configured endpoint: its method, its canonical path and its limits. */
    private record Configured(String method, String path, EndpointLimit limit) {

        boolean matches(String requestMethod, String requestPath) {
            return method.equals(requestMethod) && path.equalsIgnoreCase(requestPath);
        }
    }

    public EndpointLimits(RateLimitProperties properties) {
        this.configured = properties.endpoints().stream().map(EndpointLimits::configured).toList();
    }

    private static Configured configured(RateLimitProperties.Endpoint endpoint) {
        String method = endpoint.method().toUpperCase(Locale.ROOT);
        String path = PathNormalizer.normalize(endpoint.path());
        String id = method + " " + path;
        return new Configured(method, path, new EndpointLimit(id,
                endpoint.limit() == null ? null : Rate.parse(endpoint.limit()), endpoint.maxConcurrent()));
    }

    /**
     * The limits of {@code request} on a route with {@code policy}.
     *
     * @return the limits, {@link EndpointLimit#NONE} when none applies
     */
    public EndpointLimit of(RoutePolicy policy, ServerHttpRequest request) {
        EndpointLimit fromRoute = policy.limit();
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
}

package io.s4e.gateway.route;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The parsed rules of every route (auth mode, scopes, MFA, rate and concurrency limits, upstream bulkhead:
 * {@link RoutePolicy}), the one place route metadata is read. Policies are parsed when routes load (at start, where
 * invalid metadata stops the gateway with a message naming the route, and on every refresh), never per request.
 */
@Component
public class RoutePolicyRegistry implements SmartInitializingSingleton, RouteMetadataCheck {

    private static final Logger log = LoggerFactory.getLogger(RoutePolicyRegistry.class);

    private final RouteDefinitionLocator definitions;
    private final Map<String, Parsed> byRouteId = new ConcurrentHashMap<>();

    public RoutePolicyRegistry(RouteDefinitionLocator definitions) {
        this.definitions = definitions;
    }

    private record Parsed(Route route, RoutePolicy policy) {
    }

    /** Validates every configured route's metadata at start; throws to stop a misconfigured gateway. */
    @Override
    public void afterSingletonsInstantiated() {
        definitions.getRouteDefinitions()
                .toStream()
                .forEach(this::validate);
    }

    private void validate(RouteDefinition definition) {
        try {
            RoutePolicy.parse(definition.getId(), definition.getMetadata());
        }
        catch (IllegalArgumentException invalid) {
            throw new IllegalStateException("Route '" + definition.getId() + "' has invalid metadata: "
                    + invalid.getMessage(), invalid);
        }
    }

    /**
     * Checks every rule: {@code s4e-auth}, {@code s4e-scopes}, {@code s4e-mfa}, {@code s4e-rate-limit},
     * {@code s4e-max-concurrent}, {@code s4e-max-upstream-concurrent}.
     */
    @Override
    public void check(String routeId, Map<String, Object> metadata) {
        RoutePolicy.parse(routeId, metadata);
    }

    /** Drops the parsed policies when routes were reloaded; they are parsed again on first use. */
    @EventListener
    public void onRoutesRefreshed(RefreshRoutesResultEvent event) {
        byRouteId.clear();
    }

    /**
     * The policy of {@code route}, parsed once per loaded route.
     *
     * @return the policy, or {@code null} when the route's metadata became invalid after a refresh: the route is
     *         then closed and every request to it is refused
     */
    public RoutePolicy policyFor(Route route) {
        Parsed parsed = byRouteId.get(route.getId());
        if (parsed != null && parsed.route() == route) {
            return parsed.policy();
        }
        Parsed fresh = new Parsed(route, parseOrClose(route));
        byRouteId.put(route.getId(), fresh);
        return fresh.policy();
    }

    private static RoutePolicy parseOrClose(Route route) {
        try {
            return RoutePolicy.parse(route.getId(), route.getMetadata());
        }
        catch (IllegalArgumentException invalid) {
            log.error("Route '{}' has invalid metadata and is closed: {}", route.getId(), invalid.getMessage());
            return null;
        }
    }
}

package io.s4e.gateway.route;

import java.util.Map;

/**
 * A feature that reads route metadata checks a route's metadata before the route is loaded (at start and when the
 * routes file is reloaded), so that an invalid value refuses the whole change instead of closing one route.
 */
public interface RouteMetadataCheck {

    /**
     * Checks the metadata of route {@code routeId}.
     *
     * @throws IllegalArgumentException naming the key and value that are not understood
     */
    void check(String routeId, Map<String, Object> metadata);
}

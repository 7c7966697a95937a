package io.s4e.gateway.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.s4e.gateway.principal.Scopes;

/**
 * The security policy of one route, parsed once from its {@code metadata} (CONTRACT §4).
 *
 * @param auth   whether a credential is required, optional or ignored
 * @param scopes scopes all needed ({@code admin} satisfies any)
 * @param mfa    true when a session must have passed MFA
 * @param limit  the route's own limits ({@code s4e-rate-limit}, {@code s4e-max-concurrent}); {@link EndpointLimit#NONE}
 *               when it sets none
 * @param maxUpstreamConcurrent the most requests in flight to the route's upstream on one replica
 *               ({@code s4e-max-upstream-concurrent}); null when the route sets none and
 *               {@code s4e.server.max-upstream-concurrent} applies
 * @param responseTimeoutMillis the route's {@code response-timeout} (Spring Cloud Gateway's metadata key, ms; negative:
 *               none); null when the route sets none and the global {@code httpclient.response-timeout} applies. The
 *               gateway also bounds the silence while the upstream's body arrives with it.
 */
public record RoutePolicy(AuthMode auth, List<String> scopes, boolean mfa, EndpointLimit limit,
                          Integer maxUpstreamConcurrent, Long responseTimeoutMillis) {

    /** Metadata key of the authentication mode. */
    public static final String AUTH = "s4e-auth";
    /** Metadata key of the required scopes. */
    public static final String SCOPES = "s4e-scopes";
    /** Metadata key of the MFA requirement. */
    public static final String MFA = "s4e-mfa";
    /** Metadata key of the route's upstream bulkhead: a whole number of at least 1. */
    public static final String MAX_UPSTREAM_CONCURRENT = "s4e-max-upstream-concurrent";
    /** Spring Cloud Gateway's metadata key of a route's response timeout, in ms. */
    public static final String RESPONSE_TIMEOUT = "response-timeout";

    /** The policy of a route without metadata: authentication required, no scope. */
    public static final RoutePolicy DEFAULT = new RoutePolicy(AuthMode.REQUIRED, List.of(), false, EndpointLimit.NONE);

    /** {@code s4e-auth} values. */
    public enum AuthMode {
        REQUIRED, OPTIONAL, NONE
    }

    public RoutePolicy {
        scopes = List.copyOf(scopes);
        limit = limit == null ? EndpointLimit.NONE : limit;
    }

    /** A policy that leaves the route's upstream to the server-wide bulkhead limit and response timeout. */
    public RoutePolicy(AuthMode auth, List<String> scopes, boolean mfa, EndpointLimit limit) {
        this(auth, scopes, mfa, limit, null, null);
    }

    /** A policy that leaves the route's upstream to the server-wide response timeout. */
    public RoutePolicy(AuthMode auth, List<String> scopes, boolean mfa, EndpointLimit limit,
                       Integer maxUpstreamConcurrent) {
        this(auth, scopes, mfa, limit, maxUpstreamConcurrent, null);
    }

    /**
     * Parses the metadata of route {@code routeId}: every rule of the route, once per loaded route.
     *
     * @throws IllegalArgumentException naming the key and value when a value is not understood
     */
    public static RoutePolicy parse(String routeId, Map<String, Object> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return DEFAULT;
        }
        AuthMode auth = parseAuth(metadata.get(AUTH));
        List<String> scopes = parseScopes(metadata.get(SCOPES));
        boolean mfa = parseBoolean(metadata.get(MFA));
        return new RoutePolicy(auth, scopes, mfa, EndpointLimit.parse(routeId, metadata),
                parseMaxUpstreamConcurrent(metadata.get(MAX_UPSTREAM_CONCURRENT)),
                parseResponseTimeout(metadata.get(RESPONSE_TIMEOUT)));
    }

    private static AuthMode parseAuth(Object value) {
        if (value == null) {
            return AuthMode.REQUIRED;
        }
        return switch (value.toString().trim().toLowerCase(Locale.ROOT)) {
            case "required" -> AuthMode.REQUIRED;
            case "optional" -> AuthMode.OPTIONAL;
            case "none" -> AuthMode.NONE;
            default -> throw new IllegalArgumentException(
                    AUTH + " must be required, optional or none, not '" + value + "'");
        };
    }

    private static List<String> parseScopes(Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> scopes = new ArrayList<>();
        for (Object item : items(value)) {
            for (String scope : item.toString().split("[\\s,]+")) {
                if (scope.isEmpty()) {
                    continue;
                }
                if (!Scopes.isKnown(scope)) {
                    throw new IllegalArgumentException(SCOPES + " names an unknown scope '" + scope + "'");
                }
                scopes.add(scope);
            }
        }
        return scopes;
    }

    /** A YAML list binds either as a list or as a map keyed "0", "1", …; both are accepted. */
    private static Collection<?> items(Object value) {
        if (value instanceof Collection<?> collection) {
            return collection;
        }
        if (value instanceof Map<?, ?> map) {
            return map.values();
        }
        return List.of(value);
    }

    private static boolean parseBoolean(Object value) {
        if (value == null) {
            return false;
        }
        return switch (value.toString().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(MFA + " must be true or false, not '" + value + "'");
        };
    }

    private static Integer parseMaxUpstreamConcurrent(Object value) {
        if (value == null) {
            return null;
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
        throw new IllegalArgumentException(MAX_UPSTREAM_CONCURRENT + " must be a whole number of at least 1, not '"
                + value + "'");
    }

    private static Long parseResponseTimeout(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
        }
        catch (NumberFormatException invalid) {
            throw new IllegalArgumentException(RESPONSE_TIMEOUT + " must be a whole number of milliseconds, not '"
                    + value + "'");
        }
    }
}

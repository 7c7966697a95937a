package io.s4e.gateway.web;

/** Exchange attribute keys owned by the gateway, in one place. */
public final class GatewayAttributes {

    /** The {@link io.s4e.gateway.principal.Authentication} of the exchange. */
    public static final String AUTHENTICATION = "s4e.authentication";

    /** The authenticated {@link io.s4e.gateway.principal.Principal}, once a route policy resolved it. */
    public static final String PRINCIPAL = "s4e.principal";

    /** The matched route's policy (route/RoutePolicy), set by the principal step for every later step. */
    public static final String ROUTE_POLICY = "s4e.routePolicy";

    /** The client IP ({@code String}) as resolved from the peer and trusted proxies. */
    public static final String CLIENT_IP = "s4e.clientIp";

    /** Set ({@code Boolean.TRUE}) when the credential came from the {@code token} query parameter. */
    public static final String QUERY_TOKEN_USED = "s4e.queryTokenUsed";

    /**
     * Set ({@code Boolean.TRUE}) when the request's raw path ended with a slash that the canonical path dropped; only
     * the console's page reads it (to redirect {@code /console} to {@code /console/}, where its relative links work).
     */
    public static final String TRAILING_SLASH = "s4e.trailingSlash";

    /** Reactor context and MDC key of the request id. */
    public static final String REQUEST_ID_CONTEXT_KEY = "requestId";

    private GatewayAttributes() {
    }
}

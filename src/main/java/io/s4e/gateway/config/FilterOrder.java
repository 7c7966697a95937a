package io.s4e.gateway.config;

import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;

/**
 * The order of every filter of the gateway, in one place. Web steps ({@code web/GatewayWebFilter}, run together as
 * one WebFilter) run for every request (forwarded routes and gateway-owned endpoints); route steps
 * ({@code web/GatewayRouteFilter}, run together as one global filter) run after a route matched; header filters
 * shape what is forwarded and what comes back. The request id is assigned before all of them, by
 * {@link io.s4e.gateway.web.RequestIdHandlerDecorator}.
 * A forwarded request: request id, path, credential, principal (401), rate limit (429), scopes and MFA (403), relay,
 * upstream (docs/request-paths.md).
 */
public final class FilterOrder {

    /** Normalises the path before anything matches on it. */
    public static final int PATH_NORMALIZATION = Ordered.HIGHEST_PRECEDENCE + 10;

    /** Makes the exchange known to audit recording calls in the Reactor context. */
    public static final int AUDIT_CONTEXT = Ordered.HIGHEST_PRECEDENCE + 12;

    /** Puts the client IP and user agent of sign-in requests into their Reactor context, for the session list. */
    public static final int SESSION_DEVICE = Ordered.HIGHEST_PRECEDENCE + 13;

    /** Runs a forgotten-password request's lookup and mail once its answer is written (web step). */
    public static final int AFTER_RESPONSE = Ordered.HIGHEST_PRECEDENCE + 14;

    /** Adds the console's security headers to responses under {@code /console}. */
    public static final int CONSOLE_HEADERS = Ordered.HIGHEST_PRECEDENCE + 15;

    /** Reads the credential carriers and attaches the lazy principal. */
    public static final int AUTHENTICATION = Ordered.HIGHEST_PRECEDENCE + 20;

    /** Refuses cookie-authenticated state changes sent from another origin (needs the credential's carrier). */
    public static final int SAME_ORIGIN = Ordered.HIGHEST_PRECEDENCE + 25;

    /** Blocks client IPs that presented too many refused API keys (web step), right after authentication. */
    public static final int REFUSED_KEY_GUARD = Ordered.HIGHEST_PRECEDENCE + 30;

    /**
     * Answers 404 for gateway-owned namespaces and case variants of a route's path, before anything of the route
     * (route step).
     */
    public static final int ROUTE_CLAIMS = -300;

    /**
     * Resolves the caller as the matched route's auth mode asks, once (route step): 401 here, before any limit is
     * counted.
     */
    public static final int PRINCIPAL = -275;

    /** Tier quotas, per-endpoint limits and concurrency leases of forwarded requests (route step). */
    public static final int RATE_LIMIT = -250;

    /** Scopes and MFA of the matched route (route step): 403 here. */
    public static final int AUTHORIZATION = -200;

    /** Strips spoofed identity and credentials, adds the identity headers (route step). */
    public static final int IDENTITY_RELAY = -100;

    /** Reads a small forwarded request body whole before anything is sent upstream (route step). */
    public static final int REQUEST_BODY_BUFFER = -60;

    /**
     * Takes a permit of the route's upstream bulkhead (route step), after every refusal and before the response
     * writer ({@code -1}), so the permit is held until the response body was written.
     */
    public static final int UPSTREAM_BULKHEAD = -50;

    /**
     * Reads the response of an upstream connection failure into the envelope (a global filter of its own), after the
     * writer.
     */
    public static final int UPSTREAM_CONNECTION = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER + 1;

    /**
     * Counts login and MFA outcomes (web step), the last step, so it sees the answer of the endpoint itself (the web
     * filters of Spring's own that order after it never answer a request).
     */
    public static final int LOGIN_OUTCOME_METRICS = Ordered.HIGHEST_PRECEDENCE + 40;

    /** Turns every error into the S4E envelope (WebExceptionHandler), before Spring Boot's default handler (-1). */
    public static final int ERROR_ENVELOPE = -2;

    /** Strips hop-by-hop and spoofable headers from what is forwarded and returned (header filter). */
    public static final int RELAY_HEADERS = Ordered.LOWEST_PRECEDENCE - 1;

    /** Adds {@code private} and {@code Vary} to forwarded authenticated answers without a cache policy (header filter). */
    public static final int FORWARDED_CACHE_HEADERS = Ordered.LOWEST_PRECEDENCE;

    private FilterOrder() {
    }
}

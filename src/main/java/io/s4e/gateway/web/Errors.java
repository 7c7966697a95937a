package io.s4e.gateway.web;

import org.springframework.http.HttpStatusCode;

/** Builds every {@link GatewayException} of the gateway, so messages stay consistent. */
public final class Errors {

    /** The message S4E documents for a refused API key. */
    public static final String INVALID_API_KEY = "Invalid or expired API key.";

    private Errors() {
    }

    /** A refusal with the code's default status. */
    public static GatewayException of(ErrorCode code, String message) {
        return new GatewayException(code, code.status(), message, null);
    }

    /** A refusal with an explicit status (e.g. 405 or 413 rendered as {@code invalid_request}). */
    public static GatewayException of(ErrorCode code, HttpStatusCode status, String message) {
        return new GatewayException(code, status, message, null);
    }

    /** {@code 400 invalid_request}. */
    public static GatewayException invalidRequest(String message) {
        return of(ErrorCode.INVALID_REQUEST, message);
    }

    /** {@code 401 unauthorized}. */
    public static GatewayException unauthorized(String message) {
        return of(ErrorCode.UNAUTHORIZED, message);
    }

    /** {@code 401 unauthorized} with the documented API key message. */
    public static GatewayException invalidApiKey() {
        return of(ErrorCode.UNAUTHORIZED, INVALID_API_KEY);
    }

    /** {@code 403 forbidden}. */
    public static GatewayException forbidden(String message) {
        return of(ErrorCode.FORBIDDEN, message);
    }

    /** {@code 404 not_found}. */
    public static GatewayException notFound(String message) {
        return of(ErrorCode.NOT_FOUND, message);
    }

    /** {@code 503 service_unavailable}: a store needed to decide cannot be reached. */
    public static GatewayException unavailable(String message) {
        return of(ErrorCode.SERVICE_UNAVAILABLE, message);
    }

    /** {@code 503 service_unavailable} with {@code Retry-After}: the gateway is too busy to decide now. */
    public static GatewayException unavailable(String message, int retryAfterSeconds) {
        return new GatewayException(ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE.status(), message,
                Math.max(1, retryAfterSeconds));
    }

    /** {@code 429 rate_limited} with {@code Retry-After}. */
    public static GatewayException rateLimited(String message, int retryAfterSeconds) {
        return new GatewayException(ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED.status(), message,
                Math.max(1, retryAfterSeconds));
    }

    /** {@code 503 upstream_busy} with {@code Retry-After}: the route's upstream bulkhead is full. */
    public static GatewayException upstreamBusy(int retryAfterSeconds) {
        return new GatewayException(ErrorCode.UPSTREAM_BUSY, ErrorCode.UPSTREAM_BUSY.status(),
                "The upstream service of this route is busy. Try again shortly.", Math.max(1, retryAfterSeconds));
    }
}

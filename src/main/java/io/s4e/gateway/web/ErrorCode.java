package io.s4e.gateway.web;

import org.springframework.http.HttpStatus;

/** The error codes of the S4E envelope (CONTRACT §1) with their default HTTP status. */
public enum ErrorCode {
    INVALID_REQUEST("invalid_request", HttpStatus.BAD_REQUEST),
    REQUEST_TIMEOUT("request_timeout", HttpStatus.REQUEST_TIMEOUT),
    CAPTCHA_FAILED("captcha_failed", HttpStatus.BAD_REQUEST),
    WEAK_PASSWORD("weak_password", HttpStatus.BAD_REQUEST),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED),
    TOKEN_EXPIRED("token_expired", HttpStatus.UNAUTHORIZED),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN),
    MFA_REQUIRED("mfa_required", HttpStatus.FORBIDDEN),
    NOT_FOUND("not_found", HttpStatus.NOT_FOUND),
    CONFLICT("conflict", HttpStatus.CONFLICT),
    RATE_LIMITED("rate_limited", HttpStatus.TOO_MANY_REQUESTS),
    BAD_GATEWAY("bad_gateway", HttpStatus.BAD_GATEWAY),
    SERVICE_UNAVAILABLE("service_unavailable", HttpStatus.SERVICE_UNAVAILABLE),
    UPSTREAM_BUSY("upstream_busy", HttpStatus.SERVICE_UNAVAILABLE),
    GATEWAY_TIMEOUT("gateway_timeout", HttpStatus.GATEWAY_TIMEOUT),
    INTERNAL_ERROR("internal_error", HttpStatus.INTERNAL_SERVER_ERROR);

    private final String code;
    private final HttpStatus status;

    ErrorCode(String code, HttpStatus status) {
        this.code = code;
        this.status = status;
    }

    /** The wire code, e.g. {@code unauthorized}. */
    public String code() {
        return code;
    }

    /** The default HTTP status of this code. */
    public HttpStatus status() {
        return status;
    }
}

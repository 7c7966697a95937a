package io.s4e.gateway.web;

import org.springframework.http.HttpStatusCode;

/**
 * The one typed refusal of the gateway. It is expected control flow (a bad key is not a bug), so it carries no
 * stack trace. Its message is shown to the client and must never contain a secret.
 */
public final class GatewayException extends RuntimeException {

    private final ErrorCode code;
    private final HttpStatusCode status;
    private final Integer retryAfterSeconds;

    GatewayException(ErrorCode code, HttpStatusCode status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The envelope code. */
    public ErrorCode code() {
        return code;
    }

    /** The HTTP status to answer with. */
    public HttpStatusCode status() {
        return status;
    }

    /** Seconds for {@code Retry-After}, or {@code null}. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

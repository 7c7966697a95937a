package io.s4e.gateway.web;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.s4e.gateway.config.FilterOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;

/**
 * The single place where every error of the gateway becomes the S4E envelope (CONTRACT §1): refusals, routing
 * failures, upstream failures and bugs alike. It runs before Spring Boot's default handler, so no HTML page and no
 * stack trace ever reaches a client. Unexpected errors are logged with their stack trace, here only.
 */
@Component
@Order(FilterOrder.ERROR_ENVELOPE)
public class ErrorEnvelopeHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ErrorEnvelopeHandler.class);

    /** The {@code WWW-Authenticate} challenge of every 401. */
    public static final String BEARER_CHALLENGE = "Bearer realm=\"s4e\"";

    private final ClientIps clientIps;
    private final List<RefusalListener> refusalListeners;

    public ErrorEnvelopeHandler(ClientIps clientIps, List<RefusalListener> refusalListeners) {
        this.clientIps = clientIps;
        this.refusalListeners = List.copyOf(refusalListeners);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(failure);
        }
        GatewayException error = translate(failure);
        logFailure(exchange, failure, error);
        auditRefusal(exchange, error);
        copyStatusHeaders(response, failure);
        return write(exchange, error);
    }

    /** Keeps the headers a status exception names for its status, such as {@code Allow} on a 405. */
    private static void copyStatusHeaders(ServerHttpResponse response, Throwable failure) {
        if (failure instanceof ResponseStatusException statusException) {
            response.getHeaders().putAll(statusException.getHeaders());
        }
    }

    /** Maps any failure to the envelope's code and status. */
    static GatewayException translate(Throwable failure) {
        if (failure instanceof GatewayException gatewayException) {
            return gatewayException;
        }
        if (failure instanceof ResponseStatusException statusException) {
            return fromStatus(statusException);
        }
        if (isUpstreamBroken(failure)) {
            return Errors.of(ErrorCode.BAD_GATEWAY, "The upstream service refused or dropped the connection.");
        }
        if (failure instanceof TimeoutException) {
            return Errors.of(ErrorCode.GATEWAY_TIMEOUT, "The upstream service did not answer in time.");
        }
        if (failure instanceof DecodingException) {
            return Errors.invalidRequest("The request body is not valid JSON.");
        }
        if (failure instanceof DataBufferLimitException) {
            return Errors.of(ErrorCode.INVALID_REQUEST, HttpStatus.CONTENT_TOO_LARGE, "The request body is too large.");
        }
        if (failure instanceof DataAccessResourceFailureException) {
            return Errors.unavailable("A store needed to answer is unavailable. Try again shortly.");
        }
        return Errors.of(ErrorCode.INTERNAL_ERROR, "An internal error occurred.");
    }

    private static GatewayException fromStatus(ResponseStatusException exception) {
        HttpStatusCode status = exception.getStatusCode();
        if (exception instanceof ServerWebInputException) {
            Throwable cause = exception.getMostSpecificCause();
            if (cause instanceof DataBufferLimitException) {
                return Errors.of(ErrorCode.INVALID_REQUEST, HttpStatus.CONTENT_TOO_LARGE, "The request body is too large.");
            }
            return Errors.invalidRequest("The request body is malformed or a field is invalid.");
        }
        return switch (status.value()) {
            case 404 -> Errors.notFound("No route matches this path.");
            case 502 -> Errors.of(ErrorCode.BAD_GATEWAY, "The upstream service refused or dropped the connection.");
            case 503 -> Errors.unavailable("The service is unavailable. Try again shortly.");
            case 504 -> Errors.of(ErrorCode.GATEWAY_TIMEOUT, "The upstream service did not answer in time.");
            case 500 -> Errors.of(ErrorCode.INTERNAL_ERROR, "An internal error occurred.");
            default -> status.is4xxClientError()
                    ? Errors.of(ErrorCode.INVALID_REQUEST, status, reasonOf(status))
                    : Errors.of(ErrorCode.INTERNAL_ERROR, "An internal error occurred.");
        };
    }

    private static String reasonOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "The request was refused." : known.getReasonPhrase() + ".";
    }

    private static boolean isUpstreamBroken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ConnectTimeoutException
                    || t instanceof PrematureCloseException || t instanceof AbortedException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Every 401, 403 and 429 goes to the refusal listeners (the audit log's {@code request.refused} events). */
    private void auditRefusal(ServerWebExchange exchange, GatewayException error) {
        int status = error.status().value();
        if (status == 401 || status == 403 || status == 429) {
            for (RefusalListener listener : refusalListeners) {
                listener.refused(exchange, status, error.code().code());
            }
        }
    }

    private void logFailure(ServerWebExchange exchange, Throwable failure, GatewayException error) {
        if (error.code() == ErrorCode.INTERNAL_ERROR) {
            RequestIdLogContext.log(exchange, () -> log.error("{} {} failed", exchange.getRequest().getMethod(),
                    LogText.escape(exchange.getRequest().getPath().value()), failure));
        } else if (error.status().is5xxServerError() && error.code() != ErrorCode.UPSTREAM_BUSY) {
            // upstream_busy is load shedding, counted per route: a line per shed request would add load
            RequestIdLogContext.log(exchange, () -> log.warn("{} {} answered {} {}: {}",
                    exchange.getRequest().getMethod(), LogText.escape(exchange.getRequest().getPath().value()),
                    error.status().value(), error.code().code(), failure.getClass().getSimpleName()));
        } else if (log.isDebugEnabled()) {
            RequestIdLogContext.log(exchange, () -> log.debug("{} {} refused {} {} client_ip={}",
                    exchange.getRequest().getMethod(), LogText.escape(exchange.getRequest().getPath().value()),
                    error.status().value(), error.code().code(), clientIps.of(exchange)));
        }
    }

    private static Mono<Void> write(ServerWebExchange exchange, GatewayException error) {
        ServerHttpResponse response = exchange.getResponse();
        HttpHeaders headers = response.getHeaders();
        response.setStatusCode(error.status());
        headers.setContentType(MediaType.APPLICATION_JSON);
        headers.setCacheControl("no-store");
        String requestId = RequestIds.of(exchange);
        if (requestId != null) {
            headers.set(RequestIds.HEADER, requestId);
        }
        if (error.status().value() == 401) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, BEARER_CHALLENGE);
        }
        if (error.retryAfterSeconds() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfterSeconds()));
        }
        byte[] body = envelope(error).getBytes(StandardCharsets.UTF_8);
        headers.setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    /** The JSON error envelope of {@code error}. */
    public static String envelope(GatewayException error) {
        StringBuilder json = new StringBuilder(128).append("{\"status\":\"error\",\"error\":{\"code\":");
        JsonText.quote(json, error.code().code()).append(",\"message\":");
        JsonText.quote(json, error.getMessage());
        if (error.retryAfterSeconds() != null) {
            json.append(",\"retry_after\":").append(error.retryAfterSeconds());
        }
        return json.append("}}").toString();
    }
}

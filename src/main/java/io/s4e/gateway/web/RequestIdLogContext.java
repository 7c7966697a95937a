package io.s4e.gateway.web;

import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.web.server.ServerWebExchange;

/**
 * Puts the request id into the logging MDC ({@code %X{requestId}} in the pattern, {@code requestId} in JSON logs)
 * around the log lines the gateway writes while handling a request. The id travels in the Reactor context and the
 * request's {@code X-Request-ID} header; it is copied into the MDC only where a line is written, and removed after,
 * because restoring thread-locals on every Reactor operator of every request ({@code context-propagation: auto})
 * costs about a quarter of the gateway's CPU per forwarded request.
 */
public final class RequestIdLogContext {

    private RequestIdLogContext() {
    }

    /** Runs {@code logging} with the MDC naming {@code exchange}'s request id. */
    public static void log(ServerWebExchange exchange, Runnable logging) {
        log(RequestIds.of(exchange), logging);
    }

    /** Runs {@code logging} with the MDC naming the request id in {@code context}, if it holds one. */
    public static void log(ContextView context, Runnable logging) {
        log(context.<String>getOrDefault(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, null), logging);
    }

    /** Runs {@code logging} with the MDC naming {@code requestId} (nothing is added when it is null). */
    public static void log(String requestId, Runnable logging) {
        String previous = MDC.get(GatewayAttributes.REQUEST_ID_CONTEXT_KEY);
        if (requestId == null || requestId.equals(previous)) {
            logging.run();
            return;
        }
        MDC.put(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, requestId);
        try {
            logging.run();
        }
        finally {
            if (previous == null) {
                MDC.remove(GatewayAttributes.REQUEST_ID_CONTEXT_KEY);
            }
            else {
                MDC.put(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, previous);
            }
        }
    }

    /**
     * For {@code Mono.transform}: when the Mono fails, {@code logging} sees the failure with the MDC naming the
     * subscriber's request id, and the failure goes on unchanged.
     */
    public static <T> Function<Mono<T>, Mono<T>> logOnError(Consumer<Throwable> logging) {
        return mono -> mono.onErrorResume(failure -> Mono.deferContextual(context -> {
            log(context, () -> logging.accept(failure));
            return Mono.error(failure);
        }));
    }
}

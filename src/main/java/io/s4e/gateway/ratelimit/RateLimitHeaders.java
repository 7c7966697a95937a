package io.s4e.gateway.ratelimit;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} (Unix seconds) of a limited response. They are
 * written when the response is committed, so they are on the upstream's answer (replacing any it sent) and on a 429
 * alike; the last limit decided for the exchange wins.
 */
public final class RateLimitHeaders {

    public static final String LIMIT = "X-RateLimit-Limit";
    public static final String REMAINING = "X-RateLimit-Remaining";
    public static final String RESET = "X-RateLimit-Reset";

    private static final String ATTRIBUTE = "s4e.rateLimitHeaders";

    private RateLimitHeaders() {
    }

    /** Puts the headers of {@code limit}, {@code remaining} and {@code resetEpochSecond} on {@code response}. */
    public static void set(org.springframework.web.server.ServerWebExchange exchange, long limit, long remaining,
                           long resetEpochSecond) {
        long[] values = {limit, remaining, resetEpochSecond};
        boolean first = exchange.getAttributes().put(ATTRIBUTE, values) == null;
        if (first) {
            ServerHttpResponse response = exchange.getResponse();
            response.beforeCommit(() -> {
                long[] last = exchange.getAttribute(ATTRIBUTE);
                HttpHeaders headers = response.getHeaders();
                headers.set(LIMIT, Long.toString(last[0]));
                headers.set(REMAINING, Long.toString(last[1]));
                headers.set(RESET, Long.toString(last[2]));
                return Mono.empty();
            });
        }
    }

    /** Puts the headers of {@code decision}. */
    public static void set(org.springframework.web.server.ServerWebExchange exchange, Decision decision) {
        set(exchange, decision.limit(), decision.remaining(), decision.resetEpochSecond());
    }
}

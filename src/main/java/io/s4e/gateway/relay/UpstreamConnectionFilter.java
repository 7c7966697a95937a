package io.s4e.gateway.relay;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.route.RoutePolicy;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;

import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Keeps the upstream connection of a forwarded request within the contract once the request was sent:
 * <ul>
 * <li>An upstream that resets the connection or answers something that is not HTTP is a 502 {@code bad_gateway}
 * (Spring Cloud Gateway reports those as plain I/O or decoder failures, which would otherwise be a 500).</li>
 * <li>The route's {@code response-timeout} (or the global one) bounds the upstream's silence while the body
 * streams, not only the wait for the headers: a body that stalls ends the client's response at that timeout instead
 * of leaving it open for as long as the upstream holds the connection.</li>
 * </ul>
 * It also times each upstream exchange, from sending to the response headers ({@link UpstreamMetrics}).
 * It runs after Spring Cloud Gateway's routing filter has the response headers and before the response writer
 * streams the body, so its order sits right after {@link NettyWriteResponseFilter}'s.
 */
@Component
public class UpstreamConnectionFilter implements GlobalFilter, Ordered {

    private static final String HANDLER_NAME = "s4e.upstreamBodyTimeout";

    private static final int NO_ANSWER = 0;

    private final Duration globalTimeout;
    private final UpstreamMetrics metrics;

    public UpstreamConnectionFilter(HttpClientProperties properties, UpstreamMetrics metrics) {
        this.globalTimeout = properties.getResponseTimeout();
        this.metrics = metrics;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long started = System.nanoTime();
        return chain.filter(exchange)
                .then(Mono.fromRunnable(() -> answered(exchange, started)))
                .onErrorMap(failure -> {
                    record(exchange, NO_ANSWER, started);
                    return isUpstreamBroken(failure) ? Errors.of(ErrorCode.BAD_GATEWAY,
                            "The upstream service refused or dropped the connection.") : failure;
                })
                .then();
    }

    private void answered(ServerWebExchange exchange, long started) {
        HttpClientResponse answer = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
        record(exchange, answer == null ? NO_ANSWER : answer.status().code(), started);
        boundBodyReads(exchange);
    }

    private void record(ServerWebExchange exchange, int status, long started) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        if (route != null) {
            metrics.record(route.getId(), status, System.nanoTime() - started);
        }
    }

    private void boundBodyReads(ServerWebExchange exchange) {
        Connection connection = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
        Duration timeout = timeoutOf(exchange, exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR));
        if (connection == null || timeout == null) {
            return;
        }
        connection.addHandlerFirst(HANDLER_NAME, new ReadTimeoutHandler(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * The route's {@code response-timeout} (negative: none), else the global one; null when there is none. Read from
     * the route's policy, parsed once per loaded route ({@code route/RoutePolicy}).
     */
    private Duration timeoutOf(ServerWebExchange exchange, Route route) {
        RoutePolicy policy = exchange.getAttribute(GatewayAttributes.ROUTE_POLICY);
        if (policy == null && route != null) {
            policy = RoutePolicy.parse(route.getId(), route.getMetadata());
        }
        Long millis = policy == null ? null : policy.responseTimeoutMillis();
        if (millis != null) {
            return millis > 0 ? Duration.ofMillis(millis) : null;
        }
        return globalTimeout == null || globalTimeout.isNegative() || globalTimeout.isZero() ? null : globalTimeout;
    }

    /** A reset, a broken read or an answer that is not HTTP, anywhere in the cause chain; never our own errors. */
    private static boolean isUpstreamBroken(Throwable failure) {
        if (failure instanceof GatewayException) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof DecoderException || fromHttpCodec(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Netty's HTTP client codec refuses a malformed status line with a bare IllegalArgumentException. */
    private static boolean fromHttpCodec(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return t instanceof IllegalArgumentException && stack.length > 0
                && stack[0].getClassName().startsWith("io.netty.handler.codec.http.");
    }

    @Override
    public int getOrder() {
        return FilterOrder.UPSTREAM_CONNECTION;
    }
}

package io.s4e.gateway.relay;

import java.util.concurrent.atomic.AtomicBoolean;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.connection.ConnectionProperties;
import io.s4e.gateway.web.GatewayRouteFilter;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Reads a forwarded request's body whole before anything of the request is sent upstream, when its
 * {@code Content-Length} is at most {@code s4e.server.max-buffered-body}: a body that trickles, stalls or is cut by
 * its deadline then never reaches the upstream half-read, and never holds an upstream bulkhead permit or an upstream
 * connection while it arrives. Larger bodies and bodies of unknown length (chunked) are streamed as they arrive.
 * The buffered body is released by Spring Cloud Gateway's cached-body filter when the exchange ends.
 */
@Component
public class RequestBodyBuffering extends GatewayRouteFilter {

    private final long maxBuffered;

    public RequestBodyBuffering(ConnectionProperties properties) {
        this.maxBuffered = properties.maxBufferedBody().toBytes();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        long length = headers.getContentLength();
        if (length <= 0 || length > maxBuffered || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
            return chain.filter(exchange);
        }
        AtomicBoolean read = new AtomicBoolean();
        return ServerWebExchangeUtils.cacheRequestBody(exchange, buffered -> forward(exchange, buffered, chain, read))
                .onErrorResume(failure -> !read.get() && failure instanceof AbortedException, gone -> Mono.empty());
    }

    /**
     * Sends the request with its whole body on. Before this, a failure can only be the client's connection closing
     * while the body arrived (a deadline, or the client gone): there is no one left to answer and no upstream
     * involved, so it ends the exchange quietly instead of being logged as a broken upstream.
     */
    private static Mono<Void> forward(ServerWebExchange exchange, ServerHttpRequest buffered,
                                      GatewayFilterChain chain, AtomicBoolean read) {
        read.set(true);
        return chain.filter(exchange.mutate().request(buffered).build());
    }

    @Override
    public int getOrder() {
        return FilterOrder.REQUEST_BODY_BUFFER;
    }
}

package io.s4e.gateway.web;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;

/**
 * Gives every request its {@code X-Request-ID} (CONTRACT §3) at the outermost layer, around the web filters and the
 * error handler alike: the request carries the accepted or new id from here on (and so does the request to the
 * upstream), the response gets it when committed (errors included), and the Reactor context holds it, from which
 * every log line written while handling the request takes it. Here too, every response gets the gateway-owned
 * {@code Cache-Control: no-store} ({@link CachePolicy}), which a forwarded response replaces.
 */
@Component
public class RequestIdHandlerDecorator implements HttpHandlerDecoratorFactory {

    @Override
    public HttpHandler apply(HttpHandler delegate) {
        return (request, response) -> handle(delegate, request, response);
    }

    private static Mono<Void> handle(HttpHandler delegate, ServerHttpRequest request, ServerHttpResponse response) {
        String requestId = RequestIds.acceptOrCreate(request.getHeaders().get(RequestIds.HEADER));
        CachePolicy.gatewayOwned(response.getHeaders());
        response.beforeCommit(() -> setResponseHeader(response, requestId));
        HttpHeaders own = NativeRequestHeaders.writable(request);
        ServerHttpRequest withId;
        if (own != null) {
            // in place: a rebuilt request would copy every header once more
            own.set(RequestIds.HEADER, requestId);
            withId = request;
        } else {
            withId = request.mutate().headers(headers -> headers.set(RequestIds.HEADER, requestId)).build();
        }
        return delegate.handle(withId, response)
                .contextWrite(Context.of(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, requestId));
    }

    private static Mono<Void> setResponseHeader(ServerHttpResponse response, String requestId) {
        response.getHeaders().set(RequestIds.HEADER, requestId);
        return Mono.empty();
    }
}

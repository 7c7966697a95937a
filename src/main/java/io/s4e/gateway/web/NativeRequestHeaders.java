package io.s4e.gateway.web;

import reactor.netty.http.server.HttpServerRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.support.Netty4HeadersAdapter;

/**
 * The headers of a request as Reactor Netty holds them, writable in place. {@code request.mutate().headers(...)}
 * copies every header into a new case-insensitive map, once per step that changes one; the request id and the
 * identity headers are written here instead, where everything that reads the request afterwards sees them.
 */
public final class NativeRequestHeaders {

    /** Spring's request over Reactor Netty, whose headers are a live view of Netty's (package-private type). */
    private static final String REACTOR_REQUEST = "org.springframework.http.server.reactive.ReactorServerHttpRequest";

    private NativeRequestHeaders() {
    }

    /**
     * A writable view of {@code request}'s own headers; null when there is none to write to: another server, or a
     * request that was rebuilt with a copy of the headers (a changed path), which must then be rebuilt again.
     */
    public static HttpHeaders writable(ServerHttpRequest request) {
        ServerHttpRequest unwrapped = request;
        while (unwrapped instanceof ServerHttpRequestDecorator decorator) {
            unwrapped = decorator.getDelegate();
        }
        if (!(unwrapped instanceof AbstractServerHttpRequest own) || !REACTOR_REQUEST.equals(own.getClass().getName())) {
            return null;
        }
        Object nativeRequest = own.getNativeRequest();
        return nativeRequest instanceof HttpServerRequest netty
                ? new HttpHeaders(new Netty4HeadersAdapter(netty.requestHeaders())) : null;
    }
}

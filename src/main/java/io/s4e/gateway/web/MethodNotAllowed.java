package io.s4e.gateway.web;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.MethodNotAllowedException;

/** The answer of a gateway-owned endpoint asked with a method it does not serve. */
public final class MethodNotAllowed {

    private MethodNotAllowed() {
    }

    /**
     * A handler answering 405 with {@code Allow: allowed} (rendered as {@code invalid_request}), instead of the 404 of
     * an unknown path.
     */
    public static HandlerFunction<ServerResponse> allowing(HttpMethod... allowed) {
        List<HttpMethod> methods = List.of(allowed);
        return request -> Mono.error(new MethodNotAllowedException(request.method(), methods));
    }
}

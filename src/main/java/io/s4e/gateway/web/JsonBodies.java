package io.s4e.gateway.web;

import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;

/** Reads JSON request bodies of gateway-owned endpoints, refusing what is not JSON with 400. */
public final class JsonBodies {

    private JsonBodies() {
    }

    /**
     * The body of {@code request} as {@code type}.
     *
     * @return the body; {@code empty} is replaced by {@code whenEmpty} (or a 400 when that is null); malformed JSON
     *         and a non-JSON content type are 400 {@code invalid_request}
     */
    public static <T> Mono<T> read(ServerRequest request, Class<T> type, T whenEmpty) {
        MediaType contentType = request.headers().contentType().orElse(null);
        if (contentType != null && !MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
            return Mono.error(Errors.invalidRequest("The request body must be JSON (Content-Type: application/json)."));
        }
        Mono<T> body = request.bodyToMono(type);
        if (whenEmpty != null) {
            return body.defaultIfEmpty(whenEmpty);
        }
        return body.switchIfEmpty(Mono.error(() -> Errors.invalidRequest("A JSON request body is required.")));
    }
}

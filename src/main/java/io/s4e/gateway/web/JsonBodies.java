package io.s4e.gateway.web;

import java.util.List;

import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;

/** Reads JSON request bodies of gateway-owned endpoints, refusing what is not JSON with 400. */
public final class JsonBodies {

    private JsonBodies() {
    }

    /**
     * The body of {@code request} as {@code type}.
     *
     * @return the body; {@code empty} is replaced by {@code whenEmpty} (or a 400 when that is null); malformed JSON,
     *         a field of the wrong type and a non-JSON content type are 400 {@code invalid_request}, naming the field
     *         when there is one
     */
    public static <T> Mono<T> read(ServerRequest request, Class<T> type, T whenEmpty) {
        MediaType contentType = request.headers().contentType().orElse(null);
        if (contentType != null && !MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
            return Mono.error(Errors.invalidRequest("The request body must be JSON (Content-Type: application/json)."));
        }
        Mono<T> body = request.bodyToMono(type).onErrorMap(JsonBodies::describe);
        if (whenEmpty != null) {
            return body.defaultIfEmpty(whenEmpty);
        }
        return body.switchIfEmpty(Mono.error(() -> Errors.invalidRequest("A JSON request body is required.")));
    }

    /** A 400 saying what Jackson could not read; any other failure unchanged. */
    private static Throwable describe(Throwable failure) {
        JacksonException jackson = jacksonCause(failure);
        if (jackson == null) {
            return failure;
        }
        if (jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException)) {
            return Errors.invalidRequest("The request body is not valid JSON.");
        }
        String field = topLevelField(jackson.getPath());
        if (field == null) {
            return Errors.invalidRequest("The request body must be a JSON object with the documented fields.");
        }
        return Errors.invalidRequest("Field '" + field + "' has an invalid value.");
    }

    private static JacksonException jacksonCause(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof JacksonException jackson) {
                return jackson;
            }
        }
        return null;
    }

    private static String topLevelField(List<JacksonException.Reference> path) {
        return path == null || path.isEmpty() ? null : path.get(0).getPropertyName();
    }
}

package io.s4e.gateway.web;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Reads JSON request bodies of gateway-owned endpoints with {@link StrictJson}, refusing what is not exactly one JSON
 * object of the documented fields with 400 {@code invalid_request} and a message naming the field and the problem.
 */
public final class JsonBodies {

    private static final Pattern DUPLICATE = Pattern.compile("(?i)duplicate[^\"]*\"([^\"]*)\"");
    /** Field names echoed in a message; anything else is "A field", so a message never carries client text. */
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private JsonBodies() {
    }

    /**
     * Builds and caches the readers of {@code types} now, at start-up: Jackson builds a type's deserializer under a
     * lock the first time it reads it, and the first requests of a fresh replica, arriving together on several event
     * loops, would otherwise wait for each other there.
     */
    public static void prepare(Class<?>... types) {
        for (Class<?> type : types) {
            StrictJson.MAPPER.readerFor(type);
        }
    }

    /**
     * The body of {@code request} as {@code type}.
     *
     * @return the body; {@code empty} is replaced by {@code whenEmpty} (or a 400 when that is null); malformed JSON,
     *         a key given twice, an unknown field, a value of the wrong JSON type (no coercion), a lone surrogate and
     *         a non-JSON content type are 400 {@code invalid_request}, naming the field when there is one; a body
     *         without a content type is 415 {@code invalid_request} (no body and no content type is "empty")
     */
    public static <T> Mono<T> read(ServerRequest request, Class<T> type, T whenEmpty) {
        MediaType contentType = request.headers().contentType().orElse(null);
        if (contentType != null && !MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
            return Mono.error(Errors.invalidRequest("The request body must be JSON (Content-Type: application/json)."));
        }
        Mono<T> body = request.bodyToMono(byte[].class)
                .filter(bytes -> bytes.length > 0)
                .flatMap(bytes -> contentType == null
                        ? Mono.error(Errors.of(ErrorCode.INVALID_REQUEST, HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                                "The request body must be JSON (Content-Type: application/json)."))
                        : Mono.justOrEmpty(parse(bytes, type)));
        if (whenEmpty != null) {
            return body.defaultIfEmpty(whenEmpty);
        }
        return body.switchIfEmpty(Mono.error(() -> Errors.invalidRequest("A JSON request body is required.")));
    }

    private static <T> T parse(byte[] json, Class<T> type) {
        try {
            return StrictJson.MAPPER.readValue(json, type);
        }
        catch (JacksonException refused) {
            throw describe(refused);
        }
    }

    /** A 400 saying what could not be read, without repeating the client's values. */
    private static GatewayException describe(JacksonException jackson) {
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            return Errors.invalidRequest(field(unknown.getPropertyName()) + " is not a field of this request.");
        }
        if (jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException)) {
            Matcher duplicate = DUPLICATE.matcher(String.valueOf(jackson.getOriginalMessage()));
            if (duplicate.find()) {
                return Errors.invalidRequest(field(duplicate.group(1)) + " is given more than once.");
            }
            return Errors.invalidRequest("The request body is not valid JSON.");
        }
        String name = topLevelField(jackson.getPath());
        if (name == null) {
            return Errors.invalidRequest("The request body must be a JSON object with the documented fields.");
        }
        String expected = expected(jackson);
        return Errors.invalidRequest(field(name) + (expected == null ? " has an invalid value." : " must be "
                + expected + "."));
    }

    private static String expected(JacksonException jackson) {
        if (StrictJson.LONE_SURROGATE.equals(jackson.getOriginalMessage())) {
            return "text without lone UTF-16 surrogates";
        }
        if (jackson instanceof InputCoercionException) {
            return "a number in range";
        }
        if (!(jackson instanceof MismatchedInputException mismatch) || mismatch.getTargetType() == null) {
            return null;
        }
        String expected = describe(mismatch.getTargetType());
        if (jackson.getPath().size() > 1 && jackson.getPath().get(1).getIndex() >= 0) {
            return "an array whose every element is " + expected;
        }
        return expected;
    }

    private static String describe(Class<?> type) {
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a JSON integer (no quotes, fraction or exponent)";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a JSON string";
        }
        if (type == Instant.class) {
            return "an ISO-8601 instant string such as 2027-01-31T00:00:00Z";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        return "a value of the documented type";
    }

    private static String field(String name) {
        return name != null && FIELD_NAME.matcher(name).matches() ? "Field '" + name + "'" : "A field";
    }

    private static String topLevelField(List<JacksonException.Reference> path) {
        return path == null || path.isEmpty() ? null : path.get(0).getPropertyName();
    }
}

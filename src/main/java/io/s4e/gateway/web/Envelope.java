package io.s4e.gateway.web;

/**
 * The success envelope of gateway-owned endpoints: {@code {"status":"success","data":{...}}}.
 *
 * @param status always {@code success}
 * @param data   the payload
 */
public record Envelope<T>(String status, T data) {

    /** Wraps {@code data} in a success envelope. */
    public static <T> Envelope<T> success(T data) {
        return new Envelope<>("success", data);
    }
}

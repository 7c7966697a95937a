package io.s4e.gateway.inject;

/** A manifest or values file that {@code inject} cannot understand; the message says what and how to fix it. */
public class InjectException extends RuntimeException {

    public InjectException(String message) {
        super(message, null, false, false);
    }
}

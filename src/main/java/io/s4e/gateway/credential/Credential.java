package io.s4e.gateway.credential;

import java.util.Objects;

/**
 * A credential read off a request. Its value is a secret: {@link #toString()} never shows it.
 *
 * @param kind    what the value is
 * @param carrier where it was found
 * @param value   the secret itself
 */
public record Credential(Kind kind, Carrier carrier, String value) {

    /** What a credential value is. */
    public enum Kind {
        /** An S4E API key ({@code s4e_live_…}), well-formed or not. */
        API_KEY,
        /** A session token (JWT) from the login endpoint. */
        SESSION_TOKEN,
        /** An {@code mfa_temp_} token of an unfinished login: never a credential. */
        MFA_TEMP_TOKEN
    }

    public Credential {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(carrier, "carrier");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "Credential[kind=" + kind + ", carrier=" + carrier + "]";
    }
}

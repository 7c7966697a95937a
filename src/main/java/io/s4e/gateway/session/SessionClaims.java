package io.s4e.gateway.session;

import java.time.Instant;
import java.util.List;

/**
 * The claims of a verified session token.
 *
 * @param userId   {@code sub}: the user's id
 * @param sid      {@code sid}: the session id, the key of the session in Redis
 * @param role     {@code role}: the user's role at login
 * @param amr      {@code amr}: how the user authenticated, e.g. {@code ["pwd"]} or {@code ["pwd","mfa"]}
 * @param issuedAt {@code iat}
 * @param expires  {@code exp}
 */
public record SessionClaims(long userId, String sid, String role, List<String> amr, Instant issuedAt,
                            Instant expires) {

    public SessionClaims {
        amr = List.copyOf(amr);
    }
}

package io.s4e.gateway.session;

import java.time.Instant;
import java.util.List;

/**
 * A session as kept in Redis.
 *
 * @param sid       the session id
 * @param userId    the user's id
 * @param email     the user's email at login
 * @param role      the user's role at login
 * @param amr       how the user authenticated ({@code pwd}, {@code mfa})
 * @param loginAt   when the user logged in; refreshes never carry a session beyond max-lifetime from here
 * @param expiresAt when this session (and its token) ends
 * @param refreshed true once this session was refreshed into another one: it may not be refreshed again
 */
public record Session(String sid, long userId, String email, String role, List<String> amr, Instant loginAt,
                      Instant expiresAt, boolean refreshed) {

    public Session {
        amr = List.copyOf(amr);
    }

    /** True when the login passed multi-factor verification. */
    public boolean mfaPassed() {
        return amr.contains("mfa");
    }
}

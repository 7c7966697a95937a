package io.s4e.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A session as kept in Redis.
 *
 * @param sid        the session id
 * @param userId     the user's id
 * @param email      the user's email when the session was issued
 * @param role       the user's role when the session was issued (a refresh reads it again)
 * @param amr        how the user authenticated ({@code pwd}, {@code mfa}, {@code hwk})
 * @param loginAt    when the user logged in (password or MFA step); refreshes keep it, so it tells whether the
 *                   authentication is recent, and never carry a session beyond max-lifetime from here
 * @param expiresAt  when this session (and its token) ends
 * @param refreshed  true once this session was refreshed into another one: it may not be refreshed again
 * @param generation the user's {@linkplain SessionGenerations session generation} it was issued in; a revocation
 *                   moves the generation on, and a session of an earlier one is refused
 * @param chain      the session id of the login this session descends from by refreshes (its own sid for a login)
 */
public record Session(String sid, long userId, String email, String role, List<String> amr, Instant loginAt,
                      Instant expiresAt, boolean refreshed, long generation, String chain) {

    /** How long after a login (password or MFA step) it counts as recent, for changes to the account's factors. */
    public static final Duration RECENT_AUTHENTICATION = Duration.ofMinutes(10);

    public Session {
        amr = List.copyOf(amr);
    }

    /**
     * True when the login passed multi-factor verification: a second factor after the password ({@code mfa}), or a
     * password-free passkey sign-in ({@code hwk}: a key bound to the device, used after the authenticator verified
     * the user).
     */
    public boolean mfaPassed() {
        return amr.contains("mfa") || amr.contains("hwk");
    }

    /** True when the user logged in (password or MFA step) less than {@code within} before {@code now}. */
    public boolean authenticatedWithin(Duration within, Instant now) {
        return now.isBefore(loginAt.plus(within));
    }
}

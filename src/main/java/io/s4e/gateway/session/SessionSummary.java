package io.s4e.gateway.session;

import java.time.Instant;
import java.util.List;

/**
 * A session as the session list shows it (CONTRACT §10). No token: the session id is not a credential.
 *
 * @param sid       the session id
 * @param createdAt when the user signed in on this device (refreshes keep it)
 * @param lastSeen  when a request last used it, as written in batches ({@link SessionLastSeen}); null when not yet
 * @param clientIp  the client IP of the sign-in (or of the refresh that made this session), or null
 * @param userAgent the user agent of that request, or null
 * @param amr       how the user authenticated
 * @param expiresAt when it ends unless refreshed
 */
public record SessionSummary(String sid, Instant createdAt, Instant lastSeen, String clientIp, String userAgent,
                             List<String> amr, Instant expiresAt) {

    public SessionSummary {
        amr = List.copyOf(amr);
    }

    /** This summary with {@code seen} as last seen when it is later. */
    public SessionSummary seenAt(Instant seen) {
        if (seen == null || (lastSeen != null && !seen.isAfter(lastSeen))) {
            return this;
        }
        return new SessionSummary(sid, createdAt, seen, clientIp, userAgent, amr, expiresAt);
    }
}

package io.s4e.gateway.mfa;

import java.time.Instant;

/**
 * The state of an open MFA login step, as kept in Redis. toString hides the e-mail code hash.
 *
 * @param userId            the user whose password was correct
 * @param emailCodeHash     SHA-256 hex of the e-mail code sent last; null when none was sent
 * @param emailCodeExpiresAt when that code stops being accepted; null when none was sent
 * @param generation        the user's session generation when the step opened; a revocation since ends the step
 */
public record MfaChallenge(long userId, String emailCodeHash, Instant emailCodeExpiresAt, long generation) {

    @Override
    public String toString() {
        return "MfaChallenge[userId=" + userId + ", emailCodeSent=" + (emailCodeHash != null) + "]";
    }
}

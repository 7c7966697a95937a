package io.s4e.gateway.apikey;

import java.time.Instant;
import java.util.List;

/**
 * What verifying a key needs from PostgreSQL: the active key row matching a hash, with its owner.
 *
 * @param matchedPrevious true when the hash is the key's previous secret (rotated out, in its grace period)
 * @param graceEnd        when the previous secret stops working, or null
 */
record KeyOwnerRow(String keyId, long userId, List<String> scopes, Instant expiresAt, boolean matchedPrevious,
                   Instant graceEnd, String email, String role, boolean ownerDisabled) {
}

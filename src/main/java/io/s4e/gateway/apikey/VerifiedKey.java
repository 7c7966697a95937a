package io.s4e.gateway.apikey;

import java.time.Instant;

import io.s4e.gateway.principal.Principal;

/**
 * A cached verdict on one key hash: either a principal valid until {@code validUntil}, or a refusal. An expired
 * key keeps its principal (to name it in the audit log) but is never usable.
 *
 * @param principal  the principal, or null for a refusal
 * @param validUntil when the key stops working (expiry or end of grace), or null for never
 * @param expiresAt  the key's own expiry, or null for never
 */
record VerifiedKey(Principal principal, Instant validUntil, Instant expiresAt) {

    /** The verdict on a hash that names no usable key (unknown, revoked, rotated out, owner disabled). */
    static final VerifiedKey REFUSED = new VerifiedKey(null, null, null);

    boolean refused() {
        return principal == null;
    }

    /** True when this names a key whose own expiry has passed at {@code now}. */
    boolean expiredAt(Instant now) {
        return principal != null && expiresAt != null && !now.isBefore(expiresAt);
    }

    /** True when the key works at {@code now}. */
    boolean usableAt(Instant now) {
        return principal != null && (validUntil == null || now.isBefore(validUntil));
    }
}

package io.s4e.gateway.user;

import java.time.Instant;

/** A user as stored. The password hash never leaves the user package's callers' logs: toString hides it. */
public record UserRecord(long id, String email, String passwordHash, String role, String tier, boolean disabled,
                         Instant createdAt) {

    @Override
    public String toString() {
        return "UserRecord[id=" + id + ", role=" + role + ", tier=" + tier + ", disabled=" + disabled + "]";
    }
}

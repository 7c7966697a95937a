package io.s4e.gateway.user;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The JSON shapes of the user administration endpoints (CONTRACT §6). */
public final class UserViews {

    private UserViews() {
    }

    /** {@code POST /api/admin/users} body. toString leaves the password out. */
    public record CreateRequest(String email, String password, String role, String tier) {

        @Override
        public String toString() {
            return "CreateRequest[role=" + role + ", tier=" + tier + "]";
        }
    }

    /** {@code PATCH /api/admin/users/{id}} body: the fields to change, null for unchanged. */
    public record UpdateRequest(String role, String tier, Boolean disabled) {
    }

    /** A user as shown: never its password hash. */
    public record User(long id, String email, String role, String tier, boolean disabled,
                       @JsonProperty("created_at") Instant createdAt) {
    }

    /** The data of a created or changed user. */
    public record UserData(User user) {
    }

    /** {@code GET /api/admin/users} data. */
    public record UserList(List<User> users) {
    }
}

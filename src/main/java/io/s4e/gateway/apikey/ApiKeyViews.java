package io.s4e.gateway.apikey;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The JSON shapes of the key endpoints (CONTRACT §5). */
public final class ApiKeyViews {

    private ApiKeyViews() {
    }

    /** {@code POST /api/keys} body. */
    public record CreateRequest(String name, List<String> scopes, @JsonProperty("expires_at") Instant expiresAt) {
    }

    /** {@code POST /api/keys/{id}/rotate} body. */
    public record RotateRequest(@JsonProperty("grace_seconds") Long graceSeconds) {
    }

    /** A key with its secret, shown once (creation and rotation). */
    public record Created(String id, String name, String key, List<String> scopes,
                          @JsonProperty("created_at") Instant createdAt,
                          @JsonProperty("expires_at") Instant expiresAt,
                          @JsonProperty("last_used") Instant lastUsed,
                          @JsonProperty("previous_key_expires_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant previousKeyExpiresAt) {
    }

    /** A key without its secret. */
    public record Key(String id, String name, String prefix, String last4, List<String> scopes,
                      @JsonProperty("user_id") long userId,
                      @JsonProperty("created_at") Instant createdAt,
                      @JsonProperty("expires_at") Instant expiresAt,
                      @JsonProperty("last_used") Instant lastUsed,
                      @JsonProperty("revoked_at") Instant revokedAt,
                      @JsonProperty("rotation_due") boolean rotationDue) {
    }

    /** {@code GET /api/keys} data. */
    public record KeyList(List<Key> keys) {
    }
}

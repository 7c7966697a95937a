package io.s4e.gateway.apikey;

import java.time.Instant;
import java.util.List;

/** An API key as stored, without its hash. */
public record ApiKeyRecord(String id, long userId, String name, String prefix, String last4, List<String> scopes,
                           Instant createdAt, Instant secretCreatedAt, Instant expiresAt, Instant lastUsed,
                           Instant revokedAt) {

    public ApiKeyRecord {
        scopes = List.copyOf(scopes);
    }
}

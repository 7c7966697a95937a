package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.principal.Scopes;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.TextRules;

/**
 * The fields of a key's create and rotate requests, checked: each method answers the value to store or throws the
 * 400 (or 403, for a scope beyond the caller's role) that names the field.
 */
final class ApiKeyRequests {

    private static final int MAX_NAME = 100;
    /** Latest expiry accepted: far enough for any use, and well inside what PostgreSQL can store. */
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private final RoleScopes roleScopes;
    private final ApiKeyProperties properties;
    private final Clock clock;

    ApiKeyRequests(RoleScopes roleScopes, ApiKeyProperties properties, Clock clock) {
        this.roleScopes = roleScopes;
        this.properties = properties;
        this.clock = clock;
    }

    /** The name stripped: 1 to 100 characters, visible ones and U+0020 spaces only. */
    static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw Errors.invalidRequest("Field 'name' is required.");
        }
        String trimmed = name.strip();
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_NAME) {
            throw Errors.invalidRequest("Field 'name' must be at most 100 characters.");
        }
        TextRules.requireVisibleName("name", trimmed);
        return trimmed;
    }

    /** The scopes without repeats, in the order given: at least one, each known and allowed to the caller's role. */
    List<String> validScopes(Principal caller, List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw Errors.invalidRequest("Field 'scopes' must list at least one scope.");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String scope : requested) {
            if (scope == null || !Scopes.isKnown(scope)) {
                throw Errors.invalidRequest("Field 'scopes' names an unknown scope.");
            }
            unique.add(scope);
        }
        Set<String> allowed = roleScopes.allowedFor(caller.role());
        for (String scope : unique) {
            if (!allowed.contains(scope)) {
                throw Errors.forbidden("Your role does not allow the scope '" + scope + "'.");
            }
        }
        return new ArrayList<>(unique);
    }

    /** The expiry: none, or in the future and before the year 10000. */
    Instant validExpiry(Instant expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw Errors.invalidRequest("Field 'expires_at' must be in the future.");
        }
        if (expiresAt != null && expiresAt.isAfter(LATEST_EXPIRY)) {
            throw Errors.invalidRequest("Field 'expires_at' must be before the year 10000.");
        }
        return expiresAt;
    }

    /** The rotation grace: {@code default-grace} when not given, else 0 to {@code max-grace} seconds. */
    Duration validGrace(Long seconds) {
        if (seconds == null) {
            return properties.defaultGrace();
        }
        Duration grace = Duration.ofSeconds(seconds);
        if (grace.isNegative() || grace.compareTo(properties.maxGrace()) > 0) {
            throw Errors.invalidRequest("Field 'grace_seconds' must be between 0 and "
                    + properties.maxGrace().toSeconds() + ".");
        }
        return grace;
    }
}

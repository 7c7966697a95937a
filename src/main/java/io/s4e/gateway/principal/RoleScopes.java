package io.s4e.gateway.principal;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

/** What each role allows, expanded once from {@link RoleProperties}. */
@Component
public class RoleScopes {

    private final Map<String, Set<String>> allowed;

    public RoleScopes(RoleProperties properties) {
        Map<String, Set<String>> expanded = new HashMap<>();
        properties.roles().forEach((role, patterns) -> {
            try {
                expanded.put(role, Set.copyOf(Scopes.expand(patterns)));
            }
            catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException("s4e.roles." + role + ": " + invalid.getMessage(), invalid);
            }
        });
        this.allowed = Map.copyOf(expanded);
    }

    /** True when {@code role} is configured. */
    public boolean isRole(String role) {
        return role != null && allowed.containsKey(role);
    }

    /** The scopes {@code role} allows; empty for an unknown role. */
    public Set<String> allowedFor(String role) {
        return role == null ? Set.of() : allowed.getOrDefault(role, Set.of());
    }

    /** {@code requested} within what {@code role} allows, in contract order. */
    public Set<String> effective(String role, Collection<String> requested) {
        Set<String> roleScopes = allowedFor(role);
        Set<String> effective = new LinkedHashSet<>();
        for (String scope : Scopes.ALL) {
            if (requested.contains(scope) && roleScopes.contains(scope)) {
                effective.add(scope);
            }
        }
        return effective;
    }

    /** The configured roles. */
    public List<String> roles() {
        return List.copyOf(allowed.keySet());
    }
}

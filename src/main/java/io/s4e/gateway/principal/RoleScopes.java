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

    /** Every scope of each role, in contract order, with its header value: a session's grant, made once per role. */
    private final Map<String, Grant> everyScope;

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
        Map<String, Grant> grants = new HashMap<>();
        allowed.keySet().forEach(role -> grants.put(role, Grant.of(effective(role, Scopes.ALL))));
        this.everyScope = Map.copyOf(grants);
    }

    /** Every scope {@code role} allows (what a session of that role holds); none for an unknown role. */
    public Grant everyScopeOf(String role) {
        Grant grant = role == null ? null : everyScope.get(role);
        return grant == null ? Grant.NONE : grant;
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

    /**
     * Effective scopes as a principal holds them.
     *
     * @param scopes the scopes
     * @param header the scopes in contract order, space-separated ({@code X-S4E-Scopes})
     */
    public record Grant(Set<String> scopes, String header) {

        static final Grant NONE = new Grant(Set.of(), "");

        static Grant of(Set<String> ordered) {
            return new Grant(Set.copyOf(ordered), String.join(" ", ordered));
        }
    }
}

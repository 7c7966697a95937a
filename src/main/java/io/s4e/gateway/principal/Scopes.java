package io.s4e.gateway.principal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The scopes of CONTRACT §5. {@code admin} satisfies any scope. */
public final class Scopes {

    /** The scope that satisfies every other one. */
    public static final String ADMIN = "admin";

    /** Every scope, in the contract's order. */
    public static final List<String> ALL = List.of(
            "read:assets", "write:assets", "read:scans", "write:scans", "read:findings", "write:findings",
            "read:actions", "write:actions", "read:playbooks", "write:playbooks", "read:webhooks", "write:webhooks",
            ADMIN);

    private static final Set<String> KNOWN = Set.copyOf(ALL);

    private Scopes() {
    }

    /** True when {@code scope} is one of the contract's scopes. */
    public static boolean isKnown(String scope) {
        return KNOWN.contains(scope);
    }

    /**
     * Expands scope patterns ({@code read:*}, {@code write:*}, {@code *}) into known scopes, in contract order.
     *
     * @throws IllegalArgumentException for a pattern or scope that names nothing known
     */
    public static Set<String> expand(Collection<String> patterns) {
        Set<String> expanded = new LinkedHashSet<>();
        for (String pattern : patterns) {
            if (pattern.equals("*")) {
                expanded.addAll(ALL);
            } else if (pattern.endsWith(":*")) {
                String prefix = pattern.substring(0, pattern.length() - 1);
                int before = expanded.size();
                ALL.stream().filter(s -> s.startsWith(prefix)).forEach(expanded::add);
                if (expanded.size() == before && ALL.stream().noneMatch(s -> s.startsWith(prefix))) {
                    throw new IllegalArgumentException("Unknown scope pattern: " + pattern);
                }
            } else if (isKnown(pattern)) {
                expanded.add(pattern);
            } else {
                throw new IllegalArgumentException("Unknown scope: " + pattern);
            }
        }
        return expanded;
    }

    /** True when {@code granted} satisfies every scope of {@code required}. */
    public static boolean satisfies(Set<String> granted, Collection<String> required) {
        if (required.isEmpty() || granted.contains(ADMIN)) {
            return true;
        }
        return granted.containsAll(required);
    }
}

package io.s4e.gateway.route;

import java.util.List;

/**
 * The path namespaces the gateway answers itself (CONTRACT §5, §6): {@code /api/user}, {@code /api/admin},
 * {@code /api/keys} and {@code /api/audit-log}, each with everything below it. A request there is never forwarded
 * to the upstream, whatever the configured routes say, in any letter case: a path the gateway does not serve gets
 * its 404 envelope (docs/request-paths.md).
 */
public final class GatewayNamespaces {

    /** The namespace roots, in lower case. */
    public static final List<String> ROOTS = List.of("/api/user", "/api/admin", "/api/keys", "/api/audit-log");

    private GatewayNamespaces() {
    }

    /** Whether canonical {@code path} is a namespace root or lies below one, ignoring letter case; allocation-free. */
    public static boolean owns(String path) {
        for (int i = 0; i < ROOTS.size(); i++) {
            if (isWithin(path, ROOTS.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code path} is {@code root} or below it (segment-wise: {@code /api/admin-tools} is not below {@code /api/admin}). */
    static boolean isWithin(String path, String root) {
        int length = root.length();
        return path.regionMatches(true, 0, root, 0, length)
                && (path.length() == length || path.charAt(length) == '/');
    }
}

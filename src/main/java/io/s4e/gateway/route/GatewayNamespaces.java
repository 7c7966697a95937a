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

    /** The console's root: served by the gateway too, though not a namespace that refuses configured routes. */
    public static final String CONSOLE = "/console";

    private GatewayNamespaces() {
    }

    /**
     * Whether canonical {@code path} may be answered by one of the gateway's own handlers: within a namespace or the
     * console, ignoring letter case (so this errs towards yes); allocation-free.
     */
    public static boolean mayBeServedByTheGateway(String path) {
        return owns(path) || isWithin(path, CONSOLE);
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

package io.s4e.gateway.principal;

import java.util.Collection;
import java.util.Set;

import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;

/**
 * Who made a request, once authenticated. Immutable, with the forwarded header values computed once.
 *
 * @param userId      the owning user's id
 * @param email       the user's email
 * @param role        the user's role
 * @param method      how the request authenticated
 * @param keyId       the API key's id ({@code key-xxxxxxxx}), or null for a session
 * @param scopes      the effective scopes
 * @param scopeHeader the effective scopes, space-separated
 * @param mfaPassed   true when a session passed MFA
 */
public record Principal(long userId, String email, String role, AuthMethod method, String keyId, Set<String> scopes,
                        String scopeHeader, boolean mfaPassed) {

    /** How a principal authenticated, as forwarded in {@code X-S4E-Auth-Method}. */
    public enum AuthMethod {
        API_KEY("api_key"), SESSION("session");

        private final String wire;

        AuthMethod(String wire) {
            this.wire = wire;
        }

        /** The header value. */
        public String wire() {
            return wire;
        }
    }

    /** A principal of an API key. */
    public static Principal ofApiKey(long userId, String email, String role, String keyId, Set<String> scopes) {
        return new Principal(userId, email, role, AuthMethod.API_KEY, keyId, Set.copyOf(scopes),
                String.join(" ", scopes), false);
    }

    /** A principal of a session: it holds every scope its role allows; {@code mfaPassed} when the login passed MFA. */
    public static Principal ofSession(long userId, String email, String role, RoleScopes.Grant grant,
                                      boolean mfaPassed) {
        return new Principal(userId, email, role, AuthMethod.SESSION, null, grant.scopes(), grant.header(), mfaPassed);
    }

    /** True when the effective scopes satisfy all of {@code required}. */
    public boolean hasScopes(Collection<String> required) {
        return Scopes.satisfies(scopes, required);
    }

    /** True when the principal holds the {@code admin} scope. */
    public boolean isAdmin() {
        return scopes.contains(Scopes.ADMIN);
    }

    /**
     * The one check of the gateway's admin-only endpoints.
     *
     * @param action what the caller asked for, as the start of the refusal's message ("Reading the audit log")
     * @throws GatewayException 403 {@code forbidden} "{action} needs the admin scope." unless
     *         the principal holds the {@code admin} scope
     */
    public Principal requireAdmin(String action) {
        if (!isAdmin()) {
            throw Errors.forbidden(action + " needs the admin scope.");
        }
        return this;
    }
}

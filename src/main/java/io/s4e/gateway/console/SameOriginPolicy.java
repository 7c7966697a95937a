package io.s4e.gateway.console;

import java.util.Set;

import io.s4e.gateway.credential.Carrier;

import org.springframework.http.HttpMethod;

/**
 * Whether a request may change state with the session cookie: a browser proves where a request comes from with
 * {@code Sec-Fetch-Site} and {@code Origin}, which a page of another origin cannot forge.
 *
 * <ol>
 *   <li>Only POST, PUT, PATCH and DELETE whose credential is the {@code token} cookie are checked. A credential in
 *       {@code Authorization}, {@code X-API-Key} or {@code ?token=} is never sent by a browser on its own, so another
 *       site cannot use it.</li>
 *   <li>{@code Sec-Fetch-Site: same-origin} passes. Any other value ({@code same-site}, {@code cross-site},
 *       {@code none}) passes only with an {@code Origin} listed in {@code s4e.console.trusted-origins}.</li>
 *   <li>Without {@code Sec-Fetch-Site}, an {@code Origin} must be the request's own origin or a trusted one
 *       ({@code Origin: null} never is).</li>
 *   <li>Neither header: the request does not come from a browser (curl, a server-side client), which no other site
 *       can drive, so it passes. Every current browser sends {@code Origin} on a cross-origin POST, PUT, PATCH or
 *       DELETE.</li>
 * </ol>
 */
public final class SameOriginPolicy {

    private static final Set<HttpMethod> STATE_CHANGING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    private final Set<String> trustedOrigins;

    /** A policy that also accepts the (normalised) {@code trustedOrigins}. */
    public SameOriginPolicy(Set<String> trustedOrigins) {
        this.trustedOrigins = Set.copyOf(trustedOrigins);
    }

    /**
     * Decides one request.
     *
     * @param method         the request method
     * @param carrier        where its credential was found; null without one
     * @param secFetchSite   the {@code Sec-Fetch-Site} header; null when absent
     * @param origin         the {@code Origin} header; null when absent
     * @param expectedOrigin the origin the request was addressed to; null when it cannot be told
     * @return true when the request may go on
     */
    public boolean allows(HttpMethod method, Carrier carrier, String secFetchSite, String origin,
                          String expectedOrigin) {
        if (carrier != Carrier.COOKIE || !STATE_CHANGING.contains(method)) {
            return true;
        }
        String normalisedOrigin = Origins.normalise(origin);
        boolean trusted = normalisedOrigin != null && trustedOrigins.contains(normalisedOrigin);
        if (secFetchSite != null) {
            return "same-origin".equalsIgnoreCase(secFetchSite.strip()) || trusted;
        }
        if (origin != null) {
            return trusted || (normalisedOrigin != null && normalisedOrigin.equals(expectedOrigin));
        }
        return true;
    }
}

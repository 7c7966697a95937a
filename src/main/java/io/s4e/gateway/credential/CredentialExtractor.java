package io.s4e.gateway.credential;

import java.util.List;
import java.util.Optional;

import io.s4e.gateway.web.Errors;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.MultiValueMap;

/**
 * Reads the credential of a request from its carriers, in the order of CONTRACT §2: the first carrier present
 * decides; a carrier present twice is refused (400); two carriers holding different values are refused (401).
 * Only the syntax is checked here; whether the credential is valid is the authenticators' job.
 */
public final class CredentialExtractor {

    /** The cookie and query parameter that carry a session token. */
    public static final String TOKEN = "token";

    /** The header that carries an API key. */
    public static final String API_KEY_HEADER = "X-API-Key";

    /** Prefix of the temporary token of an unfinished MFA login. */
    public static final String MFA_TEMP_PREFIX = "mfa_temp_";

    private static final String BEARER = "bearer ";

    private CredentialExtractor() {
    }

    /**
     * The credential of {@code request}.
     *
     * @return the credential, or empty when no carrier is present
     * @throws io.s4e.gateway.web.GatewayException 400 for a repeated carrier, 401 for conflicting carriers or an
     *                                              empty or malformed value
     */
    public static Optional<Credential> extract(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        String bearer = bearer(headers.get(HttpHeaders.AUTHORIZATION));
        String apiKey = single(headers.get(API_KEY_HEADER), "X-API-Key header");
        String cookie = cookie(request.getCookies());
        String query = single(request.getQueryParams().get(TOKEN), "token query parameter");
        Credential first = firstPresent(bearer, apiKey, cookie, query);
        if (first == null) {
            return Optional.empty();
        }
        requireSameValue(first.value(), bearer, apiKey, cookie, query);
        if (first.value().isEmpty() || !isTokenSyntax(first.value())) {
            throw Errors.unauthorized("The credential is empty or malformed.");
        }
        return Optional.of(first);
    }

    private static Credential firstPresent(String bearer, String apiKey, String cookie, String query) {
        if (bearer != null) {
            return new Credential(kindOf(bearer), Carrier.AUTHORIZATION_BEARER, bearer);
        }
        if (apiKey != null) {
            Credential.Kind kind = apiKey.startsWith(MFA_TEMP_PREFIX) ? Credential.Kind.MFA_TEMP_TOKEN
                    : Credential.Kind.API_KEY;
            return new Credential(kind, Carrier.API_KEY_HEADER, apiKey);
        }
        if (cookie != null) {
            return new Credential(tokenKindOf(cookie), Carrier.COOKIE, cookie);
        }
        if (query != null) {
            return new Credential(tokenKindOf(query), Carrier.QUERY, query);
        }
        return null;
    }

    private static Credential.Kind kindOf(String bearerValue) {
        return ApiKeyFormat.hasPrefix(bearerValue) ? Credential.Kind.API_KEY : tokenKindOf(bearerValue);
    }

    private static Credential.Kind tokenKindOf(String value) {
        return value.startsWith(MFA_TEMP_PREFIX) ? Credential.Kind.MFA_TEMP_TOKEN : Credential.Kind.SESSION_TOKEN;
    }

    private static void requireSameValue(String decided, String... carriers) {
        for (String value : carriers) {
            if (value != null && !value.equals(decided)) {
                throw Errors.unauthorized("The request carries different credentials in different places.");
            }
        }
    }

    /** The bearer value of the Authorization header; null when absent or of another scheme. */
    private static String bearer(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Errors.invalidRequest("The Authorization header must not be repeated.");
        }
        String value = values.get(0);
        if (value.length() < BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            if (value.trim().equalsIgnoreCase("bearer")) {
                return "";
            }
            return null;
        }
        return value.substring(BEARER.length()).trim();
    }

    /** The one value of a carrier; null when absent; empty for a query parameter without {@code =} ({@code ?token}). */
    private static String single(List<String> values, String what) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Errors.invalidRequest("The " + what + " must not be repeated.");
        }
        String value = values.get(0);
        return value == null ? "" : value.trim();
    }

    private static String cookie(MultiValueMap<String, HttpCookie> cookies) {
        List<HttpCookie> values = cookies.get(TOKEN);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Errors.invalidRequest("The token cookie must not be repeated.");
        }
        return values.get(0).getValue().trim();
    }

    /** Token characters of RFC 6750 ({@code b64token}): no spaces, commas or control characters. */
    private static boolean isTokenSyntax(String value) {
        if (value.length() > 8192) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}

package io.s4e.gateway.passkey;

import java.net.IDN;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The WebAuthn relying party of passkeys (CONTRACT §11), checked at start-up: a gateway with an rp id or an origin
 * that no browser could ever use does not start.
 *
 * @param rpId                    the relying party id: a host name (no scheme, no port) that every origin's host
 *                                equals or ends with after a dot; default {@code localhost}
 * @param rpName                  the name a browser shows for the relying party; default {@code S4E}
 * @param origins                 the origins ({@code https://host[:port]}; {@code http} only for {@code localhost})
 *                                a browser may sign in from; default {@code http://localhost:8080}, the console of a
 *                                gateway on its default port
 * @param optionsPerIpPerMinute   passkey sign-in challenges (password-free or second factor) one client IP may ask
 *                                for per minute, per replica; default 30
 */
@ConfigurationProperties("s4e.webauthn")
public record WebAuthnProperties(String rpId, String rpName, List<String> origins, Integer optionsPerIpPerMinute) {

    public WebAuthnProperties {
        rpId = rpId == null || rpId.isBlank() ? "localhost" : rpId.strip().toLowerCase(Locale.ROOT);
        rpName = rpName == null || rpName.isBlank() ? "S4E" : rpName.strip();
        optionsPerIpPerMinute = optionsPerIpPerMinute == null ? 30 : optionsPerIpPerMinute;
        if (!isHostName(rpId)) {
            throw new IllegalArgumentException("s4e.webauthn.rp-id must be a host name such as example.com (no "
                    + "scheme, port or path), not '" + rpId + "'");
        }
        if (rpName.length() > 64) {
            throw new IllegalArgumentException("s4e.webauthn.rp-name must be at most 64 characters");
        }
        if (optionsPerIpPerMinute < 1) {
            throw new IllegalArgumentException("s4e.webauthn.options-per-ip-per-minute must be at least 1");
        }
        List<String> given = origins == null || origins.isEmpty() ? List.of("http://localhost:8080") : origins;
        Set<String> normalised = new LinkedHashSet<>();
        for (String value : given) {
            normalised.add(origin(value, rpId));
        }
        origins = List.copyOf(normalised);
    }

    /** {@code value} as a normalised origin whose host belongs to {@code rpId}; refuses anything else. */
    private static String origin(String value, String rpId) {
        String origin = value == null ? null : normalise(value.strip());
        if (origin == null) {
            throw new IllegalArgumentException("s4e.webauthn.origins: '" + value + "' is not an origin (http or "
                    + "https scheme, a host, an optional port, no path)");
        }
        URI uri = URI.create(origin);
        String host = uri.getHost();
        if (!host.equals(rpId) && !host.endsWith("." + rpId)) {
            throw new IllegalArgumentException("s4e.webauthn.origins: the host of '" + origin + "' is not "
                    + "s4e.webauthn.rp-id '" + rpId + "' or a subdomain of it, so browsers would refuse every passkey");
        }
        if ("http".equals(uri.getScheme()) && !host.equals("localhost") && !host.endsWith(".localhost")) {
            throw new IllegalArgumentException("s4e.webauthn.origins: '" + origin + "' must use https (browsers "
                    + "offer WebAuthn over http only on localhost)");
        }
        return origin;
    }

    /**
     * The normal form of an http(s) origin (lower-case scheme and host, no default port), as browsers put it into
     * client data; null when {@code value} has a path, query, fragment or user info, or is not http(s).
     */
    static String normalise(String value) {
        URI uri;
        try {
            uri = new URI(value);
        }
        catch (java.net.URISyntaxException invalid) {
            return null;
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
            return null;
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80)
                || ("https".equals(scheme) && port == 443);
        String origin = scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT);
        return defaultPort ? origin : origin + ":" + port;
    }

    private static boolean isHostName(String value) {
        if (value.length() > 253 || value.startsWith(".") || value.endsWith(".") || value.contains("..")) {
            return false;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(value, IDN.USE_STD3_ASCII_RULES);
        }
        catch (IllegalArgumentException invalid) {
            return false;
        }
        return ascii.equals(value) && !value.matches("[0-9.]+") && value.matches("[a-z0-9.-]+");
    }
}

package io.s4e.gateway.relay;

import java.util.List;
import java.util.StringJoiner;

/** Rewrites {@code Cookie} request headers. */
final class CookieHeaders {

    private CookieHeaders() {
    }

    /** The cookie pairs of {@code headers} without those named {@code name}, joined as one header value. */
    static String without(List<String> headers, String name) {
        StringJoiner kept = new StringJoiner("; ");
        for (String header : headers) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                String cookieName = (eq < 0 ? trimmed : trimmed.substring(0, eq)).trim();
                if (!cookieName.equals(name)) {
                    kept.add(trimmed);
                }
            }
        }
        return kept.toString();
    }
}

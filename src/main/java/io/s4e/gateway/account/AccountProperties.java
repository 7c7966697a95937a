package io.s4e.gateway.account;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Account self-service (CONTRACT §10): password reset by e-mail and the session list.
 *
 * @param publicUrl              the gateway's public base URL ({@code https://host[:port]}, no path) that reset mails
 *                               link to ({@code <public-url>/console/#/reset?token=…}); never taken from the request's
 *                               Host header, which a client chooses. Default none: the mail then names the console
 *                               page and holds the token to paste there
 * @param resetTokenTtl          how long a mailed {@code pwr_} token can be used; default 30m
 * @param resetMailInterval      at most one reset mail per account within this time; default 60s
 * @param resetMaxInFlight       most forgotten-password requests processed (looked up and mailed) at once per
 *                               replica, after their 202; more are dropped and counted; default 64
 * @param lastSeenFlushInterval  how often each replica writes the {@code last_seen_at} of the sessions it served, one
 *                               Redis write per session and interval at most; default 60s
 */
@ConfigurationProperties("s4e.accounts")
public record AccountProperties(String publicUrl, Duration resetTokenTtl, Duration resetMailInterval,
                                Integer resetMaxInFlight, Duration lastSeenFlushInterval) {

    public AccountProperties {
        publicUrl = publicUrl == null || publicUrl.isBlank() ? null : validUrl(publicUrl.strip());
        resetTokenTtl = positive(resetTokenTtl, Duration.ofMinutes(30), "reset-token-ttl");
        resetMailInterval = positive(resetMailInterval, Duration.ofSeconds(60), "reset-mail-interval");
        resetMaxInFlight = resetMaxInFlight == null ? 64 : resetMaxInFlight;
        if (resetMaxInFlight < 1) {
            throw new IllegalArgumentException("s4e.accounts.reset-max-in-flight must be at least 1");
        }
        lastSeenFlushInterval = positive(lastSeenFlushInterval, Duration.ofSeconds(60), "last-seen-flush-interval");
    }

    private static String validUrl(String value) {
        String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        URI uri;
        try {
            uri = URI.create(trimmed);
        }
        catch (IllegalArgumentException invalid) {
            uri = null;
        }
        if (uri == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("s4e.accounts.public-url must be an http(s) URL such as "
                    + "https://gateway.example.com, not '" + value + "'");
        }
        return trimmed;
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("s4e.accounts." + name + " must be positive, not " + value);
        }
        return value;
    }
}

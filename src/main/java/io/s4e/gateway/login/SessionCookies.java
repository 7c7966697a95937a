package io.s4e.gateway.login;

import java.time.Duration;
import java.time.Instant;

import io.s4e.gateway.session.SessionProperties;

import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

/** The {@code token} cookie: {@code HttpOnly; SameSite=Lax; Path=/}, {@code Secure} unless configured off. */
@Component
public class SessionCookies {

    static final String NAME = "token";

    private final boolean secure;

    public SessionCookies(SessionProperties properties) {
        this.secure = properties.cookieSecure();
    }

    /** The cookie carrying {@code token}, kept by the browser until {@code expiresAt}. */
    public ResponseCookie of(String token, Instant expiresAt, Instant now) {
        long seconds = Math.max(0, Duration.between(now, expiresAt).getSeconds());
        return base(token).maxAge(seconds).build();
    }

    /** The cookie that makes the browser forget the token. */
    public ResponseCookie cleared() {
        return base("").maxAge(0).build();
    }

    private ResponseCookie.ResponseCookieBuilder base(String value) {
        return ResponseCookie.from(NAME, value).httpOnly(true).sameSite("Lax").path("/").secure(secure);
    }
}

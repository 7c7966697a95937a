package io.s4e.gateway.session;

/**
 * A session just created, with its signed token. The token is a secret: {@link #toString()} never shows it.
 *
 * @param session the stored session
 * @param token   the signed session token
 */
public record IssuedSession(Session session, String token) {

    @Override
    public String toString() {
        return "IssuedSession[sid=" + session.sid() + ", userId=" + session.userId() + "]";
    }
}

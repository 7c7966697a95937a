package io.s4e.gateway.login;

import java.util.List;

/** The JSON answers of the login endpoints. */
public final class LoginViews {

    private LoginViews() {
    }

    /** {@code data} of a successful login or refresh. */
    public record LoggedIn(String token, User user) {

        @Override
        public String toString() {
            return "LoggedIn[user=" + user + "]";
        }
    }

    /** The logged-in user. */
    public record User(long id, String email, String role) {
    }

    /** {@code data} of a login that needs a second factor. toString hides the token. */
    public record MfaRequired(String mfa_token, List<String> methods) {

        @Override
        public String toString() {
            return "MfaRequired[methods=" + methods + "]";
        }
    }

    /** {@code data} of a mailed MFA code. */
    public record CodeSent(boolean sent) {
    }

    /** {@code data} of a logout. */
    public record LoggedOut(boolean all) {
    }
}

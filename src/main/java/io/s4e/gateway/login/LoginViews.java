package io.s4e.gateway.login;

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

    /** {@code data} of a logout. */
    public record LoggedOut(boolean all) {
    }
}

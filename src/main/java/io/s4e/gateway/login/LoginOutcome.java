package io.s4e.gateway.login;

import java.util.List;

import io.s4e.gateway.session.IssuedSession;

/** What a correct password leads to: a session, or a second step when the user has MFA enabled. */
public sealed interface LoginOutcome {

    /** The user is logged in. */
    record Started(IssuedSession issued) implements LoginOutcome {
    }

    /**
     * A second factor is needed. toString hides the token.
     *
     * @param mfaToken the {@code mfa_temp_} token of the step
     * @param methods  the user's enabled methods, {@code totp} before {@code email}
     */
    record MfaRequired(String mfaToken, List<String> methods) implements LoginOutcome {

        @Override
        public String toString() {
            return "MfaRequired[methods=" + methods + "]";
        }
    }
}

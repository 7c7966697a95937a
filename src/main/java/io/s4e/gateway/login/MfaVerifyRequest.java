package io.s4e.gateway.login;

/** The body of {@code /api/user/auth/mfa/verify} and {@code /send}. toString hides the token and the code. */
public record MfaVerifyRequest(String mfa_token, String code, String method) {

    @Override
    public String toString() {
        return "MfaVerifyRequest[method=" + method + "]";
    }
}

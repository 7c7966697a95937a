package io.s4e.gateway.mfa;

/** Request and answer bodies of the MFA endpoints. */
public final class MfaViews {

    private MfaViews() {
    }

    /** The answer of TOTP setup. toString hides the secret. */
    public record TotpSetup(String secret, String otpauth_uri) {

        @Override
        public String toString() {
            return "TotpSetup[secret=<hidden>]";
        }
    }

    /** A body carrying one code. toString hides it. */
    public record CodeRequest(String code) {

        @Override
        public String toString() {
            return "CodeRequest[code=<hidden>]";
        }
    }

    /** Which second factors are enabled after a change. */
    public record Enabled(boolean totp_enabled, boolean email_enabled) {
    }

    /** A new set of recovery codes, shown once. toString hides them. */
    public record RecoveryCodeSet(java.util.List<String> codes) {

        @Override
        public String toString() {
            return "RecoveryCodeSet[" + codes.size() + " codes hidden]";
        }
    }

    /** The factors of a user after a change. */
    public record Factors(boolean totp_enabled, boolean email_enabled, int recovery_codes_left) {
    }

    /** The answer of an admin MFA reset. */
    public record Reset(long user_id, long sessions_ended) {
    }
}

package io.s4e.gateway.mfa;

/** A user's second factors as stored. toString hides the TOTP secret. */
public record MfaSettings(long userId, String email, String totpSecret, boolean totpEnabled, boolean emailEnabled) {

    /** True when at least one second factor is enabled. */
    public boolean anyEnabled() {
        return totpEnabled || emailEnabled;
    }

    @Override
    public String toString() {
        return "MfaSettings[userId=" + userId + ", totpEnabled=" + totpEnabled + ", emailEnabled=" + emailEnabled + "]";
    }
}

package io.s4e.gateway.mfa;

/**
 * A user's second factors as stored. toString hides the TOTP secret.
 *
 * @param passkeyEnabled true when the user has at least one passkey (a passkey is a second factor, CONTRACT §11)
 */
public record MfaSettings(long userId, String email, String totpSecret, boolean totpEnabled, boolean emailEnabled,
                          boolean passkeyEnabled) {

    /** True when at least one second factor is enabled (a passkey counts). */
    public boolean anyEnabled() {
        return totpEnabled || emailEnabled || passkeyEnabled;
    }

    @Override
    public String toString() {
        return "MfaSettings[userId=" + userId + ", totpEnabled=" + totpEnabled + ", emailEnabled=" + emailEnabled
                + ", passkeyEnabled=" + passkeyEnabled + "]";
    }
}

package io.s4e.gateway.mfa;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Second factors at rest. Keys are never shown by {@link #toString()}.
 *
 * @param encryptionKeys the AES-256 keys that encrypt TOTP secrets (and key the recovery-code hashes), each
 *                       {@code <key id>:<base64 of 32 random bytes>}; the first encrypts, every one decrypts, so a
 *                       new first key rotates them (stored secrets are re-encrypted on their next use). Empty by
 *                       default: the gateway then starts only while the database holds no encrypted secret, and
 *                       refuses TOTP enrolment and recovery codes (503) until a key is set
 */
@ConfigurationProperties("s4e.mfa")
public record MfaProperties(List<String> encryptionKeys) {

    public MfaProperties {
        encryptionKeys = encryptionKeys == null ? List.of() : List.copyOf(encryptionKeys);
    }

    @Override
    public String toString() {
        return "MfaProperties[encryptionKeys=<" + encryptionKeys.size() + " hidden>]";
    }
}

package io.s4e.gateway.bootstrap;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the gateway ensures exists on every start (CONTRACT §9). Idempotent: nothing is changed when it exists.
 *
 * @param adminEmail    email of an admin user created when no user has it
 * @param adminPassword that admin's password (at least 12 characters), stored as an Argon2id hash
 * @param adminApiKey   an {@code admin}-scoped API key with exactly this secret, created when no key has it; owned by
 *                      the admin above, or by a password-less service user {@code bootstrap-admin@s4e.invalid}
 */
@ConfigurationProperties("s4e.bootstrap")
public record BootstrapProperties(String adminEmail, String adminPassword, String adminApiKey) {

    @Override
    public String toString() {
        return "BootstrapProperties[adminEmail=" + adminEmail + "]";
    }
}

package io.s4e.gateway.mfa;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Hands migration V8, which needs the configured keys, to Flyway (Spring Boot adds every JavaMigration bean). */
@Configuration(proxyBeanMethods = false)
public class MfaConfiguration {

    @Bean
    public V8__encrypt_totp_secrets_and_recovery_codes totpSecretsMigration(MfaKeys keys) {
        return new V8__encrypt_totp_secrets_and_recovery_codes(keys);
    }
}

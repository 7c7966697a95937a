package io.s4e.gateway.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.apikey.ApiKeyProperties;
import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.login.captcha.CaptchaProperties;
import io.s4e.gateway.session.SessionProperties;
import io.s4e.gateway.web.NetworkProperties;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Environment variables override {@code s4e.*} properties by Spring Boot's relaxed binding, under the names the
 * Helm chart and the README use (S4E_SESSION_TTL, S4E_CAPTCHA_VENDORS_GOOGLEV3_SECRET, …).
 */
class EnvironmentOverrideTests {

    @Test
    void environmentWhenVariablesSetThenTheyBindToGatewayProperties() {
        Binder binder = binderOver(Map.of(
                "S4E_SESSION_JWT_SECRET", "Vq3nT8xL1mR6wZ0pK4dH7sB2gF9jC5aY",
                "S4E_SESSION_TTL", "2h",
                "S4E_SESSION_COOKIE_SECURE", "false",
                "S4E_API_KEYS_CACHE_TTL", "10s",
                "S4E_TRUSTED_PROXIES", "10.0.0.0/8,192.168.0.0/16",
                "S4E_REDIS_KEY_PREFIX", "tenant-a:",
                "S4E_CAPTCHA_VENDORS_GOOGLEV3_SECRET", "vendor-secret",
                "S4E_CAPTCHA_MIN_SCORE", "0.7"));

        SessionProperties session = binder.bindOrCreate("s4e.session", SessionProperties.class);
        assertThat(session.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(session.cookieSecure()).isFalse();
        assertThat(session.jwtSecret()).isEqualTo("Vq3nT8xL1mR6wZ0pK4dH7sB2gF9jC5aY");
        assertThat(binder.bindOrCreate("s4e.api-keys", ApiKeyProperties.class).cacheTtl())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(binder.bindOrCreate("s4e", NetworkProperties.class).trustedProxies())
                .isEqualTo(List.of("10.0.0.0/8", "192.168.0.0/16"));
        assertThat(binder.bindOrCreate("s4e.redis", RedisKeyProperties.class).keyPrefix()).isEqualTo("tenant-a:");
        CaptchaProperties captcha = binder.bindOrCreate("s4e.captcha", CaptchaProperties.class);
        assertThat(captcha.minScore()).isEqualTo(0.7);
        assertThat(captcha.vendors()).containsKey("googlev3");
        assertThat(captcha.vendors().get("googlev3").secret()).isEqualTo("vendor-secret");
    }

    @Test
    void environmentWhenNothingSetThenRecordDefaults() {
        Binder binder = binderOver(Map.of("S4E_SESSION_JWT_SECRET", "Vq3nT8xL1mR6wZ0pK4dH7sB2gF9jC5aY"));
        SessionProperties session = binder.bindOrCreate("s4e.session", SessionProperties.class);
        assertThat(session.ttl()).isEqualTo(Duration.ofHours(24));
        assertThat(session.refreshGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(binder.bindOrCreate("s4e.api-keys", ApiKeyProperties.class).lookupTimeout())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(binder.bindOrCreate("s4e.redis", RedisKeyProperties.class).keyPrefix()).isEqualTo("s4e:");
    }

    private static Binder binderOver(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        return new Binder(ConfigurationPropertySources.get(environment));
    }
}

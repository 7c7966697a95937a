package io.s4e.gateway.ops;

import java.util.Map;

import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A bad value stops the start with a message naming the property and what is wrong, before any port is opened
 * (Spring Boot prints it as "APPLICATION FAILED TO START").
 */
class ConfigurationValidationIntegrationTests {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "s4e.session.ttl                | 0s          | s4e.session.ttl must be positive",
        "s4e.session.max-lifetime       | -1d         | s4e.session.max-lifetime must be positive",
        "s4e.api-keys.lookup-timeout    | -2s         | s4e.api-keys.lookup-timeout must be positive",
        "s4e.api-keys.cache-max-size    | 0           | s4e.api-keys.cache-max-size must be at least 1",
        "s4e.captcha.min-score          | 1.5         | s4e.captcha.min-score must be between 0 and 1",
        "s4e.captcha.bypass-cidrs       | 10.0.0.0/40 | s4e.captcha.bypass-cidrs",
        "s4e.trusted-proxies            | proxy.local | s4e.trusted-proxies",
        "s4e.session.ttl                | tomorrow    | s4e.session.ttl",
    })
    void startWhenValueIsBadThenRefusedWithAMessageNamingTheProperty(String property, String value, String message) {
        assertThatThrownBy(() -> SecondGateway.start(Map.of(property, value)).close())
                .satisfies(failure -> assertThat(messages(failure)).contains(message));
    }

    /** Every message of the cause chain: Spring wraps the record's own message in bean-creation exceptions. */
    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}

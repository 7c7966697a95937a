package io.s4e.gateway.account;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The account self-service metrics: {@code s4e_password_changes_total{kind=change|reset}} and
 * {@code s4e_password_forgot_total{result=mailed|throttled|unknown_account|mail_failed|dropped}} (how the
 * forgotten-password requests ended after their 202; a rise of {@code mail_failed} means the SMTP server is away).
 */
@Component
public class AccountMetrics {

    private final MeterRegistry meters;

    public AccountMetrics(MeterRegistry meters) {
        this.meters = meters;
        for (String kind : new String[] {"change", "reset"}) {
            passwordChanges(kind);
        }
        for (String result : new String[] {"mailed", "throttled", "unknown_account", "mail_failed", "dropped"}) {
            forgot(result);
        }
    }

    void passwordChanged(String kind) {
        passwordChanges(kind).increment();
    }

    void forgotEnded(String result) {
        forgot(result).increment();
    }

    private Counter passwordChanges(String kind) {
        return Counter.builder("s4e.password.changes")
                .description("Passwords changed by their user (change) or with a mailed token (reset)")
                .tag("kind", kind)
                .register(meters);
    }

    private Counter forgot(String result) {
        return Counter.builder("s4e.password.forgot")
                .description("Forgotten-password requests by how they ended after their 202")
                .tag("result", result)
                .register(meters);
    }
}

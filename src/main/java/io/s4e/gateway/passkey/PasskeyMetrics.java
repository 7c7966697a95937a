package io.s4e.gateway.passkey;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * {@code s4e.passkey.ceremonies{ceremony,outcome}}: every verified or refused passkey response. {@code ceremony} is
 * {@code registration}, {@code second_factor} or {@code password_free}; {@code outcome} is {@code success} or the
 * check that failed ({@code challenge}, {@code origin}, {@code rp_id}, {@code signature}, {@code counter},
 * {@code user_verification}, {@code credential}, {@code user_handle}, {@code disabled}, {@code invalid}). A
 * growing {@code counter} outcome is the sign of a cloned authenticator.
 */
@Component
public class PasskeyMetrics {

    /** Metric name. */
    public static final String METRIC = "s4e.passkey.ceremonies";

    private final MeterRegistry meters;

    public PasskeyMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** A registration response was accepted ({@code success}) or refused by {@code outcome}. */
    public void registration(String outcome) {
        count("registration", outcome);
    }

    /** A sign-in response was accepted or refused; {@code passwordFree} tells which kind of sign-in. */
    public void signIn(boolean passwordFree, String outcome) {
        count(passwordFree ? "password_free" : "second_factor", outcome);
    }

    private void count(String ceremony, String outcome) {
        meters.counter(METRIC, "ceremony", ceremony, "outcome", outcome).increment();
    }
}

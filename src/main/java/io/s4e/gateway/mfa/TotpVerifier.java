package io.s4e.gateway.mfa;

import java.time.Clock;
import java.util.OptionalLong;

import org.apache.commons.codec.binary.Base32;
import org.springframework.stereotype.Component;

/**
 * Checks a TOTP code against a Base32 secret at the current time, accepting the current step and one step either
 * side. Whether a step was already used is the caller's business: it gets the matched step to record.
 */
@Component
public class TotpVerifier {

    private static final int WINDOW = 1;

    private final Clock clock;

    public TotpVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * The time step whose code equals {@code code}, searched from one step back to one step ahead.
     *
     * @return the matched step; empty when the code is malformed, matches no step of the window, or the secret is
     *         not Base32
     */
    public OptionalLong matchingStep(String base32Secret, String code) {
        if (base32Secret == null || !wellFormed(code)) {
            return OptionalLong.empty();
        }
        byte[] key = new Base32().decode(base32Secret);
        if (key.length == 0) {
            return OptionalLong.empty();
        }
        long now = TotpAlgorithm.step(clock.instant());
        OptionalLong matched = OptionalLong.empty();
        for (long step = now - WINDOW; step <= now + WINDOW; step++) {
            if (TotpAlgorithm.sameCode(TotpAlgorithm.code(key, step, TotpAlgorithm.DIGITS), code)
                    && matched.isEmpty()) {
                matched = OptionalLong.of(step);
            }
        }
        return matched;
    }

    private static boolean wellFormed(String code) {
        return code != null && code.length() == TotpAlgorithm.DIGITS
                && code.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}

package io.s4e.gateway.mfa;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TotpVerifierTests {

    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final String SECRET = new Base32().encodeAsString(SEED);
    private static final Instant NOW = Instant.ofEpochSecond(1111111111);
    private static final long STEP = TotpAlgorithm.step(NOW);

    private final TotpVerifier verifier = new TotpVerifier(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void matchingStepWhenRfcCodeAtItsTimeThenThatStep() {
        assertThat(verifier.matchingStep(SECRET, "050471")).hasValue(STEP);
    }

    @Test
    void matchingStepWhenCodeOfPreviousOrNextStepThenThatStep() {
        assertThat(verifier.matchingStep(SECRET, code(STEP - 1))).hasValue(STEP - 1);
        assertThat(verifier.matchingStep(SECRET, code(STEP + 1))).hasValue(STEP + 1);
    }

    @Test
    void matchingStepWhenCodeTwoStepsAwayThenEmpty() {
        assertThat(verifier.matchingStep(SECRET, code(STEP - 2))).isEmpty();
        assertThat(verifier.matchingStep(SECRET, code(STEP + 2))).isEmpty();
    }

    @Test
    void matchingStepWhenMalformedCodeOrMissingSecretThenEmpty() {
        assertThat(verifier.matchingStep(SECRET, null)).isEmpty();
        assertThat(verifier.matchingStep(SECRET, "05047")).isEmpty();
        assertThat(verifier.matchingStep(SECRET, "05047a")).isEmpty();
        assertThat(verifier.matchingStep(SECRET, "0504711")).isEmpty();
        assertThat(verifier.matchingStep(null, "050471")).isEmpty();
        assertThat(verifier.matchingStep("", "050471")).isEmpty();
    }

    private static String code(long step) {
        return TotpAlgorithm.code(SEED, step, TotpAlgorithm.DIGITS);
    }
}

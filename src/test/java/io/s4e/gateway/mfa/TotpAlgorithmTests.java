package io.s4e.gateway.mfa;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** RFC 6238 appendix B, SHA-1 rows. */
class TotpAlgorithmTests {

    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({
            "59, 94287082",
            "1111111109, 07081804",
            "1111111111, 14050471",
            "1234567890, 89005924",
            "2000000000, 69279037"
    })
    void codeWhenRfcVectorWithEightDigitsThenMatches(long epochSecond, String expected) {
        long step = TotpAlgorithm.step(Instant.ofEpochSecond(epochSecond));

        assertThat(TotpAlgorithm.code(SEED, step, 8)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "59, 287082",
            "1111111109, 081804",
            "1111111111, 050471",
            "1234567890, 005924",
            "2000000000, 279037"
    })
    void codeWhenRfcVectorWithSixDigitsThenLastSixDigitsZeroPadded(long epochSecond, String expected) {
        long step = TotpAlgorithm.step(Instant.ofEpochSecond(epochSecond));

        assertThat(TotpAlgorithm.code(SEED, step, 6)).isEqualTo(expected);
    }

    @Test
    void stepWhenInstantsWithinOneThirtySecondWindowThenSameStep() {
        assertThat(TotpAlgorithm.step(Instant.ofEpochSecond(30))).isEqualTo(1);
        assertThat(TotpAlgorithm.step(Instant.ofEpochSecond(59))).isEqualTo(1);
        assertThat(TotpAlgorithm.step(Instant.ofEpochSecond(60))).isEqualTo(2);
        assertThat(TotpAlgorithm.step(Instant.ofEpochSecond(1111111109))).isEqualTo(0x023523EC);
    }

    @Test
    void codeWhenDigitsOutOfRangeThenRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> TotpAlgorithm.code(SEED, 1, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> TotpAlgorithm.code(SEED, 1, 9));
    }

    @Test
    void sameCodeWhenEqualThenTrueOtherwiseFalse() {
        assertThat(TotpAlgorithm.sameCode("123456", "123456")).isTrue();
        assertThat(TotpAlgorithm.sameCode("123456", "123457")).isFalse();
        assertThat(TotpAlgorithm.sameCode("123456", "12345")).isFalse();
    }
}

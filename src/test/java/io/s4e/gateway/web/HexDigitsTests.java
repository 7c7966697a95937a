package io.s4e.gateway.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HexDigitsTests {

    @Test
    void asciiDigitsOfEitherCaseHaveTheirValue() {
        assertThat(HexDigits.value('0')).isZero();
        assertThat(HexDigits.value('9')).isEqualTo(9);
        assertThat(HexDigits.value('a')).isEqualTo(10);
        assertThat(HexDigits.value('f')).isEqualTo(15);
        assertThat(HexDigits.value('A')).isEqualTo(10);
        assertThat(HexDigits.value('F')).isEqualTo(15);
    }

    @Test
    void anythingElseIsNotADigit() {
        for (char c : new char[] {'g', 'G', '/', ':', '@', '`', ' ', '%', '\u0000'}) {
            assertThat(HexDigits.value(c)).as("%s", c).isEqualTo(-1);
        }
        // fullwidth digit and letter, and Arabic-Indic digit: Character.digit would accept them
        assertThat(HexDigits.value('\uFF11')).isEqualTo(-1);
        assertThat(HexDigits.value('\uFF21')).isEqualTo(-1);
        assertThat(HexDigits.value('\u0661')).isEqualTo(-1);
    }
}

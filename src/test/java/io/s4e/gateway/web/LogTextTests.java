package io.s4e.gateway.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTests {

    @Test
    void escapeWhenControlCharactersThenEachWrittenAsEscape() {
        assertThat(LogText.escape("a\r\nb\tc\u0000d\u001b[31me\u007ff\u0085g\u2028h\u2029"))
                .isEqualTo("a\\r\\nb\\tc\\x00d\\x1B[31me\\x7Ff\\x85g\\u2028h\\u2029");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "GET /a HTTP/1.1", "caf\u00e9 \u2603 \\x1B" })
    void escapeWhenNoControlCharacterThenSameInstance(String text) {
        String value = new String(text);

        assertThat(LogText.escape(value)).isSameAs(value);
    }

    @Test
    void escapeWhenNullThenNull() {
        assertThat(LogText.escape(null)).isNull();
    }
}

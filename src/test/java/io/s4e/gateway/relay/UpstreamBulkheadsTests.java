package io.s4e.gateway.relay;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class UpstreamBulkheadsTests {

    @Test
    void limitOfWhenNoMetadataThenDefault() {
        assertThat(UpstreamBulkheads.limitOf(Map.of(), 512)).isEqualTo(512);
        assertThat(UpstreamBulkheads.limitOf(null, 512)).isEqualTo(512);
    }

    @Test
    void limitOfWhenNumberOrTextThenThatLimit() {
        assertThat(UpstreamBulkheads.limitOf(Map.of("s4e-max-upstream-concurrent", 3), 512)).isEqualTo(3);
        assertThat(UpstreamBulkheads.limitOf(Map.of("s4e-max-upstream-concurrent", " 40 "), 512)).isEqualTo(40);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "many", "1.5", "99999999999"})
    void limitOfWhenNotAWholeNumberOfAtLeastOneThenRefusedNamingTheKey(String value) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> UpstreamBulkheads.limitOf(Map.of("s4e-max-upstream-concurrent", value), 512))
                .withMessageContaining("s4e-max-upstream-concurrent").withMessageContaining(value);
    }
}

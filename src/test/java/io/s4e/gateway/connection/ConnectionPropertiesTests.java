package io.s4e.gateway.connection;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConnectionPropertiesTests {

    @Test
    void constructorWhenNothingSetThenContractDefaults() {
        ConnectionProperties properties = new ConnectionProperties(null, null, null, null, null, null, null, null);

        assertThat(properties.headerTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(properties.bodyIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.keepAliveIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.maxConnectionsPerIp()).isEqualTo(256);
        assertThat(properties.maxConnections()).isEqualTo(10_000);
        assertThat(properties.maxUpstreamConcurrent()).isEqualTo(512);
        assertThat(properties.upstreamBusyRetryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.maxBufferedBody()).isEqualTo(DataSize.ofKilobytes(64));
    }

    @Test
    void constructorWhenADeadlineIsZeroThenRefusedNamingTheProperty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConnectionProperties(Duration.ZERO, null, null, null, null, null, null, null))
                .withMessageContaining("s4e.server.header-timeout");
    }

    @Test
    void constructorWhenACapIsBelowOneThenRefusedNamingTheProperty() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConnectionProperties(null, null, null, 0, null, null, null, null))
                .withMessageContaining("s4e.server.max-connections-per-ip");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ConnectionProperties(null, null, null, null, null, -1, null, null))
                .withMessageContaining("s4e.server.max-upstream-concurrent");
    }
}

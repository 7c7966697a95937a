package io.s4e.gateway.route;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.ratelimit.RateLimitProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing of {@code N/min} and of the rate-limit metadata and properties. */
class RateTests {

    @Test
    void parsesThePerMinuteFormAndItsShortSiblings() {
        assertThat(Rate.parse("10/min")).isEqualTo(new Rate(10, Duration.ofMinutes(1)));
        assertThat(Rate.parse(" 5 / minute ")).isEqualTo(new Rate(5, Duration.ofMinutes(1)));
        assertThat(Rate.parse("2/s")).isEqualTo(new Rate(2, Duration.ofSeconds(1)));
        assertThat(Rate.parse("100/h")).isEqualTo(new Rate(100, Duration.ofHours(1)));
        assertThat(Rate.parse("10/min").perMilli()).isEqualTo(10 / 60_000.0);
    }

    @Test
    void refusesOtherForms() {
        for (String bad : List.of("", "10", "0/min", "-1/min", "ten/min", "10/day", "10 per minute", "1.5/min")) {
            assertThatThrownBy(() -> Rate.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("N/min");
        }
        assertThatThrownBy(() -> Rate.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void routeMetadataNamesTheLimitAfterTheRoute() {
        EndpointLimit limit = EndpointLimit.parse("scan", Map.of("s4e-rate-limit", "10/min", "s4e-max-concurrent", 5));
        assertThat(limit).isEqualTo(new EndpointLimit("route:scan", Rate.perMinute(10), 5));
        assertThat(EndpointLimit.parse("plain", Map.of("s4e-auth", "none"))).isSameAs(EndpointLimit.NONE);
        assertThat(EndpointLimit.parse("stream", Map.of("s4e-max-concurrent", "5")).maxConcurrent()).isEqualTo(5);
    }

    @Test
    void invalidRouteMetadataNamesTheKey() {
        assertThatThrownBy(() -> EndpointLimit.parse("r", Map.of("s4e-rate-limit", "lots")))
                .hasMessageContaining("s4e-rate-limit");
        assertThatThrownBy(() -> EndpointLimit.parse("r", Map.of("s4e-max-concurrent", "0")))
                .hasMessageContaining("s4e-max-concurrent");
        assertThatThrownBy(() -> EndpointLimit.parse("r", Map.of("s4e-max-concurrent", "five")))
                .hasMessageContaining("s4e-max-concurrent");
    }

    @Test
    void propertiesDefaultToTheContractAndRefuseNonsense() {
        RateLimitProperties defaults = new RateLimitProperties(null, null, null, null, null, null, null, null, null,
                null, null, null);
        assertThat(defaults.tier("standard").capacity()).isEqualTo(120);
        assertThat(defaults.tier("premium").capacity()).isEqualTo(1100);
        assertThat(defaults.tier("enterprise").capacity()).isEqualTo(10500);
        assertThat(defaults.tier("unknown")).isEqualTo(defaults.tier("standard"));
        assertThat(defaults.endpoints()).hasSize(4);
        assertThat(defaults.login().perIpPerMinute()).isEqualTo(10);

        assertThatThrownBy(() -> new RateLimitProperties(null,
                Map.of("standard", new RateLimitProperties.Tier(0L, 20L)), null, null, null, null, null, null, null,
                null, null, null)).hasMessageContaining("s4e.rate-limits.tiers.standard.per-minute");
        assertThatThrownBy(() -> new RateLimitProperties(null, null, "gold", null, null, null, null, null, null,
                null, null, null)).hasMessageContaining("default-tier");
        assertThatThrownBy(() -> new RateLimitProperties(null, null, null, null,
                List.of(new RateLimitProperties.Endpoint("POST", "/x", "often", null)), null, null, null, null,
                null, null, null)).hasMessageContaining("endpoints[0].limit");
        assertThatThrownBy(() -> new RateLimitProperties(null, null, null, null, null, Duration.ZERO, null, null,
                null, null, null, null)).hasMessageContaining("redis-timeout");
    }

    @Test
    void reservationBatchesStayExactForSmallBucketsAndAreBounded() {
        RateLimitProperties.Reservation defaults = new RateLimitProperties.Reservation(null, null);
        assertThat(defaults.batchFor(120)).as("standard: one token, exact").isEqualTo(1);
        assertThat(defaults.batchFor(1100)).as("premium: 1 %").isEqualTo(11);
        assertThat(defaults.batchFor(10500)).as("enterprise: 1 %").isEqualTo(105);
        assertThat(defaults.batchFor(1_000_000)).as("capped").isEqualTo(256);
        assertThat(new RateLimitProperties.Reservation(1, null).batchFor(10500)).as("off").isEqualTo(1);
        assertThatThrownBy(() -> new RateLimitProperties.Reservation(0, null)).hasMessageContaining("max-batch");
        assertThatThrownBy(() -> new RateLimitProperties.Reservation(null, 1.5)).hasMessageContaining("fraction");
    }
}

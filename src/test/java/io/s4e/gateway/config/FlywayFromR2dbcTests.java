package io.s4e.gateway.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The JDBC URL Flyway is given for each form of R2DBC URL. */
class FlywayFromR2dbcTests {

    @Test
    void singleHostUrlThenSameHostWithoutOptions() {
        assertThat(FlywayFromR2dbcEnvironmentPostProcessor.jdbcUrl(
                "r2dbc:pool:postgresql://pg:5432/s4e?connectTimeout=PT2S"))
                .isEqualTo("jdbc:postgresql://pg:5432/s4e");
    }

    @Test
    void failoverUrlThenEveryHostAndThePrimaryWanted() {
        assertThat(FlywayFromR2dbcEnvironmentPostProcessor.jdbcUrl(
                "r2dbc:postgresql:failover://pg-0:5432,pg-1:5433/s4e?targetServerType=primary&connectTimeout=PT2S"))
                .isEqualTo("jdbc:postgresql://pg-0:5432,pg-1:5433/s4e?targetServerType=primary");
    }
}

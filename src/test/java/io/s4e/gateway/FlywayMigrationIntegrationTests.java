package io.s4e.gateway;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Started with nothing but {@code spring.r2dbc.*}, the gateway migrates an empty database with Flyway (whose JDBC
 * settings it derives), instead of skipping the migration silently.
 */
class FlywayMigrationIntegrationTests {

    @Test
    void startWhenOnlyR2dbcConfiguredThenSchemaMigrated() throws SQLException {
        TestDatabase empty = TestDatabase.create();
        Map<String, String> properties = new HashMap<>(TestInfrastructure.get().properties());
        properties.keySet().removeIf(key -> key.startsWith("spring.flyway."));
        properties.put("spring.r2dbc.url", empty.r2dbcUrl());

        try (SecondGateway gateway = SecondGateway.startWith(properties);
             Connection db = empty.connect(); Statement query = db.createStatement()) {
            try (ResultSet history = query.executeQuery(
                    "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
                assertThat(history.next()).isTrue();
                assertThat(history.getString("version")).isEqualTo("1");
                assertThat(history.getBoolean("success")).isTrue();
            }
            try (ResultSet keys = query.executeQuery("SELECT count(*) FROM api_keys")) {
                keys.next();
                assertThat(keys.getInt(1)).as("the bootstrap key, stored in the migrated schema").isEqualTo(1);
            }
            gateway.client().get().uri("/api/assets/1")
                    .header("X-API-Key", TestInfrastructure.get().adminKey)
                    .exchange()
                    .expectStatus().isOk();
        }
    }
}

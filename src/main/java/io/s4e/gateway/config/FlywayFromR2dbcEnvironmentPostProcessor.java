package io.s4e.gateway.config;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Derives {@code spring.flyway.url|user|password} from {@code spring.r2dbc.*} when they are not set. Without a JDBC
 * URL Spring Boot skips Flyway silently when only R2DBC is configured, and the schema would never be migrated.
 */
public class FlywayFromR2dbcEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String r2dbcUrl = environment.getProperty("spring.r2dbc.url");
        if (r2dbcUrl == null || environment.containsProperty("spring.flyway.url")) {
            return;
        }
        Map<String, Object> derived = new HashMap<>();
        derived.put("spring.flyway.url", jdbcUrl(r2dbcUrl));
        String user = environment.getProperty("spring.r2dbc.username");
        if (user != null && !environment.containsProperty("spring.flyway.user")) {
            derived.put("spring.flyway.user", user);
        }
        String password = environment.getProperty("spring.r2dbc.password");
        if (password != null && !environment.containsProperty("spring.flyway.password")) {
            derived.put("spring.flyway.password", password);
        }
        environment.getPropertySources().addLast(new MapPropertySource("s4eFlywayFromR2dbc", derived));
    }

    /**
     * {@code r2dbc:[pool:]postgresql://host:port/db?...} to {@code jdbc:postgresql://host:port/db}; a multi-host
     * {@code r2dbc:[pool:]postgresql:failover://h1:p1,h2:p2/db?...} to
     * {@code jdbc:postgresql://h1:p1,h2:p2/db?targetServerType=primary}, since migrations are written to the primary.
     */
    static String jdbcUrl(String r2dbcUrl) {
        String rest = r2dbcUrl.substring("r2dbc:".length());
        if (rest.startsWith("pool:")) {
            rest = rest.substring("pool:".length());
        }
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        if (rest.startsWith("postgresql:failover://")) {
            return "jdbc:postgresql://" + rest.substring("postgresql:failover://".length())
                    + "?targetServerType=primary";
        }
        return "jdbc:" + rest;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}

package io.s4e.gateway.support;

import java.util.HashMap;
import java.util.Map;

import io.s4e.gateway.GatewayApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Another gateway replica in the same JVM, sharing the test database and Redis key space. */
public final class SecondGateway implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private SecondGateway(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** Starts a replica with the shared infrastructure plus {@code overrides}. */
    public static SecondGateway start(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(TestInfrastructure.get().properties());
        properties.putAll(overrides);
        return startWith(properties);
    }

    /** Starts a replica with exactly {@code properties} (as command-line arguments) and the {@code it} profile. */
    public static SecondGateway startWith(Map<String, String> properties) {
        String[] args = properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .profiles("it")
                .run(args);
        return new SecondGateway(context);
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public int managementPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
    }

    public WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port()).build();
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}

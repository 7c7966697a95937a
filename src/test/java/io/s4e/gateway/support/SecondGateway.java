package io.s4e.gateway.support;

import java.util.HashMap;
import java.util.Map;

import io.s4e.gateway.GatewayApplication;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.http.client.ReactorResourceFactory;
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
                .initializers(SecondGateway::ownNettyResources)
                .run(args);
        return new SecondGateway(context);
    }

    /**
     * Gives the replica its own Reactor Netty resources: with the global ones, closing it would dispose the event
     * loops of everything else in this JVM (the other gateway, the test upstream, the test clients).
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof ReactorResourceFactory factory) {
                    factory.setUseGlobalResources(false);
                }
                return bean;
            }
        });
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public int managementPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
    }

    public WebTestClient client() {
        return TestClients.of(port());
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}

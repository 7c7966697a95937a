package io.s4e.gateway.route;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped example configuration binds, and every route's policy parses. */
class ExampleConfigurationTests {

    @Test
    void exampleRoutesWhenBoundThenEveryPolicyParsesAndNeedsAScope() throws IOException {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader()
                .load("example", new FileSystemResource("config/sidecar.yml"));
        Binder binder = new Binder(ConfigurationPropertySources.from(sources));
        List<RouteDefinition> routes = binder.bind("spring.cloud.gateway.server.webflux.routes",
                Bindable.listOf(RouteDefinition.class)).get();

        assertThat(routes).hasSizeGreaterThanOrEqualTo(12);
        for (RouteDefinition route : routes) {
            RoutePolicy policy = RoutePolicy.parse(route.getId(), route.getMetadata());
            assertThat(policy.auth()).as(route.getId()).isEqualTo(RoutePolicy.AuthMode.REQUIRED);
            assertThat(policy.scopes()).as(route.getId()).hasSize(1);
        }
        assertThat(routes).anySatisfy(r -> assertThat(r.getId()).isEqualTo("scan-create"));
    }
}

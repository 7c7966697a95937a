package io.s4e.gateway.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the routes again from the configuration files, and the policy of a reloaded route. */
class RoutesFileTests {

    private static final Set<String> PREDICATES = Set.of("Path", "Method");
    private static final Set<String> FILTERS = Set.of("PrefixPath");
    private static final List<RouteMetadataCheck> CHECKS = List.of(RoutePolicy::parse);

    @TempDir
    Path dir;

    @Test
    void ofWhenAdditionalLocationsNamedThenOnlyTheirYamlFilesInOrder() {
        RoutesFile file = RoutesFile.of(environment(
                "optional:file:/etc/a.yml, classpath:/b.yml, file:/etc/conf.d/, file:/etc/c.YAML, file:/etc/d.properties"));
        assertThat(file.files()).containsExactly(Path.of("/etc/a.yml"), Path.of("/etc/c.YAML"));
        assertThat(RoutesFile.of(new StandardEnvironment()).files()).isEmpty();
    }

    @Test
    void routesWhenValidThenBoundWithPlaceholdersResolvedAndTheLastDocumentWinning() throws IOException {
        Path yml = Files.writeString(dir.resolve("gateway.yml"), """
                spring.cloud.gateway.server.webflux.routes:
                  - id: old
                    uri: http://127.0.0.1:1
                    predicates: [Path=/old/**]
                ---
                spring.cloud.gateway.server.webflux.routes:
                  - id: assets
                    uri: ${S4E_APP_URL}
                    predicates: [Path=/api/assets/**, Method=GET]
                    filters: [PrefixPath=/v1]
                    metadata: {s4e-scopes: [read:assets], s4e-rate-limit: 10/min}
                """);
        RoutesFile file = RoutesFile.of(environment("file:" + yml));
        List<RouteDefinition> routes = file.routes(file.read(), PREDICATES, FILTERS, CHECKS);
        assertThat(routes).singleElement().satisfies(route -> {
            assertThat(route.getId()).isEqualTo("assets");
            assertThat(route.getUri().toString()).isEqualTo("http://127.0.0.1:8000");
            assertThat(route.getPredicates()).hasSize(2);
        });
    }

    @Test
    void readWhenContentChangesThenTheHashChangesAndOnlyThen() throws IOException {
        Path yml = Files.writeString(dir.resolve("gateway.yml"), "a: 1\n");
        RoutesFile file = RoutesFile.of(environment("file:" + yml));
        String first = file.read().hash();
        assertThat(file.read().hash()).isEqualTo(first);
        Files.writeString(yml, "a: 2\n");
        assertThat(file.read().hash()).isNotEqualTo(first);
    }

    @Test
    void routesWhenAnythingIsWrongThenRefusedNamingTheRouteAndTheReason() throws IOException {
        String valid = """
                spring.cloud.gateway.server.webflux.routes:
                  - id: a
                    uri: http://127.0.0.1:1
                    predicates: [Path=/a/**]
                """;
        assertRefused("a: [unclosed", "is not valid YAML");
        assertRefused("s4e: {}\n", "no route is defined");
        assertRefused(valid.replace("    uri: http://127.0.0.1:1\n", ""), "route 'a' has no uri");
        assertRefused(valid.replace("Path=", "Pth="), "route 'a' uses an unknown predicate 'Pth'");
        assertRefused(valid + "    filters: [StripPrefixx=1]\n", "unknown filter 'StripPrefixx'");
        assertRefused(valid + "    metadata: {s4e-scopes: [read:nothing]}\n", "route 'a' has invalid metadata: s4e-scopes names an unknown scope");
        assertRefused(valid + "    metadata: {s4e-rate-limit: often}\n", "route 'a' has invalid metadata");
        assertRefused(valid + "    metadata: {s4e-auth: sometimes}\n", "s4e-auth must be required, optional or none");
        assertRefused(valid + valid.substring(valid.indexOf("  - id")), "route id 'a' is used twice");
    }

    @Test
    void policyForWhenARouteIsReloadedUnderTheSameIdThenTheNewRoutesPolicy() {
        RoutePolicyRegistry registry = new RoutePolicyRegistry(Flux::empty);
        Route before = route(Map.of(RoutePolicy.SCOPES, List.of("read:assets")));
        Route after = route(Map.of(RoutePolicy.SCOPES, List.of("write:assets")));
        assertThat(registry.policyFor(before).scopes()).containsExactly("read:assets");
        assertThat(registry.policyFor(after).scopes()).containsExactly("write:assets");
        // a request still holding the route it matched before the reload keeps that route's policy
        assertThat(registry.policyFor(before).scopes()).containsExactly("read:assets");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void assertRefused(String yaml, String reason) throws IOException {
        Path yml = Files.writeString(dir.resolve("gateway.yml"), yaml);
        RoutesFile file = RoutesFile.of(environment("file:" + yml));
        assertThatThrownBy(() -> file.routes(file.read(), PREDICATES, FILTERS, CHECKS))
                .as(yaml).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }

    private static StandardEnvironment environment(String locations) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "spring.config.additional-location", locations, "S4E_APP_URL", "http://127.0.0.1:8000")));
        return environment;
    }

    private static Route route(Map<String, Object> metadata) {
        return Route.async().id("assets").uri("http://127.0.0.1:1").predicate(exchange -> true).metadata(metadata).build();
    }
}

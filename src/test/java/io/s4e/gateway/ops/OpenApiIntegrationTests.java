package io.s4e.gateway.ops;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.s4e.gateway.support.EndpointRoutes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RouterFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document is served on the management port only, and describes exactly the endpoints the gateway's
 * routes answer: a new endpoint without documentation, or documentation of a removed one, fails here.
 */
@GatewayIntegrationTest
class OpenApiIntegrationTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    ApplicationContext context;

    @Test
    void documentWhenAskedOnManagementPortThenOpenApiYaml() {
        String yaml = TestClients.of(managementPort).get().uri("/actuator/openapi").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(OpenApiEndpoint.MEDIA_TYPE)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(yaml).as("the served document is the one in the repository, byte for byte")
                .isEqualTo(readRepositoryDocument());
        Map<String, Object> document = parse(yaml);
        assertThat(document.get("openapi")).isEqualTo("3.1.0");
        assertThat(paths(document)).contains("/api/user/auth/login", "/api/keys", "/api/admin/users", "/api/audit-log");
    }

    @Test
    void documentWhenAskedOnPublicPortThenNotFoundEnvelope() {
        TestClients.of(port).get().uri("/actuator/openapi").exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("not_found");
    }

    @Test
    void documentWhenComparedWithTheRoutesThenEveryServedOperationDescribedAndNothingElse() throws Exception {
        Set<String> served = servedOperations();
        assertThat(served).as("routes found").contains("POST /api/user/auth/login", "POST /api/keys/{id}/rotate", "GET /api/audit-log",
                "PATCH /api/admin/users/{id}", "POST /api/user/mfa/totp/setup");

        Set<String> documented = documentedOperations(parse(new String(
                new org.springframework.core.io.ClassPathResource(OpenApiEndpoint.LOCATION).getContentAsByteArray())));
        assertThat(documented).as("served but not documented").containsAll(served);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(served);
        assertThat(extra).as("documented but not served").isEmpty();
    }

    @Test
    void documentWhenEveryReferenceFollowedThenResolves() throws Exception {
        String yaml = new String(new org.springframework.core.io.ClassPathResource(OpenApiEndpoint.LOCATION)
                .getContentAsByteArray());
        Map<String, Object> document = parse(yaml);
        java.util.regex.Matcher refs = java.util.regex.Pattern.compile("\\$ref: '#/([^']+)'").matcher(yaml);
        int count = 0;
        while (refs.find()) {
            Object node = document;
            for (String part : refs.group(1).split("/")) {
                node = node instanceof Map<?, ?> map ? map.get(part) : null;
            }
            assertThat(node).as(refs.group(1)).isNotNull();
            count++;
        }
        assertThat(count).isGreaterThan(20);
    }

    /** "METHOD /path" of every route of the gateway's RouterFunction beans that names a method and a path. */
    private Set<String> servedOperations() {
        Set<String> operations = new TreeSet<>();
        for (EndpointRoutes.Route route : EndpointRoutes.of(context).routes()) {
            if (!route.or()) {
                for (HttpMethod method : route.methods()) {
                    for (String path : route.paths()) {
                        operations.add(method.name() + " " + path);
                    }
                }
            }
        }
        operations.removeIf(operation -> !operation.contains(" /api/"));
        return operations;
    }

    private static Set<String> documentedOperations(Map<String, Object> document) {
        Set<String> operations = new TreeSet<>();
        Set<String> verbs = Set.of("get", "put", "post", "delete", "patch", "head", "options");
        for (Map.Entry<String, Object> path : map(document.get("paths")).entrySet()) {
            for (String key : map(path.getValue()).keySet()) {
                if (verbs.contains(key)) {
                    operations.add(key.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                }
            }
        }
        return operations;
    }

    private static Set<String> paths(Map<String, Object> document) {
        return map(document.get("paths")).keySet();
    }

    private static Map<String, Object> parse(String yaml) {
        return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static String readRepositoryDocument() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("src/main/resources/openapi/s4e-gateway.yaml"));
        }
        catch (java.io.IOException unreadable) {
            throw new java.io.UncheckedIOException(unreadable);
        }
    }
}

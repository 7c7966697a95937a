package io.s4e.gateway;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

@GatewayIntegrationTest
class SmokeIntegrationTests {

    @LocalServerPort
    int port;

    @Test
    void publicRouteWhenNoCredentialThenForwarded() {
        WebTestClient client = TestClients.of(port);
        client.get().uri("/public/hello").exchange()
                .expectStatus().isOk()
                .expectHeader().exists("X-Request-ID")
                .expectBody().jsonPath("$.uri").isEqualTo("/public/hello");
        client.get().uri("/private/hello").exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error.code").isEqualTo("unauthorized");
        client.get().uri("/api/assets/1").header("Authorization", "Bearer " + TestInfrastructure.get().adminKey)
                .exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.headers['x-s4e-scopes'][0]").isEqualTo("admin");
    }
}

package io.s4e.gateway;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Health and metrics live on the management port only; the public port serves none of actuator. */
@GatewayIntegrationTest
class ManagementIntegrationTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private WebTestClient publicPort() {
        return TestClients.of(port);
    }

    private WebTestClient management() {
        return TestClients.of(managementPort);
    }

    @Test
    void actuatorWhenOnPublicPortThenNotFoundEnvelope() {
        for (String path : new String[] {"/actuator/health", "/actuator/prometheus", "/actuator/gateway/routes",
                "/actuator", "/actuator/env"}) {
            publicPort().get().uri(path)
                    .header("Authorization", "Bearer " + TestInfrastructure.get().adminKey)
                    .exchange()
                    .expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_JSON)
                    .expectBody().jsonPath("$.error.code").isEqualTo("not_found");
        }
    }

    @Test
    void managementPortWhenPortsDifferThenSeparate() {
        assertThat(managementPort).isNotEqualTo(port);
    }

    @Test
    void readinessWhenPostgresAndRedisUpThenUpAndIncludesBoth() {
        management().get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
        management().get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk();
    }

    @Test
    void gatewayRoutesEndpointWhenOnManagementPortThenNotExposed() {
        management().get().uri("/actuator/gateway/routes").exchange()
                .expectStatus().isNotFound();
    }

    @Test
    void prometheusWhenRequestsMadeThenAuthAndCacheMetricsPresent() {
        publicPort().get().uri("/api/assets/1")
                .header("X-API-Key", TestInfrastructure.get().adminKey)
                .exchange()
                .expectStatus().isOk();
        String scrape = management().get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(scrape)
                .contains("s4e_auth_outcomes_total{method=\"api_key\",outcome=\"success\"}")
                .contains("cache_gets_total{cache=\"s4e.apikeys\",result=\"hit\"}")
                .contains("s4e_apikey_db_lookups_total")
                .contains("s4e_upstream_requests_seconds");
    }
}

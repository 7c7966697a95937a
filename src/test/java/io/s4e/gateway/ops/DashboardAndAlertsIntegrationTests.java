package io.s4e.gateway.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard and the alert rules read metrics the gateway really exports: every series they name appears
 * in the gateway's own {@code /actuator/prometheus} once it has seen a login, a forwarded request and a refusal.
 */
@GatewayIntegrationTest
class DashboardAndAlertsIntegrationTests {

    private static final Path DASHBOARD = Path.of("docs/grafana/s4e-gateway.json");
    private static final Path CHART_DASHBOARD = Path.of("helm/s4e-gateway/files/grafana/s4e-gateway.json");
    /** A metric name in PromQL: followed by a label set, a range, or a closing parenthesis. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:s4e|jvm|process)_[a-z0-9_]+)\\s*[{\\[)]");

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void dashboardWhenProvisionedByTheChartThenTheSameAsInDocs() throws IOException {
        assertThat(Files.readString(CHART_DASHBOARD)).isEqualTo(Files.readString(DASHBOARD));
    }

    @Test
    void dashboardAndAlertsWhenComparedWithTheScrapeThenEverySeriesTheyReadIsExported() throws IOException {
        exerciseTheGateway();
        Set<String> exported = exportedSeries();

        Set<String> dashboard = metricsIn(dashboardQueries());
        assertThat(dashboard).contains("s4e_auth_outcomes_total", "s4e_ratelimit_decisions_total",
                "s4e_audit_queue_depth", "s4e_upstream_requests_seconds_bucket", "jvm_memory_used_bytes");
        assertThat(dashboard).as("series the dashboard reads that the gateway does not export")
                .isSubsetOf(exported);

        String rules = KubernetesManifestsTests.render(t -> t.set("metrics.prometheusRule.enabled", true)).text();
        Set<String> alerts = metricsIn(rules.lines().filter(l -> l.trim().startsWith("expr:")).toList().toString());
        assertThat(alerts).contains("s4e_ratelimit_fallback_total", "s4e_audit_write_failures_total",
                "s4e_upstream_requests_seconds_count", "s4e_routes_reload_total");
        assertThat(alerts).as("series the alerts read that the gateway does not export").isSubsetOf(exported);
    }

    @Test
    void dashboardWhenParsedThenEveryPanelHasAQueryAndTheVariablesItUses() throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        assertThat(root.path("uid").asString()).isEqualTo("s4e-gateway");
        Set<String> titles = new TreeSet<>();
        for (JsonNode panel : root.path("panels")) {
            if (panel.path("type").asString().equals("row")) {
                titles.add(panel.path("title").asString());
                continue;
            }
            assertThat(panel.path("targets").size()).as(panel.path("title").asString()).isPositive();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asString()).contains("$namespace").contains("$pod");
            }
        }
        assertThat(titles).containsExactlyInAnyOrder("Authentication", "Refusals", "Rate limits", "Audit log",
                "Upstream (the S4E API)", "JVM");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A login, a forwarded request and a refused key, so that every lazily created meter exists. */
    private void exerciseTheGateway() {
        WebTestClient client = TestClients.of(port);
        client.post().uri("/api/user/auth/login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("email", TestInfrastructure.ADMIN_EMAIL, "password", TestInfrastructure.ADMIN_PASSWORD))
                .exchange().expectStatus().isOk();
        client.get().uri("/api/assets/1").header("X-API-Key", TestInfrastructure.get().adminKey)
                .exchange().expectStatus().isOk();
        client.get().uri("/api/assets/1").header("X-API-Key", TestData.unknownKey())
                .exchange().expectStatus().isUnauthorized();
    }

    private Set<String> exportedSeries() {
        String scrape = new String(TestClients.of(managementPort).get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBodyContent());
        Set<String> names = new TreeSet<>();
        scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0])
                .forEach(names::add);
        return names;
    }

    private static String dashboardQueries() throws IOException {
        StringBuilder queries = new StringBuilder();
        for (JsonNode panel : JsonMapper.builder().build().readTree(Files.readString(DASHBOARD)).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.append(target.path("expr").asString()).append('\n');
            }
        }
        return queries.toString();
    }

    private static Set<String> metricsIn(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(promql);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}

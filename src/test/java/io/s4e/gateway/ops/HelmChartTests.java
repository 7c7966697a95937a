package io.s4e.gateway.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.s4e.gateway.route.RoutePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Renders the Helm chart with Helm's own code (helm-java bundles it) and checks what Kubernetes would get: the
 * gateway as the sidecar of the API, probes on the management port, secrets by reference, routes in a ConfigMap.
 */
class HelmChartTests {

    private static final Path CHART = Path.of("helm/s4e-gateway");

    /** A signing secret for rendering only. */
    private static final String JWT = "Zx8vQm2LpR7tW4nY6cB1dF9gH3jK5sA0";

    @Test
    void lintWhenSigningSecretGivenThenNoErrorEvenStrict(@TempDir Path copy) throws IOException {
        // helm lint reads the chart's own values.yaml only: lint a copy whose values name the one required secret
        FileSystemUtils.copyRecursively(CHART, copy);
        Files.writeString(copy.resolve("values.yaml"), Files.readString(CHART.resolve("values.yaml"))
                .replace("    jwt-secret: \"\"", "    jwt-secret: \"" + JWT + "\""));
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void lintWhenChartDefaultsThenNoError() {
        // helm lint skips templates stopped by `fail` (the required signing secret), and checks everything else
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void deploymentWhenRenderedThenGatewayIsTheOnlyWayIntoTheApi() {
        Rendered chart = render(t -> { });
        Map<String, Object> pod = chart.podSpec();
        List<Map<String, Object>> containers = list(pod.get("containers"));
        assertThat(containers).extracting(c -> c.get("name")).containsExactly("app");
        // the gateway is a native sidecar: an init container that keeps running, started before the API
        List<Map<String, Object>> initContainers = list(pod.get("initContainers"));
        assertThat(initContainers).extracting(c -> c.get("name")).containsExactly("gateway");

        Map<String, Object> app = containers.get(0);
        assertThat(app).doesNotContainKey("ports");
        Map<String, Object> gateway = initContainers.get(0);
        assertThat(gateway).containsEntry("restartPolicy", "Always");
        assertThat(list(gateway.get("ports"))).extracting(p -> p.get("name") + ":" + p.get("containerPort"))
                .containsExactly("gateway:8080", "management:8081");

        Map<String, Object> service = chart.one("Service");
        List<Map<String, Object>> ports = list(map(service.get("spec")).get("ports"));
        assertThat(ports).singleElement().satisfies(p -> assertThat(p.get("targetPort")).isEqualTo("gateway"));
        assertThat(map(map(service.get("spec")).get("selector")))
                .isEqualTo(map(map(map(chart.one("Deployment").get("spec")).get("selector")).get("matchLabels")));

        Map<String, String> env = env(gateway);
        assertThat(env).containsEntry("SERVER_PORT", "8080").containsEntry("MANAGEMENT_SERVER_PORT", "8081")
                .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs")
                .containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION", "file:/etc/s4e-gateway/gateway.yml");
        Map<String, Object> security = map(gateway.get("securityContext"));
        assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(map(app.get("securityContext"))).containsEntry("runAsNonRoot", true)
                .containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
        assertThat(map(gateway.get("resources"))).containsKeys("requests", "limits");
    }

    @Test
    void webauthnWhenRpIdAndOriginsGivenThenGatewayEnvironmentAndOtherwiseNone() {
        Map<String, String> env = env(render(t -> t.set("gateway.webauthn.rpId", "console.example.com")
                .set("gateway.webauthn.origins[0]", "https://console.example.com")
                .set("gateway.webauthn.origins[1]", "https://admin.console.example.com")).container("gateway"));

        assertThat(env).containsEntry("S4E_WEBAUTHN_RP_ID", "console.example.com")
                .containsEntry("S4E_WEBAUTHN_ORIGINS", "https://console.example.com,https://admin.console.example.com");
        assertThat(env(render(t -> { }).container("gateway")))
                .doesNotContainKeys("S4E_WEBAUTHN_RP_ID", "S4E_WEBAUTHN_ORIGINS");
    }

    @Test
    void deploymentWhenNativeSidecarTurnedOffThenGatewayIsASecondContainer() {
        Map<String, Object> pod = render(t -> t.set("gateway.nativeSidecar", false)).podSpec();
        assertThat(pod).doesNotContainKey("initContainers");
        assertThat(list(pod.get("containers"))).extracting(c -> c.get("name")).containsExactly("app", "gateway");
        assertThat(list(pod.get("containers")).get(1)).doesNotContainKey("restartPolicy");
    }

    @Test
    void securityContextsWhenSetThenEachContainerTakesItsOwn() {
        Rendered chart = render(t -> t.set("app.securityContext.readOnlyRootFilesystem", false)
                .set("app.securityContext.runAsUser", 2000).set("gateway.securityContext.runAsUser", 3000));
        assertThat(map(chart.container("app").get("securityContext"))).containsEntry("readOnlyRootFilesystem", false)
                .containsEntry("runAsUser", 2000);
        assertThat(map(chart.container("gateway").get("securityContext"))).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("runAsUser", 3000);
    }

    @Test
    void podWhenPullSecretsVolumesAndEnvFromGivenThenEachReachesItsContainer() {
        Rendered chart = render(t -> t.set("imagePullSecrets[0].name", "regcred")
                .set("extraVolumes[0].name", "pg-ca").set("extraVolumes[0].configMap.name", "pg-ca-bundle")
                .set("gateway.extraVolumeMounts[0].name", "pg-ca").set("gateway.extraVolumeMounts[0].mountPath", "/etc/pg-ca")
                .set("app.extraVolumeMounts[0].name", "pg-ca").set("app.extraVolumeMounts[0].mountPath", "/ca")
                .set("app.envFrom[0].secretRef.name", "api-env"));
        Map<String, Object> pod = chart.podSpec();
        assertThat(list(pod.get("imagePullSecrets"))).extracting(s -> s.get("name")).containsExactly("regcred");
        assertThat(list(pod.get("volumes"))).extracting(v -> v.get("name"))
                .containsExactly("s4e-gateway-config", "s4e-gateway-tmp", "pg-ca");
        assertThat(list(chart.container("gateway").get("volumeMounts"))).extracting(m -> m.get("mountPath"))
                .containsExactly("/etc/s4e-gateway", "/tmp", "/etc/pg-ca");
        assertThat(list(chart.container("app").get("volumeMounts"))).extracting(m -> m.get("mountPath"))
                .containsExactly("/ca");
        assertThat(list(chart.container("app").get("envFrom")).get(0).toString()).contains("api-env");
    }

    @Test
    void serviceAccountWhenDefaultThenCreatedWithoutAToken() {
        Rendered chart = render(t -> { });
        Map<String, Object> account = chart.one("ServiceAccount");
        assertThat(account).containsEntry("automountServiceAccountToken", false);
        assertThat(chart.podSpec()).containsEntry("serviceAccountName", "gw-s4e-gateway")
                .containsEntry("automountServiceAccountToken", false);
        Rendered existing = render(t -> t.set("serviceAccount.create", false).set("serviceAccount.name", "api"));
        assertThat(existing.all("ServiceAccount")).isEmpty();
        assertThat(existing.podSpec()).containsEntry("serviceAccountName", "api");
    }

    @Test
    void prometheusAnnotationWhenManagementPortChangesThenFollowsIt() {
        Rendered chart = render(t -> t.set("gateway.managementPort", 9090));
        assertThat(chart.podAnnotations()).containsEntry("prometheus.io/port", "9090")
                .containsEntry("prometheus.io/path", "/actuator/prometheus");
        assertThat(list(chart.container("gateway").get("ports")).get(1)).containsEntry("containerPort", 9090);
        assertThat(render(t -> t.set("metrics.podAnnotations", false)).podAnnotations())
                .doesNotContainKey("prometheus.io/port");
    }

    @Test
    void checksumWhenSecretsOrSettingsChangeThenPodsRollButNotForRoutes() {
        String secret = "checksum/s4e-gateway-secret";
        String config = "checksum/s4e-gateway-config";
        Map<String, Object> before = render(t -> { }).podAnnotations();
        assertThat(render(t -> t.set("secrets.values.redis-password", "rotated")).podAnnotations().get(secret))
                .isNotEqualTo(before.get(secret));
        assertThat(render(t -> t.set("gateway.config.s4e.session.ttl", "12h")).podAnnotations().get(config))
                .isNotEqualTo(before.get(config));
        // routes are reloaded by the running gateway: a changed route does not restart it
        assertThat(render(t -> t.set("routes[0].metadata.s4e-scopes[0]", "admin")).podAnnotations().get(config))
                .isEqualTo(before.get(config));
        // an existing Secret's content is not visible to the chart: the value the operator bumps rolls the pods
        Map<String, Object> existing = render(t -> t.set("secrets.existingSecret", "prod").set("secrets.values.jwt-secret", "")
                .set("secrets.checksum", "v1")).podAnnotations();
        Map<String, Object> bumped = render(t -> t.set("secrets.existingSecret", "prod").set("secrets.values.jwt-secret", "")
                .set("secrets.checksum", "v2")).podAnnotations();
        assertThat(existing.get(secret)).isNotNull().isNotEqualTo(bumped.get(secret));
        assertThat(existing.get(config)).isEqualTo(bumped.get(config));
    }

    @Test
    void probesWhenRenderedThenOnTheManagementPort() {
        Map<String, Object> gateway = render(t -> { }).container("gateway");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            Map<String, Object> get = map(map(gateway.get(probe)).get("httpGet"));
            assertThat(get.get("port")).as(probe).isEqualTo("management");
            assertThat(get.get("path").toString()).as(probe).startsWith("/actuator/health/");
        }
        assertThat(map(map(gateway.get("readinessProbe")).get("httpGet")).get("path"))
                .isEqualTo("/actuator/health/readiness");
        assertThat(map(map(map(gateway.get("lifecycle")).get("preStop")).get("exec")).get("command").toString())
                .contains("sleep");
    }

    @Test
    void secretsWhenChartCreatesThemThenReferencedByKeyAndNeverInlined() {
        Rendered chart = render(t -> t.set("secrets.values.postgres-password", "pg-pass-for-render"));
        Map<String, Object> secret = chart.one("Secret");
        Map<String, Object> data = map(secret.get("data"));
        assertThat(decode(data.get("jwt-secret"))).isEqualTo(JWT);
        assertThat(data).doesNotContainKey("redis-password");

        Map<String, Object> gateway = chart.container("gateway");
        Map<String, Object> jwt = secretRef(gateway, "S4E_SESSION_JWT_SECRET");
        assertThat(jwt).containsEntry("name", "gw-s4e-gateway").containsEntry("key", "jwt-secret")
                .doesNotContainKey("optional");
        assertThat(secretRef(gateway, "SPRING_R2DBC_PASSWORD")).containsEntry("key", "postgres-password")
                .containsEntry("optional", true);
        assertThat(secretRef(gateway, "SPRING_DATA_REDIS_PASSWORD")).containsEntry("key", "redis-password");
        assertThat(secretRef(gateway, "S4E_CAPTCHA_VENDORS_GOOGLEV3_SECRET"))
                .containsEntry("key", "captcha-googlev3-secret");
        assertThat(secretRef(gateway, "S4E_BOOTSTRAP_ADMIN_API_KEY")).containsEntry("key", "bootstrap-admin-api-key");
        assertThat(chart.text()).doesNotContain(JWT).doesNotContain("pg-pass-for-render");
    }

    @Test
    void secretsWhenNeitherSigningSecretNorExistingSecretThenRenderingFails() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("gw").call())
                .hasMessageContaining("secrets.values.jwt-secret is required")
                .hasMessageContaining("secrets.existingSecret");
    }

    @Test
    void secretsWhenExistingSecretNamedThenNoSecretRenderedAndThatOneReferenced() {
        Rendered chart = render(t -> t.set("secrets.existingSecret", "s4e-prod-secrets")
                .set("secrets.values.jwt-secret", ""));
        assertThat(chart.all("Secret")).isEmpty();
        Map<String, Object> gateway = chart.container("gateway");
        assertThat(secretRef(gateway, "S4E_SESSION_JWT_SECRET")).containsEntry("name", "s4e-prod-secrets");
        assertThat(secretRef(gateway, "SPRING_R2DBC_PASSWORD")).containsEntry("name", "s4e-prod-secrets");
    }

    @Test
    void routesWhenRenderedThenInAMountedConfigMapPointingAtTheLocalApi() {
        Rendered chart = render(t -> t.set("app.port", 9000));
        String gatewayYml = map(chart.one("ConfigMap").get("data")).get("gateway.yml").toString();
        List<RouteDefinition> routes = routes(new ByteArrayResource(gatewayYml.getBytes()));
        assertThat(routes).isNotEmpty().allSatisfy(route -> {
            assertThat(route.getUri().toString()).isEqualTo("http://127.0.0.1:9000");
            RoutePolicy.parse(route.getId(), route.getMetadata());
        });
        Map<String, Object> pod = chart.podSpec();
        assertThat(list(pod.get("volumes"))).anySatisfy(v -> assertThat(map(v.get("configMap")))
                .containsEntry("name", "gw-s4e-gateway"));
        assertThat(list(chart.container("gateway").get("volumeMounts")))
                .anySatisfy(m -> assertThat(m).containsEntry("mountPath", "/etc/s4e-gateway"));
        assertThat(chart.podAnnotations()).containsKey("checksum/s4e-gateway-config");
    }

    @Test
    void routesWhenComparedWithTheExampleConfigurationThenTheSame() throws IOException {
        String gatewayYml = map(render(t -> { }).one("ConfigMap").get("data")).get("gateway.yml").toString();
        List<RouteDefinition> chart = routes(new ByteArrayResource(gatewayYml.getBytes()));
        List<RouteDefinition> example = routes(new FileSystemResource("config/sidecar.yml"));
        assertThat(chart).hasSameSizeAs(example);
        for (int i = 0; i < example.size(); i++) {
            RouteDefinition expected = example.get(i);
            RouteDefinition actual = chart.get(i);
            assertThat(actual.getId()).isEqualTo(expected.getId());
            assertThat(actual.getUri()).isEqualTo(expected.getUri());
            assertThat(actual.getPredicates()).as(expected.getId()).isEqualTo(expected.getPredicates());
            assertThat(String.valueOf(actual.getMetadata())).as(expected.getId())
                    .isEqualTo(String.valueOf(expected.getMetadata()));
        }
        assertThat(chart).anySatisfy(r -> {
            assertThat(r.getId()).isEqualTo("scan-create");
            assertThat(r.getMetadata()).containsEntry("s4e-rate-limit", "10/min");
        });
    }

    @Test
    void podDisruptionBudgetWhenEnabledThenSelectsThePods() {
        Rendered chart = render(t -> { });
        Map<String, Object> spec = map(chart.one("PodDisruptionBudget").get("spec"));
        assertThat(spec).containsEntry("minAvailable", 1);
        assertThat(map(spec.get("selector")).get("matchLabels"))
                .isEqualTo(map(map(chart.one("Deployment").get("spec")).get("selector")).get("matchLabels"));
        assertThat(render(t -> t.set("podDisruptionBudget.enabled", false)).all("PodDisruptionBudget")).isEmpty();
    }

    @Test
    void podDisruptionBudgetWhenItWouldBlockEveryEvictionThenNotRendered() {
        // one replica and minAvailable 1: no node could ever be drained
        assertThat(render(t -> t.set("replicaCount", 1)).all("PodDisruptionBudget")).isEmpty();
        assertThat(render(t -> t.set("replicaCount", 2).set("podDisruptionBudget.minAvailable", 2))
                .all("PodDisruptionBudget")).isEmpty();
        // maxUnavailable always allows one
        Map<String, Object> spec = map(render(t -> t.set("replicaCount", 1).set("podDisruptionBudget.maxUnavailable", 1))
                .one("PodDisruptionBudget").get("spec"));
        assertThat(spec).containsEntry("maxUnavailable", 1).doesNotContainKey("minAvailable");
        // with an autoscaler its minimum counts, not replicaCount
        assertThat(render(t -> t.set("replicaCount", 1).set("autoscaling.enabled", true).set("autoscaling.minReplicas", 3))
                .all("PodDisruptionBudget")).hasSize(1);
        assertThat(render(t -> t.set("autoscaling.enabled", true).set("autoscaling.minReplicas", 1))
                .all("PodDisruptionBudget")).isEmpty();
    }

    @Test
    void optInObjectsWhenNotAskedForThenAbsentAndWhenAskedForThenAimedAtTheGateway() {
        Rendered defaults = render(t -> { });
        for (String kind : List.of("ServiceMonitor", "PrometheusRule", "NetworkPolicy", "HorizontalPodAutoscaler")) {
            assertThat(defaults.all(kind)).as(kind).isEmpty();
        }
        assertThat(defaults.all("ConfigMap")).hasSize(1);

        Rendered all = render(t -> t.set("metrics.serviceMonitor.enabled", true).set("metrics.prometheusRule.enabled", true)
                .set("networkPolicy.enabled", true).set("autoscaling.enabled", true).set("grafana.dashboard.enabled", true));
        Map<String, Object> monitor = map(all.one("ServiceMonitor").get("spec"));
        assertThat(list(monitor.get("endpoints")).get(0)).containsEntry("port", "management")
                .containsEntry("path", "/actuator/prometheus");
        Map<String, Object> metricsService = all.all("Service").stream()
                .filter(s -> map(s.get("metadata")).get("name").equals("gw-s4e-gateway-metrics")).findFirst().orElseThrow();
        assertThat(map(map(metricsService.get("metadata")).get("labels")))
                .containsAllEntriesOf(map(map(monitor.get("selector")).get("matchLabels")));

        List<Map<String, Object>> ingress = list(map(all.one("NetworkPolicy").get("spec")).get("ingress"));
        assertThat(ingress).extracting(rule -> list(rule.get("ports")).get(0).get("port"))
                .containsExactly("gateway", "management");

        assertThat(map(all.one("Deployment").get("spec"))).doesNotContainKey("replicas");
        assertThat(map(all.one("HorizontalPodAutoscaler").get("spec"))).containsEntry("minReplicas", 2);

        List<Map<String, Object>> rules = list(list(map(all.one("PrometheusRule").get("spec")).get("groups")).get(0).get("rules"));
        assertThat(rules).extracting(r -> r.get("alert")).contains("S4eGatewayRedisUnreachable",
                "S4eGatewayPostgresUnreachable", "S4eGatewayAuditBacklog", "S4eGatewayRefusalFlood",
                "S4eGatewayUpstreamErrors", "S4eGatewayFallbackLimiter");
        assertThat(rules).allSatisfy(r -> assertThat(map(r.get("annotations"))).containsKeys("summary", "runbook"));

        Map<String, Object> dashboard = all.all("ConfigMap").stream()
                .filter(c -> map(c.get("metadata")).get("name").equals("gw-s4e-gateway-dashboard")).findFirst().orElseThrow();
        assertThat(map(map(dashboard.get("metadata")).get("labels"))).containsEntry("grafana_dashboard", "1");
        assertThat(map(dashboard.get("data")).get("s4e-gateway.json").toString()).startsWith("{").contains("s4e_");
    }

    @Test
    void redisWhenSentinelThenMasterAndNodesAndNoStandaloneHost() {
        Map<String, String> env = env(render(t -> t.set("redis.mode", "sentinel")
                .set("redis.sentinel.master", "s4e")
                .set("redis.sentinel.nodes[0]", "sentinel-0:26379").set("redis.sentinel.nodes[1]", "sentinel-1:26379")).container("gateway"));
        assertThat(env).containsEntry("SPRING_DATA_REDIS_SENTINEL_MASTER", "s4e")
                .containsEntry("SPRING_DATA_REDIS_SENTINEL_NODES", "sentinel-0:26379,sentinel-1:26379")
                .doesNotContainKey("SPRING_DATA_REDIS_HOST").doesNotContainKey("SPRING_DATA_REDIS_URL");
    }

    @Test
    void redisWhenClusterThenSeedNodes() {
        Map<String, String> env = env(render(t -> t.set("redis.mode", "cluster")
                .set("redis.cluster.nodes[0]", "redis-0:6379")
                .set("redis.cluster.nodes[1]", "redis-1:6379").set("redis.cluster.nodes[2]", "redis-2:6379")).container("gateway"));
        assertThat(env).containsEntry("SPRING_DATA_REDIS_CLUSTER_NODES", "redis-0:6379,redis-1:6379,redis-2:6379")
                .containsEntry("SPRING_DATA_REDIS_CLUSTER_MAX_REDIRECTS", "3")
                .doesNotContainKey("SPRING_DATA_REDIS_HOST");
    }

    @Test
    void redisWhenModeUnknownOrSentinelWithoutNodesThenRenderingFailsWithAMessage() {
        assertThatThrownBy(() -> render(t -> t.set("redis.mode", "replicated")))
                .hasMessageContaining("redis.mode must be standalone, sentinel or cluster");
        assertThatThrownBy(() -> render(t -> t.set("redis.mode", "sentinel")))
                .hasMessageContaining("redis.sentinel.nodes");
    }

    @Test
    void logsWhenJsonTurnedOffThenTheImageDefaultIsClearedForThePlainPattern() {
        // Spring Boot uses the plain pattern when logging.structured.format.console has no text
        Map<String, String> env = env(render(t -> t.set("gateway.jsonLogs", false)).container("gateway"));
        assertThat(env).containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
    }

    @Test
    void postgresWhenExternalThenUrlAndUserFromValues() {
        Map<String, String> env = env(render(t -> t.set("postgresql.host", "pg.prod.internal")
                .set("postgresql.database", "gw").set("postgresql.username", "gw_user")).container("gateway"));
        assertThat(env.get("SPRING_R2DBC_URL")).startsWith("r2dbc:postgresql://pg.prod.internal:5432/gw?");
        assertThat(env).containsEntry("SPRING_R2DBC_USERNAME", "gw_user");
    }

    @Test
    void postgresWhenMoreHostsAndReadReplicasThenFailoverUrlAndReadPool() {
        Map<String, String> env = env(render(t -> t.set("postgresql.host", "pg-0").set("postgresql.database", "gw")
                .set("postgresql.hosts[0]", "pg-1:5432")
                .set("postgresql.read.hosts[0]", "pg-1:5432").set("postgresql.read.hosts[1]", "pg-2:5432"))
                .container("gateway"));
        assertThat(env.get("SPRING_R2DBC_URL")).isEqualTo("r2dbc:postgresql:failover://pg-0:5432,pg-1:5432/gw"
                + "?targetServerType=primary&connectTimeout=PT2S&sslmode=require");
        assertThat(env.get("S4E_DATASOURCE_READ_URL")).isEqualTo("r2dbc:postgresql:failover://pg-1:5432,pg-2:5432/gw"
                + "?targetServerType=preferSecondary&connectTimeout=PT2S&sslmode=require");
        assertThat(env).containsEntry("S4E_DATASOURCE_READ_POOL_SIZE", "10");
    }

    @Test
    void postgresWhenOneHostThenNoReadPool() {
        Map<String, String> env = env(render(t -> { }).container("gateway"));
        assertThat(env).doesNotContainKey("S4E_DATASOURCE_READ_URL");
        assertThat(env.get("SPRING_R2DBC_URL")).startsWith("r2dbc:postgresql://");
    }

    // --- rendering ---------------------------------------------------------------------------------------------

    private static Rendered render(Consumer<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName("gw").withNamespace("s4e")
                .set("secrets.values.jwt-secret", JWT);
        values.accept(template);
        return new Rendered(template.call());
    }

    private record Rendered(String text, List<Map<String, Object>> documents) {

        Rendered(String text) {
            this(text, parse(text));
        }

        private static List<Map<String, Object>> parse(String text) {
            List<Map<String, Object>> documents = new ArrayList<>();
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
                if (document != null) {
                    documents.add(map(document));
                }
            }
            return documents;
        }

        List<Map<String, Object>> all(String kind) {
            return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> all = all(kind);
            assertThat(all).as(kind).hasSize(1);
            return all.get(0);
        }

        Map<String, Object> podSpec() {
            return map(map(map(one("Deployment").get("spec")).get("template")).get("spec"));
        }

        Map<String, Object> container(String name) {
            List<Map<String, Object>> all = new ArrayList<>(list(podSpec().get("containers")));
            if (podSpec().get("initContainers") != null) {
                all.addAll(list(podSpec().get("initContainers")));
            }
            return all.stream().filter(c -> name.equals(c.get("name"))).findFirst().orElseThrow();
        }

        Map<String, Object> podAnnotations() {
            return map(map(map(map(one("Deployment").get("spec")).get("template")).get("metadata")).get("annotations"));
        }
    }

    private static List<RouteDefinition> routes(Resource yaml) {
        try {
            List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("routes", yaml);
            return new Binder(ConfigurationPropertySources.from(sources))
                    .bind("spring.cloud.gateway.server.webflux.routes", Bindable.listOf(RouteDefinition.class)).get();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> variable : list(container.get("env"))) {
            if (variable.containsKey("value")) {
                env.put(variable.get("name").toString(), String.valueOf(variable.get("value")));
            }
        }
        return env;
    }

    private static Map<String, Object> secretRef(Map<String, Object> container, String name) {
        return list(container.get("env")).stream().filter(e -> name.equals(e.get("name")))
                .map(e -> map(map(e.get("valueFrom")).get("secretKeyRef")))
                .findFirst().orElseThrow(() -> new AssertionError(name + " is not read from a Secret"));
    }

    private static String decode(Object base64) {
        return new String(Base64.getDecoder().decode(base64.toString()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }
}

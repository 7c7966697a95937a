package io.s4e.gateway.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.FileSystemUtils;

import static io.s4e.gateway.ops.RenderedManifests.containersOf;
import static io.s4e.gateway.ops.RenderedManifests.list;
import static io.s4e.gateway.ops.RenderedManifests.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every variant of the chart, the sidecar template inside an app chart, and the output of {@code inject}: each object
 * strictly valid against the Kubernetes schema (an unknown field fails), and each pod admitted by the Pod Security
 * "restricted" profile with read-only root filesystems.
 */
class KubernetesManifestsTests {

    private static final Path CHART = Path.of("helm/s4e-gateway");
    private static final Path APP_CHART = Path.of("src/test/resources/helm/s4e-api");
    private static final Path INJECT = Path.of("src/test/resources/inject");
    private static final String JWT = "Zx8vQm2LpR7tW4nY6cB1dF9gH3jK5sA0";

    /** Every way the chart is meant to be rendered. */
    private static Map<String, Consumer<TemplateCommand>> variants() {
        Map<String, Consumer<TemplateCommand>> variants = new LinkedHashMap<>();
        variants.put("defaults", t -> { });
        variants.put("one replica", t -> t.set("replicaCount", 1));
        variants.put("existing secret", t -> t.set("secrets.existingSecret", "s4e-prod").set("secrets.values.jwt-secret", "")
                .set("secrets.checksum", "2026-12-01"));
        variants.put("ordinary container", t -> t.set("gateway.nativeSidecar", false));
        variants.put("redis sentinel", t -> t.set("redis.mode", "sentinel").set("redis.sentinel.nodes[0]", "s-0:26379"));
        variants.put("redis cluster", t -> t.set("redis.mode", "cluster").set("redis.cluster.nodes[0]", "r-0:6379"));
        variants.put("mail, bootstrap, plain logs", t -> t.set("mail.host", "smtp.example.internal")
                .set("bootstrap.adminEmail", "admin@example.internal").set("gateway.jsonLogs", false)
                .set("gateway.trustedProxies[0]", "10.0.0.0/8"));
        variants.put("everything on", KubernetesManifestsTests::everythingOn);
        variants.put("autoscaled, max unavailable", t -> t.set("autoscaling.enabled", true).set("autoscaling.minReplicas", 3)
                .set("podDisruptionBudget.maxUnavailable", 1));
        variants.put("sidecar only", t -> t.set("deployment.enabled", false).set("metrics.prometheusRule.enabled", true)
                .set("grafana.dashboard.enabled", true));
        return variants;
    }

    private static void everythingOn(TemplateCommand t) {
        t.set("imagePullSecrets[0].name", "registry-credentials")
                .set("serviceAccount.annotations.team", "s4e")
                .set("extraVolumes[0].name", "pg-ca").set("extraVolumes[0].configMap.name", "pg-ca-bundle")
                .set("gateway.extraVolumeMounts[0].name", "pg-ca")
                .set("gateway.extraVolumeMounts[0].mountPath", "/etc/pg-ca")
                .set("gateway.extraVolumeMounts[0].readOnly", true)
                .set("extraVolumes[1].name", "api-tmp").set("extraVolumes[1].emptyDir.medium", "Memory")
                .set("app.extraVolumeMounts[0].name", "api-tmp").set("app.extraVolumeMounts[0].mountPath", "/tmp")
                .set("app.envFrom[0].secretRef.name", "s4e-api-env")
                .set("gateway.envFrom[0].configMapRef.name", "gateway-extra")
                .set("metrics.serviceMonitor.enabled", true).set("metrics.serviceMonitor.labels.release", "prom")
                .set("metrics.prometheusRule.enabled", true)
                .set("metrics.prometheusRule.runbookBaseUrl", "https://git.example.internal/s4e-gateway/docs/kubernetes.md")
                .set("grafana.dashboard.enabled", true)
                .set("networkPolicy.enabled", true)
                .set("networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.name", "ingress")
                .set("networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name", "monitoring")
                .set("networkPolicy.egress[0].ports[0].port", 5432)
                .set("networkPolicy.egress[1].ports[0].port", 6379)
                .set("autoscaling.enabled", true)
                .set("topologySpreadConstraints[0].maxSkew", 1)
                .set("topologySpreadConstraints[0].topologyKey", "kubernetes.io/hostname")
                .set("topologySpreadConstraints[0].whenUnsatisfiable", "ScheduleAnyway");
    }

    @Test
    void everyChartVariantWhenRenderedThenEveryObjectIsStrictlyValid() {
        variants().forEach((name, values) -> {
            RenderedManifests rendered = render(values);
            assertThat(rendered.objects()).as(name).isNotEmpty();
            rendered.objects().forEach(object -> KubernetesSchema.validate(object));
        });
    }

    @Test
    void everyChartVariantWhenRenderedThenPodsPassRestrictedWithReadOnlyRootFilesystems() {
        variants().forEach((name, values) -> {
            for (Map<String, Object> pod : render(values).podSpecs()) {
                assertThat(PodSecurityRestricted.violations(pod)).as(name).isEmpty();
                assertThat(containersOf(pod)).as(name).allSatisfy(c -> assertThat(map(c.get("securityContext")))
                        .containsEntry("readOnlyRootFilesystem", true));
                assertThat(pod).as(name).containsEntry("automountServiceAccountToken", false);
            }
        });
    }

    @Test
    void everythingOnWhenRenderedThenEachOptInObjectIsThere() {
        RenderedManifests rendered = render(KubernetesManifestsTests::everythingOn);
        assertThat(rendered.objects()).extracting(o -> o.get("kind")).contains("ServiceAccount", "ServiceMonitor",
                "PrometheusRule", "NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget");
        assertThat(rendered.all("Service")).hasSize(2);
        assertThat(rendered.all("ConfigMap")).hasSize(2);
        assertThat(map(rendered.one("Deployment").get("spec"))).doesNotContainKey("replicas");
    }

    @Test
    void sidecarTemplateWhenIncludedByAnAppChartThenItsPodRunsTheGatewayAsANativeSidecar(@TempDir Path dir) throws IOException {
        RenderedManifests rendered = renderAppChart(dir);
        // the dependency renders its ConfigMap and Secret, but no Deployment or Service of its own
        assertThat(rendered.objects()).extracting(o -> o.get("kind") + "/" + map(o.get("metadata")).get("name"))
                .containsExactlyInAnyOrder("Deployment/shop-api", "Service/shop-api", "ConfigMap/shop-s4e-gateway",
                        "Secret/shop-s4e-gateway");
        rendered.objects().forEach(object -> KubernetesSchema.validate(object));
        Map<String, Object> pod = rendered.podSpecs().get(0);
        assertThat(PodSecurityRestricted.violations(pod)).isEmpty();
        Map<String, Object> gateway = list(pod.get("initContainers")).get(0);
        assertThat(gateway).containsEntry("name", "gateway").containsEntry("restartPolicy", "Always");
        assertThat(list(gateway.get("ports"))).extracting(p -> p.get("name") + ":" + p.get("containerPort"))
                .containsExactly("http:8080", "management:8081");
        assertThat(list(pod.get("volumes"))).extracting(v -> v.get("name"))
                .containsExactly("s4e-gateway-config", "s4e-gateway-tmp");
        assertThat(map(list(pod.get("volumes")).get(0).get("configMap"))).containsEntry("name", "shop-s4e-gateway");
        Map<String, Object> annotations = map(map(map(map(rendered.one("Deployment").get("spec")).get("template"))
                .get("metadata")).get("annotations"));
        assertThat(annotations).containsKeys("checksum/s4e-gateway-config", "checksum/s4e-gateway-secret")
                .containsEntry("prometheus.io/port", "8081");
        String gatewayYml = map(rendered.one("ConfigMap").get("data")).get("gateway.yml").toString();
        assertThat(gatewayYml).contains("uri: http://127.0.0.1:8000");
    }

    @Test
    void injectOutputWhenGoldenFilesThenEveryObjectIsStrictlyValidAndTheGatewayPassesRestricted() {
        for (String file : List.of("deployment.injected.yaml", "statefulset.injected.yaml", "already-injected.yaml")) {
            RenderedManifests injected = new RenderedManifests(read(INJECT.resolve(file)));
            injected.objects().forEach(object -> KubernetesSchema.validate(object));
            for (Map<String, Object> pod : injected.podSpecs()) {
                Map<String, Object> gatewayOnly = new LinkedHashMap<>();
                gatewayOnly.put("containers", list(pod.get("initContainers")).stream()
                        .filter(c -> "s4e-gateway".equals(c.get("name"))).toList());
                assertThat(list(gatewayOnly.get("containers"))).as(file).hasSize(1);
                assertThat(PodSecurityRestricted.violations(gatewayOnly)).as(file).isEmpty();
            }
        }
        // the S4E API of the Deployment example is hardened too: its whole pod is admitted
        RenderedManifests deployment = new RenderedManifests(read(INJECT.resolve("deployment.injected.yaml")));
        assertThat(PodSecurityRestricted.violations(deployment.podSpecs().get(0))).isEmpty();
    }

    @Test
    void validatorWhenAFieldIsUnknownOrMissingThenFails() {
        RenderedManifests rendered = render(t -> { });
        Map<String, Object> deployment = rendered.one("Deployment");
        Map<String, Object> container = list(RenderedManifests.podSpecOf(deployment).get("containers")).get(0);
        container.put("restartPolicyy", "Always");
        assertThatThrownBy(() -> KubernetesSchema.validate(deployment)).hasMessageContaining("restartPolicyy");
        container.remove("restartPolicyy");
        container.remove("name");
        assertThatThrownBy(() -> KubernetesSchema.validate(deployment)).hasMessageContaining("name");

        Map<String, Object> service = rendered.one("Service");
        map(service.get("spec")).put("targetPorts", List.of());
        assertThatThrownBy(() -> KubernetesSchema.validate(service)).hasMessageContaining("targetPorts");
    }

    @Test
    void restrictedCheckWhenAContainerIsLooseThenNamesIt() {
        Map<String, Object> pod = RenderedManifests.podSpecOf(render(t -> { }).one("Deployment"));
        Map<String, Object> gateway = list(pod.get("initContainers")).get(0);
        map(gateway.get("securityContext")).put("allowPrivilegeEscalation", true);
        map(map(list(pod.get("containers")).get(0).get("securityContext")).get("capabilities")).put("drop", List.of());
        pod.put("hostNetwork", true);
        assertThat(PodSecurityRestricted.violations(pod)).containsExactlyInAnyOrder("hostNetwork is true",
                "container gateway does not set allowPrivilegeEscalation: false",
                "container app does not drop ALL capabilities");
    }

    // ---------------------------------------------------------------------------------------------------------------

    static RenderedManifests render(Consumer<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName("gw").withNamespace("s4e")
                .set("secrets.values.jwt-secret", JWT);
        values.accept(template);
        return new RenderedManifests(template.call());
    }

    static RenderedManifests renderAppChart(Path dir) throws IOException {
        Path app = dir.resolve("s4e-api");
        FileSystemUtils.copyRecursively(APP_CHART, app);
        FileSystemUtils.copyRecursively(CHART, app.resolve("charts/s4e-gateway"));
        return new RenderedManifests(new Helm(app).template().withName("shop").withNamespace("s4e")
                .set("s4e-gateway.secrets.values.jwt-secret", JWT).call());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.s4e.gateway.inject;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.s4e.gateway.GatewayApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inject} on real manifests, compared with golden files in {@code src/test/resources/inject}: a Deployment
 * (with its Service), a StatefulSet with a values file, and a manifest that already has the gateway.
 */
class InjectCommandTests {

    private static final Path FILES = Path.of("src/test/resources/inject");

    @Test
    void injectWhenDeploymentThenMatchesGoldenFile() {
        Run run = inject(read("deployment.yaml"));
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(read("deployment.injected.yaml"));
        assertThat(run.err())
                .contains("Deployment/s4e-api: a Service must target targetPort: http (or 8080); one that targets 8000 "
                        + "reaches the app without the gateway")
                .contains("create ConfigMap 's4e-api-s4e-gateway'")
                .contains("Secret 's4e-api-s4e-gateway'")
                .contains("container 'api' is probed on port 8000");
    }

    @Test
    void injectWhenStatefulSetWithValuesThenMatchesGoldenFile() {
        Run run = inject(read("statefulset.yaml"), "--values", FILES.resolve("statefulset-values.yaml").toString());
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(read("statefulset.injected.yaml"));
        // 8080 is the worker's own port: the gateway takes the next free ones
        assertThat(run.err()).contains("StatefulSet/s4e-worker: a Service must target targetPort: web (or 8081)");
    }

    @Test
    void injectWhenAlreadyInjectedThenOutputIsTheInputByteForByte() {
        String injected = read("already-injected.yaml");
        Run run = inject(injected);
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo(injected);
        assertThat(run.err()).contains("Deployment/s4e-api: already has the gateway").doesNotContain("Service must");
    }

    @Test
    void injectWhenItsOwnOutputThenUnchanged() {
        for (String input : List.of("deployment.yaml", "statefulset.yaml")) {
            String once = inject(read(input), "--values", FILES.resolve("statefulset-values.yaml").toString()).out();
            assertThat(inject(once, "--values", FILES.resolve("statefulset-values.yaml").toString()).out())
                    .as(input).isEqualTo(once);
        }
    }

    @Test
    void injectWhenDaemonSetThenGatewayIsANativeSidecarWithTheMovedPort() {
        String daemonSet = """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: log-shipper}
                spec:
                  selector: {matchLabels: {app: log-shipper}}
                  template:
                    metadata: {labels: {app: log-shipper}}
                    spec:
                      containers:
                        - name: log-shipper
                          image: log-shipper:1
                          ports: [{name: http, containerPort: 9000}]
                """;
        Run run = inject(daemonSet);
        assertThat(run.status()).as(run.err()).isZero();
        Map<String, Object> pod = podSpec(run.out());
        Map<String, Object> gateway = Manifests.list(pod.get("initContainers"), "init").get(0);
        assertThat(gateway).containsEntry("name", "s4e-gateway").containsEntry("restartPolicy", "Always");
        assertThat(gateway.get("ports").toString()).contains("name=http, containerPort=8080");
        assertThat(Manifests.list(pod.get("containers"), "containers").get(0)).doesNotContainKey("ports");
        assertThat(gateway.get("env").toString()).contains("value=http://127.0.0.1:9000");
    }

    @Test
    void injectWhenNoWorkloadThenRefusedNamingWhatWasFound() {
        Run run = inject("apiVersion: v1\nkind: Service\nmetadata: {name: api}\n---\napiVersion: v1\nkind: ConfigMap\n"
                + "metadata: {name: c}\n");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("refused: found no Deployment, StatefulSet or DaemonSet")
                .contains("Service, ConfigMap");
    }

    @Test
    void injectWhenManifestCannotBeUnderstoodThenRefusedWithAReason() {
        assertRefused("", "no document");
        assertRefused("kind: Deployment\nspec: [unclosed", "not valid YAML");
        assertRefused("- just\n- a list\n", "is not a YAML mapping");
        assertRefused("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api}
                spec: {template: {spec: {containers: []}}}
                """, "Deployment/api has no containers");
        assertRefused("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api}
                spec: {template: {spec: {containers: [{name: api, image: a, ports: [{containerPort: 8000}]}]}}}
                """, "Deployment/api has no container port named 'http' (ports: api:8000)");
        assertRefused("""
                apiVersion: extensions/v1beta1
                kind: Deployment
                metadata: {name: api}
                spec: {template: {spec: {containers: [{name: api, image: a}]}}}
                """, "only apps/v1 is understood");
        assertRefused("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api}
                spec: {template: {spec: {hostNetwork: true, containers: [{name: api, image: a}]}}}
                """, "uses hostNetwork");
    }

    @Test
    void injectWhenValuesAskForAPortInUseThenRefused(@TempDir Path dir) throws IOException {
        Path values = Files.writeString(dir.resolve("values.yaml"), "port: 9100\n");
        Run run = inject(read("deployment.yaml"), "--values", values.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("already uses port 9100: choose another port");
    }

    @Test
    void injectWhenValuesFileIsWrongOrArgumentsUnknownThenRefusedWithUsage(@TempDir Path dir) throws IOException {
        Path values = Files.writeString(dir.resolve("values.yaml"), "imagee: x\n");
        Run unknownKey = inject(read("deployment.yaml"), "--values", values.toString());
        assertThat(unknownKey.status()).isEqualTo(1);
        assertThat(unknownKey.err()).contains("unknown key 'imagee'");

        Run missing = inject(read("deployment.yaml"), "--values", dir.resolve("absent.yaml").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");

        Run usage = inject(read("deployment.yaml"), "--replicas", "3");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("unknown argument '--replicas'").contains("usage: java -jar s4e-gateway.jar inject");
    }

    @Test
    void mainWhenInjectThenAnsweredWithoutStartingTheGateway() throws Exception {
        // the real entry point in a fresh JVM, as `java -jar s4e-gateway.jar inject` runs it
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GatewayApplication.class.getName(), "inject")
                .redirectInput(FILES.resolve("deployment.yaml").toFile())
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        assertThat(out).isEqualTo(read("deployment.injected.yaml"));
        assertThat(err).doesNotContain("Spring").doesNotContain("Started").contains("s4e-gateway inject:");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private record Run(int status, String out, String err) {
    }

    private static Run inject(String manifest, String... options) {
        String[] args = new String[options.length + 1];
        args[0] = "inject";
        System.arraycopy(options, 0, args, 1, options.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = InjectCommand.run(args, new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertRefused(String manifest, String reason) {
        Run run = inject(manifest);
        assertThat(run.status()).as(manifest).isEqualTo(1);
        assertThat(run.out()).as(manifest).isEmpty();
        assertThat(run.err()).as(manifest).contains(reason);
    }

    private static Map<String, Object> podSpec(String manifest) {
        Map<String, Object> workload = Manifests.object(Manifests.load(manifest).get(0), "workload");
        return Manifests.object(Manifests.object(Manifests.object(workload.get("spec"), "spec").get("template"),
                "template").get("spec"), "pod");
    }

    static String read(String name) {
        try {
            return Files.readString(FILES.resolve(name));
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static File file(String name) {
        return FILES.resolve(name).toFile();
    }
}

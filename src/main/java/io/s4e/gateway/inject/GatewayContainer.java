package io.s4e.gateway.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.s4e.gateway.inject.Manifests.map;

/**
 * The gateway's init container as {@code inject} adds it: a native sidecar ({@code restartPolicy: Always}), probes on
 * the management port, configuration from the mounted ConfigMap, secrets from the Secret, and a security context
 * that passes the Pod Security "restricted" profile.
 */
final class GatewayContainer {

    private GatewayContainer() {
    }

    static Map<String, Object> of(InjectOptions options, String secret, int port, int managementPort, int appPort) {
        Map<String, Object> container = map("name", options.containerName(), "image", options.image());
        if (options.imagePullPolicy() != null) {
            container.put("imagePullPolicy", options.imagePullPolicy());
        }
        container.put("restartPolicy", "Always");
        container.put("ports", new ArrayList<>(List.of(
                map("name", options.portName(), "containerPort", port, "protocol", "TCP"),
                map("name", SidecarInjector.MANAGEMENT_PORT_NAME, "containerPort", managementPort, "protocol", "TCP"))));
        List<Map<String, Object>> env = new ArrayList<>(List.of(
                map("name", "SERVER_PORT", "value", Integer.toString(port)),
                map("name", "MANAGEMENT_SERVER_PORT", "value", Integer.toString(managementPort)),
                map("name", "S4E_APP_URL", "value", "http://127.0.0.1:" + appPort),
                map("name", "SPRING_CONFIG_ADDITIONAL_LOCATION", "value", "file:" + SidecarInjector.CONFIG_DIR + "/gateway.yml")));
        env.addAll(options.env());
        container.put("env", env);
        container.put("envFrom", new ArrayList<>(List.of(map("secretRef", map("name", secret)))));
        container.put("volumeMounts", new ArrayList<>(List.of(
                map("name", SidecarInjector.CONFIG_VOLUME, "mountPath", SidecarInjector.CONFIG_DIR, "readOnly", true),
                map("name", SidecarInjector.TMP_VOLUME, "mountPath", "/tmp"))));
        container.put("startupProbe", probe("/actuator/health/liveness", 2, 60));
        container.put("livenessProbe", probe("/actuator/health/liveness", 10, 3));
        container.put("readinessProbe", probe("/actuator/health/readiness", 5, 2));
        container.put("resources", options.resources());
        container.put("securityContext", map(
                "runAsNonRoot", true,
                "runAsUser", 10001,
                "runAsGroup", 10001,
                "allowPrivilegeEscalation", false,
                "readOnlyRootFilesystem", true,
                "capabilities", map("drop", new ArrayList<>(List.of("ALL"))),
                "seccompProfile", map("type", "RuntimeDefault")));
        return container;
    }

    private static Map<String, Object> probe(String path, int period, int failures) {
        return map("httpGet", map("path", path, "port", SidecarInjector.MANAGEMENT_PORT_NAME),
                "periodSeconds", period, "timeoutSeconds", 3, "failureThreshold", failures);
    }
}

package io.s4e.gateway.inject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code inject} adds to a workload, read from the optional {@code --values} file (YAML). Every key is optional.
 *
 * @param image           the gateway image
 * @param imagePullPolicy pull policy of the gateway image ({@code null}: the cluster's default)
 * @param containerName   name of the gateway's init container (also how an injected workload is recognised)
 * @param portName        name of the pod's HTTP port that Services target, moved to the gateway
 * @param port            the gateway's public port ({@code null}: 8080, or the next free port)
 * @param managementPort  the gateway's health and metrics port ({@code null}: 8081, or the next free port)
 * @param configMap       ConfigMap holding {@code gateway.yml} (routes, settings); {@code null}: {@code <workload>-s4e-gateway}
 * @param secret          Secret whose keys become the gateway's environment; {@code null}: {@code <workload>-s4e-gateway}
 * @param env             further environment variables of the gateway (Kubernetes {@code env} entries)
 * @param resources       the gateway's resource requests and limits
 */
public record InjectOptions(String image, String imagePullPolicy, String containerName, String portName, Integer port,
        Integer managementPort, String configMap, String secret, List<Map<String, Object>> env,
        Map<String, Object> resources) {

    /** Default image of the gateway. */
    public static final String DEFAULT_IMAGE = "registry.example.internal/s4e/s4e-gateway:0.1.0";

    private static final Set<String> KEYS = Set.of("image", "imagePullPolicy", "containerName", "portName", "port",
            "managementPort", "configMap", "secret", "env", "resources");

    public InjectOptions {
        env = env == null ? List.of() : List.copyOf(env);
        resources = resources == null ? defaultResources() : resources;
    }

    /** The options without a values file. */
    public static InjectOptions defaults() {
        return new InjectOptions(DEFAULT_IMAGE, null, "s4e-gateway", "http", null, null, null, null, null, null);
    }

    /**
     * Reads options from a values document.
     *
     * @throws InjectException naming the key when a key is unknown or a value has the wrong type
     */
    @SuppressWarnings("unchecked")
    public static InjectOptions from(Map<String, Object> values) {
        for (String key : values.keySet()) {
            if (!KEYS.contains(key)) {
                throw new InjectException("the values file has an unknown key '" + key + "' (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        InjectOptions d = defaults();
        return new InjectOptions(
                text(values, "image", d.image()),
                text(values, "imagePullPolicy", null),
                text(values, "containerName", d.containerName()),
                text(values, "portName", d.portName()),
                number(values, "port"),
                number(values, "managementPort"),
                text(values, "configMap", null),
                text(values, "secret", null),
                (List<Map<String, Object>>) typed(values, "env", List.class),
                (Map<String, Object>) typed(values, "resources", Map.class));
    }

    private static Map<String, Object> defaultResources() {
        Map<String, Object> requests = new LinkedHashMap<>();
        requests.put("cpu", "250m");
        requests.put("memory", "384Mi");
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("requests", requests);
        resources.put("limits", new LinkedHashMap<>(Map.of("memory", "512Mi")));
        return resources;
    }

    private static String text(Map<String, Object> values, String key, String fallback) {
        Object value = typed(values, key, String.class);
        return value == null ? fallback : (String) value;
    }

    private static Integer number(Map<String, Object> values, String key) {
        Integer value = (Integer) typed(values, key, Integer.class);
        if (value != null && (value < 1 || value > 65535)) {
            throw new InjectException("the values file's " + key + " must be a port number, not " + value);
        }
        return value;
    }

    private static Object typed(Map<String, Object> values, String key, Class<?> type) {
        Object value = values.get(key);
        if (value != null && !type.isInstance(value)) {
            throw new InjectException("the values file's " + key + " must be a " + type.getSimpleName().toLowerCase()
                    + ", not '" + value + "'");
        }
        return value;
    }
}

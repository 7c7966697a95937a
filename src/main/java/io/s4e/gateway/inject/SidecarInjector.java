package io.s4e.gateway.inject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adds the gateway to a Deployment, StatefulSet or DaemonSet as a Kubernetes native sidecar: an init container with
 * {@code restartPolicy: Always}, which starts before the app's containers and stops after them.
 * <p>
 * The pod's named HTTP port (the one Services target) moves to the gateway: the app keeps listening on its port
 * number, the gateway listens on its own and takes the name, so a Service whose {@code targetPort} is that name now
 * reaches the gateway. Routes come from a ConfigMap mounted at {@code /etc/s4e-gateway}, secrets from a Secret whose
 * keys become environment variables. A workload that already has the gateway is left exactly as it is.
 */
public final class SidecarInjector {

    /** Where the gateway reads {@code gateway.yml} (routes and settings) from. */
    public static final String CONFIG_DIR = "/etc/s4e-gateway";
    /** The pod's volume holding the ConfigMap. */
    public static final String CONFIG_VOLUME = "s4e-gateway-config";
    /** A writable /tmp (Netty unpacks its native transport there; the root filesystem is read-only). */
    public static final String TMP_VOLUME = "s4e-gateway-tmp";
    /** Name of the gateway's management port. */
    public static final String MANAGEMENT_PORT_NAME = "s4e-management";

    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");
    private static final int DEFAULT_PORT = 8080;
    private static final int DEFAULT_MANAGEMENT_PORT = 8081;

    private final InjectOptions options;

    public SidecarInjector(InjectOptions options) {
        this.options = options;
    }

    /**
     * The outcome of one injection.
     *
     * @param manifest the manifest to apply: the input itself, byte for byte, when nothing had to change
     * @param notes    what the operator must know or do (the Service's target, the ConfigMap and Secret to create)
     * @param changed  whether any workload received the gateway
     */
    public record Result(String manifest, List<String> notes, boolean changed) {
    }

    /**
     * Injects the gateway into every workload of {@code manifest} (one or more YAML documents).
     *
     * @throws InjectException when the manifest holds no workload, or a workload cannot take the gateway
     */
    public Result inject(String manifest) {
        List<Object> documents = Manifests.load(manifest);
        List<Map<String, Object>> workloads = new ArrayList<>();
        for (Object document : documents) {
            Map<String, Object> object = Manifests.object(document, "a document");
            if (WORKLOADS.contains(object.get("kind"))) {
                workloads.add(object);
            }
        }
        if (workloads.isEmpty()) {
            throw new InjectException("found no Deployment, StatefulSet or DaemonSet to inject into (the input holds "
                    + describe(documents) + ")");
        }
        List<String> notes = new ArrayList<>();
        boolean changed = false;
        for (Map<String, Object> workload : workloads) {
            changed |= injectInto(workload, documents, notes);
        }
        return new Result(changed ? Manifests.dump(documents) : manifest, List.copyOf(notes), changed);
    }

    private boolean injectInto(Map<String, Object> workload, List<Object> documents, List<String> notes) {
        String id = workload.get("kind") + "/" + name(workload);
        if (!"apps/v1".equals(workload.get("apiVersion"))) {
            throw new InjectException(id + " has apiVersion '" + workload.get("apiVersion") + "'; only apps/v1 is understood");
        }
        Map<String, Object> pod = podSpec(workload, id);
        if (Boolean.TRUE.equals(pod.get("hostNetwork"))) {
            throw new InjectException(id + " uses hostNetwork: its ports are the node's, and the gateway cannot take one over");
        }
        List<Map<String, Object>> containers = Manifests.list(pod.get("containers"), id + " spec.template.spec.containers");
        if (containers.isEmpty()) {
            throw new InjectException(id + " has no containers in spec.template.spec.containers");
        }
        List<Map<String, Object>> initContainers = pod.containsKey("initContainers")
                ? Manifests.list(pod.get("initContainers"), id + " spec.template.spec.initContainers") : new ArrayList<>();
        if (initContainers.stream().anyMatch(c -> options.containerName().equals(c.get("name")))) {
            notes.add(id + ": already has the gateway (init container '" + options.containerName() + "'); left unchanged");
            return false;
        }
        AppPort app = findAppPort(id, containers);
        Set<Integer> used = usedPorts(containers, initContainers);
        int port = choosePort(id, "port", options.port(), DEFAULT_PORT, used);
        used.add(port);
        int managementPort = choosePort(id, "managementPort", options.managementPort(), DEFAULT_MANAGEMENT_PORT, used);

        releasePortName(app, id);
        String configMap = Objects.requireNonNullElse(options.configMap(), name(workload) + "-s4e-gateway");
        String secret = Objects.requireNonNullElse(options.secret(), name(workload) + "-s4e-gateway");
        initContainers.add(GatewayContainer.of(options, secret, port, managementPort, app.number()));
        pod.put("initContainers", initContainers);
        List<Map<String, Object>> volumes = pod.containsKey("volumes")
                ? Manifests.list(pod.get("volumes"), id + " spec.template.spec.volumes") : new ArrayList<>();
        volumes.add(Manifests.map("name", CONFIG_VOLUME, "configMap", Manifests.map("name", configMap)));
        volumes.add(Manifests.map("name", TMP_VOLUME, "emptyDir", new LinkedHashMap<>()));
        pod.put("volumes", volumes);

        notes.add(id + ": the gateway now owns the port name '" + options.portName() + "' (containerPort " + port
                + "); container '" + app.container().get("name") + "' keeps listening on " + app.number()
                + " and is reached through the gateway at http://127.0.0.1:" + app.number() + " (S4E_APP_URL)");
        notes.add(id + ": a Service must target targetPort: " + options.portName() + " (or " + port + "); one that targets "
                + app.number() + " reaches the app without the gateway");
        notes.add(id + ": make the app listen on 127.0.0.1:" + app.number()
                + " only (or block the port with a NetworkPolicy), so that nothing in the cluster reaches it unchecked");
        notes.add(id + ": create ConfigMap '" + configMap + "' with the key gateway.yml (routes, uri: ${S4E_APP_URL}) and Secret '"
                + secret + "' whose keys are environment variables (S4E_SESSION_JWT_SECRET, SPRING_R2DBC_PASSWORD, ...)");
        if (app.probed()) {
            notes.add(id + ": container '" + app.container().get("name") + "' is probed on port " + app.number()
                    + " through the pod IP, which fails once it listens on 127.0.0.1 only: probe it with exec or on another port");
        }
        noteServicesTargetingTheApp(documents, app.number(), notes);
        return true;
    }

    /** The container and port entry named {@code options.portName()}. */
    private record AppPort(Map<String, Object> container, Map<String, Object> entry, int number) {

        /** Whether a probe of the app's container reaches this port (by name or number). */
        boolean probed() {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                if (container.get(probe) instanceof Map<?, ?> handler) {
                    for (String action : List.of("httpGet", "tcpSocket")) {
                        if (handler.get(action) instanceof Map<?, ?> target
                                && (Integer.valueOf(number).equals(target.get("port")) || entry.get("name").equals(target.get("port")))) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    private AppPort findAppPort(String id, List<Map<String, Object>> containers) {
        List<String> seen = new ArrayList<>();
        for (Map<String, Object> container : containers) {
            if (!container.containsKey("ports")) {
                continue;
            }
            for (Map<String, Object> entry : Manifests.list(container.get("ports"), id + " ports")) {
                seen.add(container.get("name") + ":" + entry.get("containerPort")
                        + (entry.containsKey("name") ? " (" + entry.get("name") + ")" : ""));
                if (!options.portName().equals(entry.get("name"))) {
                    continue;
                }
                if (!(entry.get("containerPort") instanceof Integer number)) {
                    throw new InjectException(id + ": port '" + options.portName() + "' has no numeric containerPort");
                }
                Object protocol = entry.get("protocol");
                if (protocol != null && !"TCP".equals(protocol)) {
                    throw new InjectException(id + ": port '" + options.portName() + "' is " + protocol + ", not TCP");
                }
                return new AppPort(container, entry, number);
            }
        }
        throw new InjectException(id + " has no container port named '" + options.portName() + "' (ports: "
                + (seen.isEmpty() ? "none" : String.join(", ", seen)) + "): name the port that Services target, "
                + "or set portName in the --values file");
    }

    private static Set<Integer> usedPorts(List<Map<String, Object>> containers, List<Map<String, Object>> initContainers) {
        Set<Integer> used = new HashSet<>();
        for (List<Map<String, Object>> group : List.of(containers, initContainers)) {
            for (Map<String, Object> container : group) {
                if (container.get("ports") instanceof List<?> ports) {
                    for (Object entry : ports) {
                        if (entry instanceof Map<?, ?> map && map.get("containerPort") instanceof Integer number) {
                            used.add(number);
                        }
                    }
                }
            }
        }
        return used;
    }

    private static int choosePort(String id, String key, Integer wanted, int preferred, Set<Integer> used) {
        if (wanted != null) {
            if (used.contains(wanted)) {
                throw new InjectException(id + " already uses port " + wanted + ": choose another " + key
                        + " in the --values file");
            }
            return wanted;
        }
        int port = preferred;
        while (used.contains(port)) {
            port++;
        }
        return port;
    }

    /** Removes the named port from the app and points the app's own probes and hooks that used the name at the number. */
    private static void releasePortName(AppPort app, String id) {
        Map<String, Object> container = app.container();
        List<Map<String, Object>> ports = Manifests.list(container.get("ports"), id + " ports");
        ports.remove(app.entry());
        if (ports.isEmpty()) {
            container.remove("ports");
        }
        Object name = app.entry().get("name");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            renumber(container.get(probe), name, app.number());
        }
        if (container.get("lifecycle") instanceof Map<?, ?> lifecycle) {
            renumber(lifecycle.get("postStart"), name, app.number());
            renumber(lifecycle.get("preStop"), name, app.number());
        }
    }

    @SuppressWarnings("unchecked")
    private static void renumber(Object handler, Object name, int number) {
        if (!(handler instanceof Map<?, ?> map)) {
            return;
        }
        for (String action : List.of("httpGet", "tcpSocket")) {
            if (map.get(action) instanceof Map<?, ?> target && name.equals(target.get("port"))) {
                ((Map<String, Object>) target).put("port", number);
            }
        }
    }

    private static void noteServicesTargetingTheApp(List<Object> documents, int appPort, List<String> notes) {
        for (Object document : documents) {
            if (!(document instanceof Map<?, ?> object) || !"Service".equals(object.get("kind"))
                    || !(object.get("spec") instanceof Map<?, ?> spec) || !(spec.get("ports") instanceof List<?> ports)) {
                continue;
            }
            for (Object port : ports) {
                if (port instanceof Map<?, ?> entry && Integer.valueOf(appPort).equals(entry.get("targetPort"))) {
                    notes.add("Service/" + name(object) + " targets port " + appPort
                            + " by number and would bypass the gateway: change its targetPort to the port name");
                }
            }
        }
    }

    private static Map<String, Object> podSpec(Map<String, Object> workload, String id) {
        Map<String, Object> spec = Manifests.object(workload.get("spec"), id + " spec");
        Map<String, Object> template = Manifests.object(spec.get("template"), id + " spec.template");
        return Manifests.object(template.get("spec"), id + " spec.template.spec");
    }

    private static String name(Map<?, ?> object) {
        if (object.get("metadata") instanceof Map<?, ?> metadata && metadata.get("name") instanceof String name) {
            return name;
        }
        throw new InjectException("a " + object.get("kind") + " has no metadata.name");
    }

    private static String describe(List<Object> documents) {
        if (documents.isEmpty()) {
            return "no document";
        }
        List<String> kinds = new ArrayList<>();
        for (Object document : documents) {
            kinds.add(document instanceof Map<?, ?> map ? String.valueOf(map.get("kind")) : "a non-object document");
        }
        return String.join(", ", kinds);
    }
}

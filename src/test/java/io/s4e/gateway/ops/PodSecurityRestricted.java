package io.s4e.gateway.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of the Pod Security Standards' "restricted" profile (the baseline ones included), as the admission
 * controller applies them to a pod spec: every container, init and sidecar containers included.
 */
final class PodSecurityRestricted {

    private static final Set<String> ALLOWED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");

    private PodSecurityRestricted() {
    }

    /** What the "restricted" profile refuses in {@code pod} (a pod spec); empty when the pod is admitted. */
    static List<String> violations(Map<String, Object> pod) {
        List<String> violations = new ArrayList<>();
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (Boolean.TRUE.equals(pod.get(host))) {
                violations.add(host + " is true");
            }
        }
        Map<String, Object> podContext = map(pod.get("securityContext"));
        for (Object volume : list(pod.get("volumes"))) {
            Map<String, Object> v = map(volume);
            for (String key : v.keySet()) {
                if (!key.equals("name") && !ALLOWED_VOLUMES.contains(key)) {
                    violations.add("volume " + v.get("name") + " is of type " + key);
                }
            }
        }
        for (Object sysctl : list(podContext.get("sysctls"))) {
            if (!SAFE_SYSCTLS.contains(map(sysctl).get("name"))) {
                violations.add("sysctl " + map(sysctl).get("name") + " is not safe");
            }
        }
        if (Integer.valueOf(0).equals(podContext.get("runAsUser"))) {
            violations.add("the pod runs as user 0");
        }
        List<Object> containers = new ArrayList<>(list(pod.get("containers")));
        containers.addAll(list(pod.get("initContainers")));
        containers.addAll(list(pod.get("ephemeralContainers")));
        if (containers.isEmpty()) {
            violations.add("the pod has no containers");
        }
        for (Object item : containers) {
            Map<String, Object> container = map(item);
            Map<String, Object> context = map(container.get("securityContext"));
            String name = "container " + container.get("name");
            if (Boolean.TRUE.equals(context.get("privileged"))) {
                violations.add(name + " is privileged");
            }
            if (!Boolean.FALSE.equals(context.get("allowPrivilegeEscalation"))) {
                violations.add(name + " does not set allowPrivilegeEscalation: false");
            }
            if (!Boolean.TRUE.equals(context.getOrDefault("runAsNonRoot", podContext.get("runAsNonRoot")))) {
                violations.add(name + " does not set runAsNonRoot: true (nor does the pod)");
            }
            if (Integer.valueOf(0).equals(context.get("runAsUser"))) {
                violations.add(name + " runs as user 0");
            }
            Object seccomp = map(context.getOrDefault("seccompProfile", podContext.get("seccompProfile"))).get("type");
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                violations.add(name + " has no seccompProfile RuntimeDefault or Localhost (nor does the pod)");
            }
            Map<String, Object> capabilities = map(context.get("capabilities"));
            if (!list(capabilities.get("drop")).contains("ALL")) {
                violations.add(name + " does not drop ALL capabilities");
            }
            for (Object added : list(capabilities.get("add"))) {
                if (!"NET_BIND_SERVICE".equals(added)) {
                    violations.add(name + " adds capability " + added);
                }
            }
            for (Object port : list(container.get("ports"))) {
                Object hostPort = map(port).get("hostPort");
                if (hostPort != null && !Integer.valueOf(0).equals(hostPort)) {
                    violations.add(name + " uses hostPort " + hostPort);
                }
            }
            if (context.get("procMount") != null && !"Default".equals(context.get("procMount"))) {
                violations.add(name + " sets procMount " + context.get("procMount"));
            }
        }
        return violations;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value instanceof List<?> list ? (List<Object>) list : List.of();
    }
}

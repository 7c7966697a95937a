package io.s4e.gateway.ops;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import static org.assertj.core.api.Assertions.fail;

/**
 * Strict validation of Kubernetes objects against the API's schema: the models of the Kubernetes Java client are
 * generated from the API's OpenAPI document, and their {@code validateJsonElement} refuses any field the schema does
 * not define (at every depth) and any missing required field. The two Prometheus Operator kinds, which the client
 * does not model, are checked field by field against the parts of their CRD schema the chart uses.
 */
final class KubernetesSchema {

    private static final Gson GSON = new Gson();

    private interface Validator {
        void validate(JsonElement json) throws IOException;
    }

    private static final Map<String, Validator> CORE = Map.ofEntries(
            Map.entry("apps/v1/Deployment", V1Deployment::validateJsonElement),
            Map.entry("apps/v1/StatefulSet", V1StatefulSet::validateJsonElement),
            Map.entry("apps/v1/DaemonSet", V1DaemonSet::validateJsonElement),
            Map.entry("v1/Service", V1Service::validateJsonElement),
            Map.entry("v1/ConfigMap", V1ConfigMap::validateJsonElement),
            Map.entry("v1/Secret", V1Secret::validateJsonElement),
            Map.entry("v1/ServiceAccount", V1ServiceAccount::validateJsonElement),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy::validateJsonElement),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::validateJsonElement));

    private KubernetesSchema() {
    }

    /** Fails the test naming the object and the field when {@code object} does not follow its kind's schema. */
    static void validate(Map<String, Object> object) {
        String type = object.get("apiVersion") + "/" + object.get("kind");
        String name = type + " " + (object.get("metadata") instanceof Map<?, ?> m ? m.get("name") : "(no name)");
        try {
            Validator validator = CORE.get(type);
            if (validator != null) {
                validator.validate(GSON.toJsonTree(object));
            }
            else if (type.equals("monitoring.coreos.com/v1/ServiceMonitor")) {
                serviceMonitor(object);
            }
            else if (type.equals("monitoring.coreos.com/v1/PrometheusRule")) {
                prometheusRule(object);
            }
            else {
                fail("no schema known for " + name);
            }
        }
        catch (IOException | IllegalArgumentException invalid) {
            fail(name + " does not follow the Kubernetes schema: " + invalid.getMessage());
        }
    }

    // --- Prometheus Operator (monitoring.coreos.com/v1), fields as in its CRDs ---------------------------------------

    private static void serviceMonitor(Map<String, Object> object) throws IOException {
        custom(object);
        Map<String, Object> spec = map(object.get("spec"), "spec");
        only(spec, "spec", Set.of("selector", "endpoints", "namespaceSelector", "jobLabel", "podTargetLabels",
                "targetLabels", "sampleLimit"), Set.of("selector", "endpoints"));
        only(map(spec.get("selector"), "spec.selector"), "spec.selector", Set.of("matchLabels", "matchExpressions"), Set.of());
        for (Object endpoint : list(spec.get("endpoints"), "spec.endpoints")) {
            only(map(endpoint, "endpoint"), "spec.endpoints[]", Set.of("port", "targetPort", "path", "scheme",
                    "interval", "scrapeTimeout", "honorLabels", "relabelings", "metricRelabelings", "params"), Set.of());
        }
    }

    private static void prometheusRule(Map<String, Object> object) throws IOException {
        custom(object);
        Map<String, Object> spec = map(object.get("spec"), "spec");
        only(spec, "spec", Set.of("groups"), Set.of("groups"));
        for (Object group : list(spec.get("groups"), "spec.groups")) {
            Map<String, Object> g = map(group, "group");
            only(g, "spec.groups[]", Set.of("name", "interval", "rules", "limit", "partial_response_strategy"),
                    Set.of("name", "rules"));
            for (Object rule : list(g.get("rules"), "rules")) {
                Map<String, Object> r = map(rule, "rule");
                only(r, "rules[]", Set.of("alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"),
                        Set.of("expr"));
                if (r.get("for") != null && !r.get("for").toString().matches("(\\d+(ms|s|m|h|d|w|y))+")) {
                    throw new IllegalArgumentException("rules[].for is not a duration: " + r.get("for"));
                }
                for (String labels : List.of("labels", "annotations")) {
                    if (r.get(labels) != null) {
                        map(r.get(labels), labels).forEach((k, v) -> {
                            if (!(v instanceof String)) {
                                throw new IllegalArgumentException(labels + "." + k + " must be a string, not " + v);
                            }
                        });
                    }
                }
            }
        }
    }

    private static void custom(Map<String, Object> object) throws IOException {
        only(object, "", Set.of("apiVersion", "kind", "metadata", "spec"), Set.of("apiVersion", "kind", "metadata", "spec"));
        V1ObjectMeta.validateJsonElement(GSON.toJsonTree(object.get("metadata")));
    }

    private static void only(Map<String, Object> object, String where, Set<String> known, Set<String> required) {
        for (String key : object.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("the field `" + key + "` is not defined in " + where);
            }
        }
        for (String key : required) {
            if (object.get(key) == null) {
                throw new IllegalArgumentException("the required field `" + key + "` is missing in " + where);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " is not an object");
    }

    private static List<?> list(Object value, String what) {
        if (value instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException(what + " is not a list");
    }
}

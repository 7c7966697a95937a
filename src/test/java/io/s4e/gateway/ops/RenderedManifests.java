package io.s4e.gateway.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/** The objects of a rendered chart or an injected manifest, with the pod spec and containers at hand. */
record RenderedManifests(String text, List<Map<String, Object>> objects) {

    RenderedManifests(String text) {
        this(text, parse(text));
    }

    private static List<Map<String, Object>> parse(String text) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return objects;
    }

    List<Map<String, Object>> all(String kind) {
        return objects.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> one(String kind) {
        List<Map<String, Object>> all = all(kind);
        assertThat(all).as(kind).hasSize(1);
        return all.get(0);
    }

    /** The pod specs of every workload. */
    List<Map<String, Object>> podSpecs() {
        return objects.stream()
                .filter(o -> List.of("Deployment", "StatefulSet", "DaemonSet").contains(o.get("kind")))
                .map(RenderedManifests::podSpecOf)
                .toList();
    }

    static Map<String, Object> podSpecOf(Map<String, Object> workload) {
        return map(map(map(workload.get("spec")).get("template")).get("spec"));
    }

    /** Every container of a pod spec: containers, then init containers. */
    static List<Map<String, Object>> containersOf(Map<String, Object> pod) {
        List<Map<String, Object>> all = new ArrayList<>(list(pod.get("containers")));
        if (pod.get("initContainers") != null) {
            all.addAll(list(pod.get("initContainers")));
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }
}

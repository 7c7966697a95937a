package io.s4e.gateway.inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/** Reading and writing Kubernetes YAML as plain maps and lists, keys in their original order. */
final class Manifests {

    private Manifests() {
    }

    /** The non-empty documents of {@code text}; throws {@link InjectException} when it is not YAML. */
    static List<Object> load(String text) {
        List<Object> documents = new ArrayList<>();
        try {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
                if (document != null) {
                    documents.add(document);
                }
            }
        }
        catch (YAMLException invalid) {
            throw new InjectException("the input is not valid YAML: " + invalid.getMessage().lines().findFirst().orElse(""));
        }
        return documents;
    }

    /** Documents as YAML, separated by {@code ---}, in block style with Kubernetes' usual indentation. */
    static String dump(List<Object> documents) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setSplitLines(false);
        Yaml yaml = new Yaml(new Representer(options), options);
        StringBuilder out = new StringBuilder();
        for (Object document : documents) {
            if (!out.isEmpty()) {
                out.append("---\n");
            }
            out.append(yaml.dump(document));
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new InjectException(what + " is not a YAML mapping" + (value == null ? " (missing)" : ""));
    }

    /** A list of objects, made mutable in place where SnakeYAML gave an immutable one. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object value, String what) {
        if (!(value instanceof List<?> list)) {
            throw new InjectException(what + " is not a YAML list" + (value == null ? " (missing)" : ""));
        }
        for (Object item : list) {
            object(item, "an item of " + what);
        }
        return (List<Map<String, Object>>) list;
    }

    /** An ordered map of key-value pairs. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}

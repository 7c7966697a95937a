package io.s4e.gateway.support;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the {@link EchoUpstream} received, read back from its answer.
 *
 * @param method  the HTTP method
 * @param uri     the raw request target, exactly as the upstream saw it
 * @param headers every header, by lower-case name
 */
public record EchoedRequest(String method, String uri, Map<String, List<String>> headers) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Reads the echo's JSON answer; fails when the body is not one (e.g. an error envelope). */
    public static EchoedRequest of(String json) {
        Map<String, Object> echo = JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
        if (!echo.containsKey("uri") || !echo.containsKey("headers")) {
            throw new AssertionError("Expected the upstream's echo, got: " + json);
        }
        @SuppressWarnings("unchecked")
        Map<String, List<String>> headers = (Map<String, List<String>>) echo.get("headers");
        return new EchoedRequest((String) echo.get("method"), (String) echo.get("uri"), headers);
    }

    /** Every value the upstream received for header {@code name} (empty when absent). */
    public List<String> header(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The names of the {@code x-s4e-*} headers the upstream received. */
    public Set<String> identityHeaderNames() {
        Set<String> names = new TreeSet<>();
        headers.keySet().stream().filter(n -> n.startsWith("x-s4e-")).forEach(names::add);
        return names;
    }
}

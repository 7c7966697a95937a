package io.s4e.gateway.support;

import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on the S4E error envelope (CONTRACT §1). */
public final class ErrorEnvelopes {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorEnvelopes() {
    }

    /**
     * Asserts that {@code body} is exactly {@code {"status":"error","error":{"code":code,"message":…}}} with a
     * non-blank message, and nothing else (no trace, no path, no exception name).
     *
     * @return the message
     */
    public static String assertEnvelope(String body, String code) {
        assertThat(body).as("error body").isNotNull().startsWith("{");
        Map<String, Object> envelope = JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
        assertThat(envelope).as(body).containsOnlyKeys("status", "error").containsEntry("status", "error");
        assertThat(envelope.get("error")).as(body).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) envelope.get("error");
        assertThat(error).as(body).containsOnlyKeys("code", "message").containsEntry("code", code);
        assertThat(error.get("message")).as(body).isInstanceOf(String.class);
        String message = (String) error.get("message");
        assertThat(message).as(body).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        return message;
    }
}

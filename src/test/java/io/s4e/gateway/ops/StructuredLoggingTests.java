package io.s4e.gateway.ops;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JSON log lines (Spring Boot's ECS structured logging, switched on by {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}
 * in the image and the chart) carry the request id of the MDC; locally the plain pattern stays the default.
 */
class StructuredLoggingTests {

    @Test
    void ecsLineWhenRequestIdInMdcThenJsonWithRequestIdAndServiceName() throws Exception {
        LoggerContext context = new LoggerContext();
        context.putObject(Environment.class.getName(),
                new MockEnvironment().withProperty("spring.application.name", "s4e-gateway"));
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat("ecs");
        encoder.start();

        LoggingEvent event = new LoggingEvent(StructuredLoggingTests.class.getName(),
                context.getLogger("io.s4e.gateway.web.ErrorEnvelopeHandler"), Level.WARN,
                "Refused {} with {}", null, new Object[] {"/private/x", 401});
        event.setMDCPropertyMap(Map.of("requestId", "trace-json-1"));
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertThat(json.path("requestId").asString()).isEqualTo("trace-json-1");
        assertThat(json.path("message").asString()).isEqualTo("Refused /private/x with 401");
        assertThat(json.path("log").path("level").asString()).isEqualTo("WARN");
        assertThat(json.path("service").path("name").asString()).isEqualTo("s4e-gateway");
        assertThat(json.has("@timestamp")).isTrue();
    }

    @Test
    void jsonLogsWhenDeployedThenOnAndWhenRunLocallyThenOptIn() throws Exception {
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs");
        assertThat(Files.readString(Path.of("src/main/resources/application.yml")))
                .doesNotContainPattern("(?m)^\\s+console:\\s*ecs");
    }
}

package io.s4e.gateway.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's key properties, read from the Dockerfile's instructions (no container engine runs the tests): a
 * multi-stage build with the wrapper, a JRE runtime, a non-root user, the layered jar, container-aware memory
 * flags, and a health check on the management port.
 */
class DockerfileTests {

    private static List<String> instructions;

    @BeforeAll
    static void read() throws IOException {
        // join continuation lines, drop comments: one entry per instruction
        instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            if (!current.isEmpty()) {
                instructions.add(current.toString());
            }
            current.setLength(0);
        }
    }

    @Test
    void stagesWhenReadThenBuildWithWrapperOnJava17AndRunOnTemurin25Jre() {
        List<String> from = starting("FROM");
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).isEqualTo("FROM ${BUILD_IMAGE} AS build");
        assertThat(from.get(1)).isEqualTo("FROM ${RUNTIME_IMAGE}");
        // the bases are build arguments: the build on Temurin 17 (the sources' Java), the runtime on Temurin 25
        assertThat(instructions.subList(0, instructions.indexOf(from.get(0)))).containsExactly(
                "ARG BUILD_IMAGE=eclipse-temurin:17-jdk-noble", "ARG RUNTIME_IMAGE=eclipse-temurin:25-jre-noble");
        assertThat(starting("RUN")).anySatisfy(run -> assertThat(run).contains("./mvnw").contains("package"));
    }

    @Test
    void runtimeWhenReadThenLayeredJarInOrderOfChange() {
        assertThat(starting("RUN")).anySatisfy(run -> assertThat(run)
                .contains("java -Djarmode=tools -jar app.jar extract --layers --destination extracted"));
        List<String> copies = runtime().stream().filter(i -> i.startsWith("COPY --from=build")).toList();
        assertThat(copies).extracting(c -> c.replaceAll(".*/extracted/([a-z-]+)/.*", "$1"))
                .containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
        assertThat(last("ENTRYPOINT")).isEqualTo(
                "ENTRYPOINT [\"java\", \"-XX:AOTCache=app.aot\", \"-jar\", \"app.jar\"]");
    }

    @Test
    void aotCacheWhenReadThenTrainedInTheRuntimeImageWithoutStoresAndMappedAtEveryStart() {
        List<String> runtime = runtime();
        String training = runtime.stream().filter(i -> i.contains("-XX:AOTCacheOutput=app.aot")).findFirst()
                .orElseThrow();
        assertThat(training).startsWith("RUN java").contains("-Dspring.context.exit=onRefresh")
                .contains("--spring.flyway.enabled=false").contains("-jar app.jar");
        assertThat(runtime.indexOf(training)).as("after the layers, as root, before USER")
                .isGreaterThan(runtime.indexOf(runtime.stream().filter(i -> i.contains("extracted/application/"))
                        .findFirst().orElseThrow()))
                .isLessThan(runtime.indexOf(last("USER")));
        assertThat(runtime.indexOf(last("ENV"))).as("trained with the runtime's JVM options")
                .isLessThan(runtime.indexOf(training));
    }

    @Test
    void userWhenReadThenNonRootBeforeTheEntrypoint() {
        String user = last("USER");
        assertThat(user).isEqualTo("USER 10001:10001");
        assertThat(runtime().indexOf(user)).isLessThan(runtime().indexOf(last("ENTRYPOINT")));
        assertThat(runtime()).anySatisfy(i -> assertThat(i).contains("useradd --system --uid 10001"));
    }

    @Test
    void jvmWhenReadThenSizedFromTheContainerLimit() {
        assertThat(last("ENV")).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError")
                .contains("-XX:+UseSerialGC").contains("-XX:+UseCompactObjectHeaders")
                .contains("JDK_JAVA_OPTIONS=").contains("LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs")
                .contains("MANAGEMENT_SERVER_PORT=8081");
    }

    @Test
    void healthcheckWhenReadThenAsksTheManagementPort() {
        assertThat(last("HEALTHCHECK")).contains("--start-period=")
                .contains("/dev/tcp/127.0.0.1/${MANAGEMENT_SERVER_PORT}").contains("/actuator/health/liveness");
        assertThat(last("EXPOSE")).isEqualTo("EXPOSE 8080 8081");
    }

    @Test
    void contextWhenReadThenOnlySourcesAndWrapperAreSent() throws IOException {
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(ignore.get(0)).isEqualTo("*");
        assertThat(ignore).contains("!src/", "!pom.xml", "!mvnw", "!.mvn/", "src/test/").doesNotContain("!target/");
    }

    private static List<String> runtime() {
        int second = -1;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM")) {
                second = i;
            }
        }
        return instructions.subList(second, instructions.size());
    }

    private static List<String> starting(String keyword) {
        return instructions.stream().filter(i -> i.startsWith(keyword + " ")).toList();
    }

    private static String last(String keyword) {
        List<String> all = starting(keyword);
        assertThat(all).as(keyword).isNotEmpty();
        return all.get(all.size() - 1);
    }
}

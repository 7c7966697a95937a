package io.s4e.gateway.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document as a client author would try it: Redocly CLI (pinned in src/test/openapi-lint, installed from
 * the npm registry into target/ on the first run) with its recommended rules, every operation named and described
 * (src/test/openapi-lint/redocly.yaml). Needs Node.js and npm.
 */
class OpenApiLintTests {

    private static final Path TOOL = Path.of("src/test/openapi-lint");
    private static final Path WORK = Path.of("target/openapi-lint");
    private static final Path DOCUMENT = Path.of("src/main/resources/openapi/s4e-gateway.yaml");

    @BeforeAll
    static void installTheLinter() throws Exception {
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "redocly.yaml")) {
            Files.copy(TOOL.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isExecutable(WORK.resolve("node_modules/.bin/redocly"))) {
            Result installed = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
            assertThat(installed.status()).as("npm ci of the pinned Redocly CLI:\n" + installed.output()).isZero();
        }
    }

    @Test
    void theDocumentPassesTheLinterWithEveryOperationNamedAndDescribed() throws Exception {
        Result lint = lint(DOCUMENT.toAbsolutePath());
        assertThat(lint.status()).as(lint.output()).isZero();
    }

    @Test
    void anOperationWithoutItsNameFailsTheLinter() throws Exception {
        String document = Files.readString(DOCUMENT);
        String unnamed = document.replaceFirst("\n +operationId: login\n", "\n");
        assertThat(unnamed).isNotEqualTo(document);
        Path copy = WORK.resolve("unnamed.yaml").toAbsolutePath();
        Files.writeString(copy, unnamed);
        Result lint = lint(copy);
        assertThat(lint.status()).as(lint.output()).isNotZero();
        assertThat(lint.output()).contains("operation-operationId");
    }

    private static Result lint(Path document) throws Exception {
        return run(List.of("node_modules/.bin/redocly", "lint", "--config", "redocly.yaml", "--format", "stylish",
                document.toString()), 120);
    }

    private static Result run(List<String> command, long seconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private record Result(int status, String output) {
    }
}

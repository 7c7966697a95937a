package io.s4e.gateway.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's page is assembled from templates that several scripts clone: a template left open swallows every
 * page after it (they render nothing), so the markup is checked on its own, before any browser runs.
 */
class ConsoleMarkupTests {

    private static final Pattern TEMPLATE = Pattern.compile("<(/?)template(?:\\s+id=\"([^\"]+)\")?");

    @Test
    void everyTemplateIsClosedBeforeTheNextOpensAndHasAnIdOfItsOwn() throws IOException {
        String page = Files.readString(Path.of("src/main/resources/console/index.html"));
        Matcher matcher = TEMPLATE.matcher(page);
        int depth = 0;
        List<String> nested = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> repeated = new ArrayList<>();
        while (matcher.find()) {
            if (!matcher.group(1).isEmpty()) {
                depth--;
                continue;
            }
            if (depth > 0) {
                nested.add(matcher.group(2));
            }
            if (!ids.add(String.valueOf(matcher.group(2)))) {
                repeated.add(matcher.group(2));
            }
            depth++;
        }
        assertThat(nested).as("templates opened inside another").isEmpty();
        assertThat(depth).as("templates left open").isZero();
        assertThat(repeated).as("template ids used twice").isEmpty();
        assertThat(ids).contains("view-sign-in", "view-keys", "view-account", "view-users", "view-audit",
                "view-forbidden");
    }
}

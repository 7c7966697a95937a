package io.s4e.gateway.route;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;

import static org.assertj.core.api.Assertions.assertThat;

class RouteClaimsTests {

    @ParameterizedTest
    @CsvSource({
            "/api/keys/**, /api/keys",
            "/api/user/{id}/x, /api/user",
            "/**, /",
            "/api/us?r/**, /api",
            "/api/assets, /api/assets",
            "//api//admin/*, /api/admin"
    })
    void literalHeadWhenPatternThenPartBeforeFirstWildcard(String pattern, String head) {
        assertThat(RouteClaims.literalHead(pattern)).isEqualTo(head);
    }

    @Test
    void pathPatternsWhenShortcutOrArgsThenEveryPatternAndNoOption() {
        RouteDefinition definition = new RouteDefinition();
        definition.setPredicates(List.of(new PredicateDefinition("Path=/a/**,/b"), new PredicateDefinition("Method=GET"),
                predicate(Map.of("patterns", "/c/{x}", "matchTrailingSlash", "false"))));

        assertThat(RouteClaims.pathPatterns(definition)).containsExactlyInAnyOrder("/a/**", "/b", "/c/{x}");
    }

    @ParameterizedTest
    @CsvSource({
            "/api/user, true", "/api/user/x, true", "/API/Admin/users, true", "/api/keys, true",
            "/api/audit-log, true", "/api/admin-tools, false", "/api/users, false", "/api, false", "/api/userx/y, false"
    })
    void ownsWhenPathThenNamespaceDecidedSegmentWiseIgnoringCase(String path, boolean owned) {
        assertThat(GatewayNamespaces.owns(path)).isEqualTo(owned);
    }

    private static PredicateDefinition predicate(Map<String, String> args) {
        PredicateDefinition predicate = new PredicateDefinition();
        predicate.setName("Path");
        predicate.setArgs(new java.util.LinkedHashMap<>(args));
        return predicate;
    }
}

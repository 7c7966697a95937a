package io.s4e.gateway.principal;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Roles and the scopes each allows (CONTRACT §6).
 *
 * @param roles role name to the scopes (or patterns such as {@code read:*}) it allows; defaults: {@code admin} all,
 *              {@code member} all {@code read:*} and {@code write:*}, {@code viewer} all {@code read:*}
 */
@ConfigurationProperties("s4e")
public record RoleProperties(Map<String, List<String>> roles) {

    public RoleProperties {
        if (roles == null || roles.isEmpty()) {
            roles = Map.of(
                    "admin", List.of("*"),
                    "member", List.of("read:*", "write:*"),
                    "viewer", List.of("read:*"));
        }
    }
}

package io.s4e.gateway.principal;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A session's grant (every scope of its role, made once per role) is what the role allows, in contract order. */
class RoleScopesTests {

    @Test
    void aSessionHoldsEveryScopeItsRoleAllowsWithTheHeaderInContractOrder() {
        RoleScopes roles = new RoleScopes(new RoleProperties(null));

        assertThat(roles.roles()).isNotEmpty();
        for (String role : roles.roles()) {
            RoleScopes.Grant grant = roles.everyScopeOf(role);
            List<String> inOrder = List.copyOf(roles.effective(role, Scopes.ALL));
            assertThat(grant.scopes()).as(role).containsExactlyInAnyOrderElementsOf(inOrder);
            assertThat(grant.header()).as(role).isEqualTo(String.join(" ", inOrder));
            assertThat(grant.scopes()).as(role).isEqualTo(roles.allowedFor(role));
        }
    }

    @Test
    void aConfiguredRoleGetsItsOwnScopesOnly() {
        RoleScopes roles = new RoleScopes(new RoleProperties(Map.of("auditor", List.of("read:assets", "read:scans"),
                "admin", List.of("*"))));

        RoleScopes.Grant auditor = roles.everyScopeOf("auditor");

        assertThat(auditor.scopes()).containsExactlyInAnyOrder("read:assets", "read:scans");
        assertThat(auditor.header()).isEqualTo(Scopes.ALL.indexOf("read:assets") < Scopes.ALL.indexOf("read:scans")
                ? "read:assets read:scans" : "read:scans read:assets");
        assertThat(roles.everyScopeOf("admin").scopes()).containsExactlyInAnyOrderElementsOf(Scopes.ALL);
    }

    @Test
    void anUnknownRoleOrNoneHoldsNothing() {
        RoleScopes roles = new RoleScopes(new RoleProperties(null));

        assertThat(roles.everyScopeOf("no-such-role").scopes()).isEmpty();
        assertThat(roles.everyScopeOf("no-such-role").header()).isEmpty();
        assertThat(roles.everyScopeOf(null).scopes()).isEmpty();
    }
}

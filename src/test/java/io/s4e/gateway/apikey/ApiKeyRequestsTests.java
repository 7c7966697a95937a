package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleProperties;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeyRequestsTests {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final ApiKeyRequests requests = new ApiKeyRequests(new RoleScopes(new RoleProperties(null)),
            new ApiKeyProperties(null, null, null, null, null, null, null, null, null),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void validNameIsStrippedAndHoldsAtMost100Characters() {
        assertThat(ApiKeyRequests.validName("  ci key  ")).isEqualTo("ci key");
        assertThat(ApiKeyRequests.validName("k".repeat(100))).hasSize(100);
        assertRefused(() -> ApiKeyRequests.validName("k".repeat(101)), ErrorCode.INVALID_REQUEST, "'name'");
        assertRefused(() -> ApiKeyRequests.validName(" "), ErrorCode.INVALID_REQUEST, "'name'");
        assertRefused(() -> ApiKeyRequests.validName(null), ErrorCode.INVALID_REQUEST, "'name'");
    }

    @Test
    void validNameRefusesInvisibleAndOtherSpaceCharacters() {
        for (String name : List.of("a\u200Bb", "a\u202Eb", "a\u00A0b", "a\tb")) {
            assertRefused(() -> ApiKeyRequests.validName(name), ErrorCode.INVALID_REQUEST, "'name'");
        }
    }

    @Test
    void validScopesDropsRepeatsAndKeepsTheOrderGiven() {
        assertThat(requests.validScopes(member(), List.of("read:scans", "read:assets", "read:scans")))
                .containsExactly("read:scans", "read:assets");
    }

    @Test
    void validScopesRefusesNoneUnknownAndBeyondTheRole() {
        assertRefused(() -> requests.validScopes(member(), List.of()), ErrorCode.INVALID_REQUEST, "'scopes'");
        assertRefused(() -> requests.validScopes(member(), null), ErrorCode.INVALID_REQUEST, "'scopes'");
        assertRefused(() -> requests.validScopes(member(), List.of("read:everything")), ErrorCode.INVALID_REQUEST,
                "'scopes'");
        assertRefused(() -> requests.validScopes(member(), Arrays.asList("read:assets", null)),
                ErrorCode.INVALID_REQUEST, "'scopes'");
        assertRefused(() -> requests.validScopes(member(), List.of("admin")), ErrorCode.FORBIDDEN, "'admin'");
    }

    @Test
    void validExpiryIsNoneOrInTheFutureBeforeTheYear10000() {
        assertThat(requests.validExpiry(null)).isNull();
        assertThat(requests.validExpiry(NOW.plusSeconds(1))).isEqualTo(NOW.plusSeconds(1));
        assertRefused(() -> requests.validExpiry(NOW), ErrorCode.INVALID_REQUEST, "'expires_at'");
        assertRefused(() -> requests.validExpiry(Instant.parse("+10000-01-01T00:00:00Z")), ErrorCode.INVALID_REQUEST,
                "'expires_at'");
    }

    @Test
    void validGraceDefaultsTo24HoursAndIsAtMost30Days() {
        assertThat(requests.validGrace(null)).isEqualTo(Duration.ofHours(24));
        assertThat(requests.validGrace(0L)).isZero();
        assertThat(requests.validGrace(Duration.ofDays(30).toSeconds())).isEqualTo(Duration.ofDays(30));
        assertRefused(() -> requests.validGrace(-1L), ErrorCode.INVALID_REQUEST, "'grace_seconds'");
        assertRefused(() -> requests.validGrace(Duration.ofDays(30).toSeconds() + 1), ErrorCode.INVALID_REQUEST,
                "'grace_seconds'");
    }

    private static Principal member() {
        return Principal.ofSession(7L, "m@example.test", "member", new RoleScopes.Grant(Set.of(), ""), false);
    }

    private static void assertRefused(Runnable check, ErrorCode code, String naming) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(naming);
        });
    }
}

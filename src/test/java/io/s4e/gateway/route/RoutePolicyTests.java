package io.s4e.gateway.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutePolicyTests {

    @ParameterizedTest
    @NullAndEmptySource
    void parseWhenNoMetadataThenRequiredWithoutScopesOrMfa(Map<String, Object> metadata) {
        RoutePolicy policy = RoutePolicy.parse("r", metadata);

        assertThat(policy).isEqualTo(RoutePolicy.DEFAULT);
        assertThat(policy.auth()).isEqualTo(RoutePolicy.AuthMode.REQUIRED);
        assertThat(policy.scopes()).isEmpty();
        assertThat(policy.mfa()).isFalse();
    }

    @Test
    void parseWhenOnlyOtherMetadataThenDefaultsAndTheResponseTimeoutKept() {
        RoutePolicy policy = RoutePolicy.parse("r", Map.of("response-timeout", 500, "connect-timeout", 200));

        assertThat(policy).isEqualTo(new RoutePolicy(RoutePolicy.AuthMode.REQUIRED, List.of(), false, EndpointLimit.NONE,
                null, 500L));
    }

    @ParameterizedTest
    @CsvSource({
            "required, REQUIRED",
            "optional, OPTIONAL",
            "none, NONE",
            "NONE, NONE",
            "' Optional ', OPTIONAL",
            "Required, REQUIRED"
    })
    void parseWhenAuthValueThenMode(String value, RoutePolicy.AuthMode expected) {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-auth", value)).auth()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "public", "", "off", "true", "requred" })
    void parseWhenAuthValueUnknownThenThrowsNamingKeyAndValue(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-auth", value)))
                .withMessageContaining("s4e-auth")
                .withMessageContaining("'" + value + "'");
    }

    @Test
    void parseWhenScopesListThenAllRequired() {
        RoutePolicy policy = RoutePolicy.parse("r", Map.of("s4e-scopes", List.of("read:assets", "write:assets")));

        assertThat(policy.scopes()).containsExactly("read:assets", "write:assets");
        assertThat(policy.auth()).isEqualTo(RoutePolicy.AuthMode.REQUIRED);
    }

    @Test
    void parseWhenScopesBoundAsIndexedMapThenAllRequired() {
        Map<String, Object> indexed = new LinkedHashMap<>();
        indexed.put("0", "read:scans");
        indexed.put("1", "write:scans");

        RoutePolicy policy = RoutePolicy.parse("r", Map.of("s4e-scopes", indexed));

        assertThat(policy.scopes()).containsExactly("read:scans", "write:scans");
    }

    @ParameterizedTest
    @ValueSource(strings = { "read:assets write:assets", "read:assets,write:assets", " read:assets ,  write:assets " })
    void parseWhenScopesStringThenSplitOnSpacesAndCommas(String value) {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-scopes", value)).scopes())
                .containsExactly("read:assets", "write:assets");
    }

    @Test
    void parseWhenScopeIsAdminStringThenAdminRequired() {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-scopes", "admin")).scopes()).containsExactly("admin");
    }

    @Test
    void parseWhenScopesEmptyThenNoneRequired() {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-scopes", List.of())).scopes()).isEmpty();
        assertThat(RoutePolicy.parse("r", Map.of("s4e-scopes", "")).scopes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "read:everything", "read:*", "Admin", "write:asset" })
    void parseWhenScopeUnknownThenThrowsNamingKeyAndScope(String scope) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-scopes", List.of("read:assets", scope))))
                .withMessageContaining("s4e-scopes")
                .withMessageContaining("'" + scope + "'");
    }

    @Test
    void parseWhenUnknownScopeInStringThenThrowsNamingKey() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-scopes", "read:assets bogus")))
                .withMessageContaining("s4e-scopes")
                .withMessageContaining("'bogus'");
    }

    @ParameterizedTest
    @CsvSource({ "true, true", "TRUE, true", "' true ', true", "false, false", "False, false" })
    void parseWhenMfaTextThenParsed(String value, boolean expected) {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-mfa", value)).mfa()).isEqualTo(expected);
    }

    @Test
    void parseWhenMfaBooleanThenParsed() {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-mfa", Boolean.TRUE)).mfa()).isTrue();
        assertThat(RoutePolicy.parse("r", Map.of("s4e-mfa", Boolean.FALSE)).mfa()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "yes", "1", "", "on" })
    void parseWhenMfaValueInvalidThenThrowsNamingKeyAndValue(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-mfa", value)))
                .withMessageContaining("s4e-mfa")
                .withMessageContaining("'" + value + "'");
    }

    @Test
    void parseWhenEveryKeySetThenCombined() {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("s4e-auth", "optional");
        metadata.put("s4e-scopes", List.of("read:findings"));
        metadata.put("s4e-mfa", "true");

        assertThat(RoutePolicy.parse("r", metadata))
                .isEqualTo(new RoutePolicy(RoutePolicy.AuthMode.OPTIONAL, List.of("read:findings"), true, EndpointLimit.NONE));
    }

    @Test
    void parseWhenParsedThenScopesCannotChangeAfterwards() {
        List<String> scopes = new ArrayList<>(List.of("read:assets"));
        RoutePolicy policy = RoutePolicy.parse("r", Map.of("s4e-scopes", scopes));

        scopes.add("admin");

        assertThat(policy.scopes()).containsExactly("read:assets");
        assertThatThrownBy(() -> policy.scopes().add("admin")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parseWhenNoUpstreamLimitThenNoneOfItsOwn() {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-auth", "none")).maxUpstreamConcurrent()).isNull();
        assertThat(RoutePolicy.DEFAULT.maxUpstreamConcurrent()).isNull();
    }

    @Test
    void parseWhenUpstreamLimitNumberOrTextThenThatLimit() {
        assertThat(RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", 3)).maxUpstreamConcurrent())
                .isEqualTo(3);
        assertThat(RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", " 40 ")).maxUpstreamConcurrent())
                .isEqualTo(40);
        assertThat(RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", 1L)).maxUpstreamConcurrent())
                .isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "many", "1.5", "99999999999", ""})
    void parseWhenUpstreamLimitNotAWholeNumberOfAtLeastOneThenThrowsNamingKeyAndValue(String value) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", value)))
                .withMessageContaining("s4e-max-upstream-concurrent")
                .withMessageContaining("'" + value + "'");
    }

    @Test
    void parseWhenUpstreamLimitNumberOutOfRangeThenThrowsNamingKeyAndValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", 0)))
                .withMessageContaining("s4e-max-upstream-concurrent").withMessageContaining("'0'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", 1L << 40)))
                .withMessageContaining("s4e-max-upstream-concurrent").withMessageContaining("'" + (1L << 40) + "'");
    }

    @Test
    void parseWhenUpstreamLimitSetWithOtherKeysThenCombined() {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("s4e-scopes", List.of("read:scans"));
        metadata.put("s4e-max-upstream-concurrent", 20);

        assertThat(RoutePolicy.parse("r", metadata)).isEqualTo(new RoutePolicy(RoutePolicy.AuthMode.REQUIRED,
                List.of("read:scans"), false, EndpointLimit.NONE, 20));
    }

    @Test
    void checkWhenUpstreamLimitInvalidThenTheRouteIsRefusedBeforeItLoads() {
        RoutePolicyRegistry registry = new RoutePolicyRegistry(null);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> registry.check("r", Map.of("s4e-max-upstream-concurrent", "many")))
                .withMessageContaining("s4e-max-upstream-concurrent").withMessageContaining("'many'");
    }

    @Test
    void parseWhenResponseTimeoutSetThenKeptInMillisAsNumberOrText() {
        assertThat(RoutePolicy.parse("r", Map.of("response-timeout", 1500)).responseTimeoutMillis()).isEqualTo(1500L);
        assertThat(RoutePolicy.parse("r", Map.of("response-timeout", " 250 ")).responseTimeoutMillis()).isEqualTo(250L);
        assertThat(RoutePolicy.parse("r", Map.of("response-timeout", -1)).responseTimeoutMillis()).isEqualTo(-1L);
        assertThat(RoutePolicy.parse("r", Map.of("s4e-auth", "none")).responseTimeoutMillis()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "1.5", "5s", ""})
    void parseWhenResponseTimeoutNotWholeMillisThenThrowsNamingKeyAndValue(String value) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RoutePolicy.parse("r", Map.of("response-timeout", value)))
                .withMessageContaining("response-timeout")
                .withMessageContaining("'" + value + "'");
    }
}

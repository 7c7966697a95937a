package io.s4e.gateway.hardening;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests over the JSON bodies of every gateway-owned endpoint that reads one, against a running
 * replica: objects with the documented fields holding values of any type, unknown fields, nesting, huge and odd
 * numbers, broken and truncated JSON, other content types. Whatever the body, the answer is never a 500 and every
 * refusal is the S4E envelope with a contract code and no trace.
 */
class JsonBodyPropertyTests {

    private static final Set<String> CODES = Set.of("invalid_request", "captcha_failed", "unauthorized",
            "token_expired", "forbidden", "mfa_required", "not_found", "conflict", "rate_limited",
            "service_unavailable");

    static SecondGateway gateway;
    static RawHttp http;
    static String adminKey;
    static String session;
    static String keyId;
    static long userId;

    @BeforeContainer
    static void start() {
        gateway = SecondGateway.start(Map.of());
        http = new RawHttp(gateway.port());
        adminKey = TestInfrastructure.get().adminKey;
        session = HardeningCalls.sessionToken(http, HardeningCalls.userWithPassword("member"));
        userId = TestData.user("member");
        keyId = TestData.keyId(TestData.key(userId, List.of("read:assets")));
    }

    @AfterContainer
    static void stop() {
        gateway.close();
    }

    /** An endpoint that reads JSON: method, path, the credential header, and its documented fields. */
    record Endpoint(String method, String path, String credential, List<String> fields) {
    }

    @Provide
    Arbitrary<Endpoint> endpoints() {
        String admin = "X-API-Key: " + adminKey;
        return Arbitraries.of(
                new Endpoint("POST", HardeningCalls.LOGIN, null,
                        List.of("email", "password", "captcha_response", "bypass_captcha", "vendor")),
                new Endpoint("POST", HardeningCalls.MFA_VERIFY, null, List.of("mfa_token", "code", "method")),
                new Endpoint("POST", "/api/user/auth/mfa/send", null, List.of("mfa_token", "method")),
                new Endpoint("POST", "/api/keys", admin, List.of("name", "scopes", "expires_at")),
                new Endpoint("POST", "/api/keys/" + keyId + "/rotate", admin, List.of("grace_seconds")),
                new Endpoint("POST", "/api/admin/users", admin, List.of("email", "password", "role", "tier")),
                new Endpoint("PATCH", "/api/admin/users/" + userId, admin, List.of("role", "tier", "disabled")),
                new Endpoint("POST", "/api/user/mfa/totp/confirm", "Authorization: Bearer " + session,
                        List.of("code")));
    }

    /** Any JSON value, a few levels deep, with the awkward corners of numbers and strings. */
    private Arbitrary<String> values(int depth) {
        Arbitrary<String> strings = Arbitraries.strings().all().ofMaxLength(40)
                .map(HardeningCalls.JSON::writeValueAsString);
        Arbitrary<String> plausible = Arbitraries.of("\"a@b.test\"", "\"" + HardeningCalls.PASSWORD + "\"",
                "\"admin\"", "\"member\"", "\"viewer\"", "\"premium\"", "\"totp\"", "\"email\"", "\"googlev3\"",
                "\"123456\"", "\"mfa_temp_x\"", "[\"read:assets\"]", "[\"admin\"]", "\"2099-01-01T00:00:00Z\"",
                "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"");
        Arbitrary<String> numbers = Arbitraries.of("0", "-1", "1.5", "1e308", "-1e308", "1e999", "4294967296",
                "9223372036854775808", "-9223372036854775809", "0.0000001", "86400", "2592001", "123456789012345678901234567890");
        Arbitrary<String> literals = Arbitraries.of("true", "false", "null");
        if (depth == 0) {
            return Arbitraries.oneOf(strings, plausible, numbers, literals);
        }
        Arbitrary<String> arrays = values(depth - 1).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> objects = Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8),
                values(depth - 1)).as((k, v) -> "{\"" + k + "\":" + v + "}");
        return Arbitraries.oneOf(strings, plausible, numbers, literals, arrays, objects);
    }

    /** A body for {@code endpoint}: mostly objects with its fields, sometimes broken or not an object at all. */
    private Arbitrary<String> bodies(Endpoint endpoint) {
        Arbitrary<String> field = Arbitraries.oneOf(Arbitraries.of(endpoint.fields()),
                Arbitraries.strings().alpha().ofMaxLength(10));
        Arbitrary<String> member = Combinators.combine(field, values(2)).as((k, v) -> "\"" + k + "\":" + v);
        Arbitrary<String> object = member.list().ofMaxSize(6).map(m -> "{" + String.join(",", m) + "}");
        Arbitrary<String> truncated = object.filter(o -> o.length() > 2)
                .flatMap(o -> Arbitraries.integers().between(1, o.length() - 1).map(n -> o.substring(0, n)));
        Arbitrary<String> garbage = Arbitraries.strings().all().ofMaxLength(80);
        Arbitrary<String> duplicated = member.map(m -> "{" + m + "," + m + "}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, object), net.jqwik.api.Tuple.of(2, truncated),
                net.jqwik.api.Tuple.of(1, garbage), net.jqwik.api.Tuple.of(1, duplicated),
                net.jqwik.api.Tuple.of(1, values(2)), net.jqwik.api.Tuple.of(1, Arbitraries.just("")));
    }

    @Provide
    Arbitrary<Map.Entry<Endpoint, String>> calls() {
        return endpoints().flatMap(e -> bodies(e).map(b -> Map.entry(e, b)));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "application/json", "application/json; charset=utf-8",
                "application/json; charset=iso-8859-1", "text/plain", "application/x-www-form-urlencoded",
                "application/problem+json", "multipart/form-data; boundary=x", "application/json;;", "*/*", "");
    }

    @Property(tries = 200)
    void bodyWhenAnyJsonOrNotThenNever500AndEveryRefusalIsTheEnvelope(
            @ForAll("calls") Map.Entry<Endpoint, String> call, @ForAll("contentTypes") String contentType) {
        Endpoint endpoint = call.getKey();
        String body = call.getValue();
        String[] headers = endpoint.credential() == null
                ? new String[] {"Content-Type: " + contentType}
                : new String[] {"Content-Type: " + contentType, endpoint.credential()};
        if (contentType.isEmpty()) {
            headers = endpoint.credential() == null ? new String[0] : new String[] {endpoint.credential()};
        }

        RawHttp.Response reply = http.send(endpoint.method(), endpoint.path(), body.getBytes(StandardCharsets.UTF_8),
                headers);

        assertThat(reply.status()).as(endpoint.path() + " " + body + " → " + reply.body()).isBetween(200, 599)
                .isNotEqualTo(500);
        assertThat(reply.header("Content-Type")).as(reply.body()).startsWith("application/json");
        if (reply.status() >= 400) {
            JsonNode error = reply.json().path("error");
            String code = error.path("code").asString();
            assertThat(code).as(reply.body()).isIn(CODES);
            ErrorEnvelopes.assertEnvelope(reply.body(), code);
        }
        assertThat(reply.body()).doesNotContain("\tat ").doesNotContain("tools.jackson").doesNotContain("io.s4e");
    }
}

package io.s4e.gateway.hardening;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.Generated;
import io.s4e.gateway.support.Generated.Case;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests over the JSON bodies of every gateway-owned endpoint that reads one, against a running
 * replica: objects with the documented fields holding values of any type, unknown fields, nesting, huge and odd
 * numbers, broken and truncated JSON, other content types. Whatever the body, the answer is never a 500 and every
 * refusal is the S4E envelope with a contract code and no trace.
 */
@ExtendWith(Generated.ReportSeed.class)
class JsonBodyPropertyTests {

    private static final Set<String> CODES = Set.of("invalid_request", "captcha_failed", "weak_password",
            "unauthorized", "token_expired", "forbidden", "mfa_required", "not_found", "conflict", "rate_limited",
            "service_unavailable");
    private static final List<String> PLAUSIBLE = List.of("\"a@b.test\"", "\"" + HardeningCalls.PASSWORD + "\"",
            "\"admin\"", "\"member\"", "\"viewer\"", "\"premium\"", "\"totp\"", "\"email\"", "\"googlev3\"",
            "\"123456\"", "\"mfa_temp_x\"", "[\"read:assets\"]", "[\"admin\"]", "\"2099-01-01T00:00:00Z\"",
            "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"");
    private static final List<String> NUMBERS = List.of("0", "-1", "1.5", "1e308", "-1e308", "1e999", "4294967296",
            "9223372036854775808", "-9223372036854775809", "0.0000001", "86400", "2592001",
            "123456789012345678901234567890");
    private static final List<String> LITERALS = List.of("true", "false", "null");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json",
            "application/json; charset=utf-8", "application/json; charset=iso-8859-1", "text/plain",
            "application/x-www-form-urlencoded", "application/problem+json", "multipart/form-data; boundary=x",
            "application/json;;", "*/*", "");

    static SecondGateway gateway;
    static RawHttp http;
    static String adminKey;
    static String session;
    static String keyId;
    static long userId;

    @BeforeAll
    static void start() {
        gateway = SecondGateway.start(Map.of());
        http = new RawHttp(gateway.port());
        adminKey = TestInfrastructure.get().adminKey;
        session = HardeningCalls.sessionToken(http, HardeningCalls.userWithPassword("member"));
        userId = TestData.user("member");
        keyId = TestData.keyId(TestData.key(userId, List.of("read:assets")));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** An endpoint that reads JSON: method, path, the credential header, and its documented fields. */
    record Endpoint(String method, String path, String credential, List<String> fields) {
    }

    /** The endpoints, built after {@link #start()} (they hold its key, user and session). */
    private static List<Endpoint> endpoints() {
        String admin = "X-API-Key: " + adminKey;
        return List.of(
                new Endpoint("POST", HardeningCalls.LOGIN, null,
                        List.of("email", "password", "captcha_response", "bypass_captcha", "vendor")),
                new Endpoint("POST", HardeningCalls.MFA_VERIFY, null, List.of("mfa_token", "code", "method")),
                new Endpoint("POST", "/api/user/auth/mfa/send", null, List.of("mfa_token", "method")),
                new Endpoint("POST", "/api/keys", admin, List.of("name", "scopes", "expires_at")),
                new Endpoint("POST", "/api/keys/" + keyId + "/rotate", admin, List.of("grace_seconds")),
                new Endpoint("POST", "/api/admin/users", admin, List.of("email", "password", "role", "tier")),
                new Endpoint("PATCH", "/api/admin/users/" + userId, admin, List.of("role", "tier", "disabled")),
                new Endpoint("POST", "/api/user/mfa/totp/confirm", "Authorization: Bearer " + session,
                        List.of("code")),
                new Endpoint("POST", "/api/user/password", "Authorization: Bearer " + session,
                        List.of("current_password", "new_password")),
                new Endpoint("POST", "/api/user/auth/password/forgot", null,
                        List.of("email", "captcha_response", "bypass_captcha", "vendor")),
                new Endpoint("POST", "/api/user/auth/password/reset", null, List.of("token", "new_password")));
    }

    /** Any JSON value, a few levels deep, with the awkward corners of numbers and strings. */
    private static String value(SplittableRandom random, int depth) {
        return switch (random.nextInt(depth == 0 ? 4 : 6)) {
            case 0 -> HardeningCalls.JSON.writeValueAsString(Generated.anyString(random, 0, 40));
            case 1 -> Generated.oneOf(random, PLAUSIBLE);
            case 2 -> Generated.oneOf(random, NUMBERS);
            case 3 -> Generated.oneOf(random, LITERALS);
            case 4 -> "[" + String.join(",", Generated.list(random, 0, 3, r -> value(r, depth - 1))) + "]";
            default -> "{\"" + Generated.alpha(random, 8) + "\":" + value(random, depth - 1) + "}";
        };
    }

    /** A member of an object for {@code endpoint}: one of its fields or any name, and any value. */
    private static String member(SplittableRandom random, Endpoint endpoint) {
        String field = random.nextBoolean() ? Generated.oneOf(random, endpoint.fields()) : Generated.alpha(random, 10);
        return "\"" + field + "\":" + value(random, 2);
    }

    private static String object(SplittableRandom random, Endpoint endpoint) {
        return "{" + String.join(",", Generated.list(random, 0, 6, r -> member(r, endpoint))) + "}";
    }

    /** A body for {@code endpoint}: mostly objects with its fields, sometimes broken or not an object at all. */
    private static String body(SplittableRandom random, Endpoint endpoint) {
        int pick = random.nextInt(12);
        if (pick < 6) {
            return object(random, endpoint);
        }
        if (pick < 8) {
            String object;
            do {
                object = object(random, endpoint);
            }
            while (object.length() <= 2);
            return object.substring(0, Generated.between(random, 1, object.length() - 1));
        }
        return switch (pick) {
            case 8 -> Generated.anyString(random, 0, 80);
            case 9 -> {
                String member = member(random, endpoint);
                yield "{" + member + "," + member + "}";
            }
            case 10 -> value(random, 2);
            default -> "";
        };
    }

    /** A request: an endpoint, a body for it and a content type (none when empty). */
    record Call(Endpoint endpoint, String body, String contentType) {
    }

    /**
     * The edge bodies of every endpoint (empty, bare values, broken, every documented field empty, null, a lone
     * surrogate, a huge number or repeated) and every content type; then random calls.
     */
    static Stream<Case<Call>> calls() {
        List<Endpoint> endpoints = endpoints();
        List<Call> edges = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            List<String> bodies = new ArrayList<>(List.of("", "{}", "null", "[]", "{", "{\"", "\"\\ud800\"",
                    "{\"\u0000\":1}"));
            for (String value : List.of("\"\"", "null", "\"\\ud800\\u0000\"", "1e999", "[]", "{}")) {
                bodies.add(endpoint.fields().stream().map(f -> "\"" + f + "\":" + value)
                        .collect(Collectors.joining(",", "{", "}")));
            }
            String member = "\"" + endpoint.fields().get(0) + "\":\"x\"";
            bodies.add("{" + member + "," + member + "}");
            bodies.forEach(body -> edges.add(new Call(endpoint, body, "application/json")));
        }
        for (int i = 0; i < CONTENT_TYPES.size(); i++) {
            Endpoint endpoint = endpoints.get(i % endpoints.size());
            edges.add(new Call(endpoint, endpoint.fields().stream().map(f -> "\"" + f + "\":\"x\"")
                    .collect(Collectors.joining(",", "{", "}")), CONTENT_TYPES.get(i)));
        }
        return Generated.cases(200, edges, random -> {
            Endpoint endpoint = Generated.oneOf(random, endpoints);
            return new Call(endpoint, body(random, endpoint), Generated.oneOf(random, CONTENT_TYPES));
        });
    }

    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("calls")
    void bodyWhenAnyJsonOrNotThenNever500AndEveryRefusalIsTheEnvelope(Case<Call> call) {
        Endpoint endpoint = call.value().endpoint();
        String body = call.value().body();
        String contentType = call.value().contentType();
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

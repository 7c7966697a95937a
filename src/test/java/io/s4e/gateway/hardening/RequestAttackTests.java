package io.s4e.gateway.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.web.RequestIds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks carried in the request line and headers: path tricks around public routes, spoofed identity headers in
 * every letter case, conflicting and repeated credentials, header injection through {@code X-Request-ID}, oversized
 * requests, and actuator on the public port. Each test names the defence it pins.
 */
@GatewayIntegrationTest
class RequestAttackTests {

    private static final int BODY_LIMIT = 64 * 1024;

    @LocalServerPort
    int port;

    RawHttp http;
    String admin;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        admin = "X-API-Key: " + TestInfrastructure.get().adminKey;
    }

    /**
     * Defence: the route and its policy are decided on the normalised path alone (PathNormalizationFilter); a public
     * path in the query, fragment-like text, dot segments in any encoding or absolute-form targets never make a
     * private path public.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/private/x?x=/public", "/private/x?/public/x", "/private/x?x=/public/../public",
            "/public/../private/x", "/public/./../private/x", "/public//../private/x", "/public/.%2e/private/x",
            "/public/%2e./private/x", "/public/%2E%2e/private/x", "/public/a/../../private/x",
            "/public/..//private/x"
    })
    void publicPathTrickWhenNoCredentialThenPrivateRouteStillRefused(String target) {
        RawHttp.Response reply = http.get(target);

        assertThat(reply.status()).as(target + " → " + reply.body()).isIn(400, 401, 404);
        assertThat(reply.body()).doesNotContain("\"uri\"");
        assertThat(reply.header("Content-Type")).startsWith("application/json");
    }

    /** Defence: an absolute-form request target is normalised like any other; its host does not pick the route. */
    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/public/../private/x", "http://evil.example/public/%2e%2e/private/x",
            "http://127.0.0.1/private/x?x=/public"
    })
    void absoluteFormTargetWhenPathTrickThenPrivateRouteStillRefused(String target) {
        RawHttp.Response reply = http.get(target);

        assertThat(reply.status()).as(target + " → " + reply.body()).isIn(400, 401);
        assertThat(reply.body()).doesNotContain("\"uri\"");
    }

    /**
     * Defence: escapes that other components may decode differently ({@code %u002e}, encoded slashes and
     * backslashes in any case, {@code ;} matrix parameters, NUL, double encoding) are refused with 400 rather than
     * passed on.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/public/%u002e%u002e/private/x", "/public/..%2F..%2Fprivate/x", "/public%2F..%2Fprivate/x",
            "/public/..%5cprivate/x", "/public;/../private/x", "/public/..;/private/x", "/private;x=/public/x",
            "/public/%00/../private/x", "/public/%252e%252e/private/x", "/public/%2", "/public/%zz"
    })
    void ambiguousEscapeWhenAroundPublicRouteThenInvalidRequest(String target) {
        RawHttp.Response reply = http.get(target, admin);

        assertThat(reply.status()).as(target + " → " + reply.body()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
    }

    /**
     * Defence: every client-sent {@code X-S4E-*} header is removed in any letter case, also when repeated, on public
     * and authenticated routes (IdentityRelayFilter); the upstream sees only the gateway's values.
     */
    @Test
    void identityHeadersWhenSentInEveryCaseVariantThenOnlyTheGatewaysReachUpstream() {
        String[] spoofed = {
                "X-S4E-User-Id: 999999001", "x-s4e-user-id: 999999002", "X-S4E-USER-ID: 999999003",
                "x-S4e-UsEr-Id: 999999004", "X-s4E-uSER-iD: 999999005",
                "X-S4E-User-Email: root@example.test", "x-s4e-user-email: root@example.test",
                "X-S4E-User-Role: admin", "X-S4E-USER-ROLE: admin", "X-S4E-Auth-Method: session",
                "x-s4e-auth-method: api_key", "X-S4E-Key-Id: key-00000001", "X-S4E-Scopes: admin",
                "x-S4E-sCoPeS: admin write:assets", "X-S4E-Anything: x", "X-S4E-: x", "x-s4e-user-id : 999999006"
        };
        RawHttp.Response onPublic = http.get("/public/x", spoofedWithout(spoofed, "x-s4e-user-id : 999999006"));
        assertThat(onPublic.status()).as(onPublic.body()).isEqualTo(200);
        assertThat(EchoedRequest.of(onPublic.body()).identityHeaderNames()).isEmpty();

        String viewerKey = io.s4e.gateway.support.TestData.key(io.s4e.gateway.support.TestData.user("viewer"),
                List.of("read:assets"));
        String[] withKey = append(spoofedWithout(spoofed, "x-s4e-user-id : 999999006"), "X-API-Key: " + viewerKey);
        RawHttp.Response onPrivate = http.get("/api/assets/1", withKey);
        assertThat(onPrivate.status()).as(onPrivate.body()).isEqualTo(200);
        EchoedRequest echoed = EchoedRequest.of(onPrivate.body());
        assertThat(echoed.header("X-S4E-User-Role")).containsExactly("viewer");
        assertThat(echoed.header("X-S4E-Auth-Method")).containsExactly("api_key");
        assertThat(echoed.header("X-S4E-Scopes")).containsExactly("read:assets");
        assertThat(echoed.header("X-S4E-User-Id")).hasSize(1).allMatch(id -> !id.startsWith("99999900"));
        assertThat(echoed.identityHeaderNames()).containsExactlyInAnyOrder("x-s4e-user-id", "x-s4e-user-email",
                "x-s4e-user-role", "x-s4e-auth-method", "x-s4e-key-id", "x-s4e-scopes");

        // a space before the colon is a malformed header line (RFC 9112 §5.1): refused, never forwarded
        RawHttp.Response malformed = http.get("/public/x", "x-s4e-user-id : 999999006");
        assertThat(malformed.status()).isIn(200, 400);
        if (malformed.status() == 200) {
            assertThat(EchoedRequest.of(malformed.body()).identityHeaderNames()).isEmpty();
        }
    }

    /**
     * Defence: two credentials in one {@code Authorization} line, or the header repeated under differently cased
     * names, never let the gateway decide on one value and forward another (CredentialExtractor).
     */
    @Test
    void credentialsWhenSmuggledIntoOneOrRepeatedAuthorizationThenRefused() {
        String key = TestInfrastructure.get().adminKey;
        String other = io.s4e.gateway.support.TestData.unknownKey();

        RawHttp.Response twoInOneLine = http.get("/api/assets/1", "Authorization: Bearer " + key + ", Bearer " + other);
        RawHttp.Response commaJoined = http.get("/api/assets/1", "Authorization: Bearer " + key + "," + key);
        RawHttp.Response twoNames = http.get("/api/assets/1", "Authorization: Bearer " + key,
                "authorization: Bearer " + other);
        RawHttp.Response sameTwice = http.get("/api/assets/1", "AUTHORIZATION: Bearer " + key,
                "Authorization: Bearer " + key);
        RawHttp.Response keyTwice = http.get("/api/assets/1", "X-API-Key: " + key, "x-api-key: " + other);
        RawHttp.Response cookieTwice = http.get("/api/assets/1", "Cookie: token=a; token=b");
        RawHttp.Response bearerAndOtherKey = http.get("/api/assets/1", "Authorization: Bearer " + key,
                "X-API-Key: " + other);

        assertRefused(twoInOneLine, 401, "unauthorized");
        assertRefused(commaJoined, 401, "unauthorized");
        assertRefused(twoNames, 400, "invalid_request");
        assertRefused(sameTwice, 400, "invalid_request");
        assertRefused(keyTwice, 400, "invalid_request");
        assertRefused(cookieTwice, 400, "invalid_request");
        assertRefused(bearerAndOtherKey, 401, "unauthorized");
    }

    /**
     * Defence: a client's {@code X-Request-ID} is kept only when it is 1 to 128 of {@code [A-Za-z0-9._:-]} (RequestIds),
     * so nothing it carries can split a header, forge a log line or reach the upstream.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "X-Request-ID: qzx%0d%0aX-Injected:%20yes", "X-Request-ID: qzx\\r\\nX-Injected: yes",
            "X-Request-ID: qzx\r\n X-Injected: yes", "X-Request-ID: qzx\r\n\tX-Injected: yes",
            "X-Request-ID: qzx X-Injected: yes", "X-Request-ID: qzx\u0085X-Injected", "X-Request-ID: ab\u00e7d",
            "X-Request-ID: a${jndi:ldap://x}", "X-Request-ID: qzx\"},{\"x\":\"y", "X-Request-ID: <script>"
    })
    void requestIdWhenCarryingInjectionThenReplacedAndNothingInjected(String header) {
        RawHttp.Response reply = http.get("/public/x", header);

        assertThat(reply.headers()).doesNotContainKey("x-injected");
        assertThat(reply.status()).isIn(200, 400);
        String id = reply.header(RequestIds.HEADER);
        assertThat(reply.headers(RequestIds.HEADER)).hasSize(1);
        assertThat(RequestIds.isWellFormed(id)).as(id).isTrue();
        assertThat(id).doesNotContain("qzx").doesNotContain("Injected");
        if (reply.status() == 200) {
            EchoedRequest echoed = EchoedRequest.of(reply.body());
            assertThat(echoed.header(RequestIds.HEADER)).containsExactly(id);
            assertThat(echoed.headers().keySet()).noneMatch(name -> name.toLowerCase(Locale.ROOT).contains("injected"));
        }
        else {
            ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
        }
    }

    /**
     * Defence: gateway-owned endpoints read at most 64 KiB of JSON (spring.http.codecs.max-in-memory-size), also when
     * the body is chunked and announces no length; beyond it they answer 413 in the envelope.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/api/user/auth/login", "/api/keys", "/api/admin/users", "/api/user/auth/mfa/verify"})
    void bodyWhenChunkedAndOverTheLimitThen413Envelope(String path) throws IOException {
        String filler = "x".repeat(BODY_LIMIT + 4096);
        byte[] body = ("{\"email\":\"a@b.test\",\"password\":\"" + filler + "\"}").getBytes(StandardCharsets.UTF_8);

        RawHttp.Response reply = chunked("POST", path, body, "Content-Type: application/json", admin);

        assertThat(reply.status()).as(reply.body()).isEqualTo(413);
        ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
        assertThat(RequestIds.isWellFormed(reply.header(RequestIds.HEADER))).isTrue();
    }

    /**
     * Defence: JSON that is deeply nested or carries absurd numbers is refused with 400 within the body limit, not
     * a stack overflow or a 500 (Jackson's stream read constraints, JsonBodies).
     */
    @Test
    void bodyWhenDeeplyNestedOrHugeNumberThenInvalidRequest() {
        String nested = "{\"email\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}";
        String number = "{\"email\":\"a@b.test\",\"password\":1" + "0".repeat(5000) + "}";
        String exponent = "{\"name\":\"k\",\"scopes\":[\"read:assets\"],\"expires_at\":1e999999999}";

        for (String[] call : new String[][] {{"/api/user/auth/login", nested}, {"/api/user/auth/login", number},
                {"/api/keys", nested}, {"/api/keys", exponent}, {"/api/admin/users", nested}}) {
            RawHttp.Response reply = HardeningCalls.postJson(http, call[0], call[1], admin);
            assertThat(reply.status()).as(call[0] + " → " + reply.body()).isIn(400, 413);
            ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
        }
    }

    /**
     * Defence: the server's own limits (16 KiB of headers, the request line) answer 431/414 in the envelope with a
     * request id, before any gateway code runs (EarlyRejectionEnvelope).
     */
    @Test
    void headersWhenOversizedInAnyShapeThen431Or414Envelope() {
        String[] many = new String[400];
        for (int i = 0; i < many.length; i++) {
            many[i] = "X-Filler-" + i + ": " + "v".repeat(40);
        }
        RawHttp.Response manyHeaders = http.get("/public/x", many);
        RawHttp.Response hugeAuthorization = http.get("/api/assets/1", "Authorization: Bearer " + "a".repeat(20_000));
        RawHttp.Response hugeCookie = http.get("/api/assets/1", "Cookie: token=" + "a".repeat(20_000));
        RawHttp.Response longLine = http.get("/public/" + "a".repeat(70_000));

        for (RawHttp.Response reply : List.of(manyHeaders, hugeAuthorization, hugeCookie)) {
            assertThat(reply.status()).isEqualTo(431);
            ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
            assertThat(RequestIds.isWellFormed(reply.header(RequestIds.HEADER))).isTrue();
        }
        assertThat(longLine.status()).isIn(414, 431);
        ErrorEnvelopes.assertEnvelope(longLine.body(), "invalid_request");
    }

    /**
     * Defence: actuator lives on the management port only; on the public port every spelling of it is 404 (or 400
     * for an ambiguous path), even with an admin credential.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/actuator", "/actuator/health", "/actuator/health/readiness", "/actuator/prometheus", "/actuator/env",
            "/actuator/heapdump", "/actuator/gateway/routes", "/actuator/gateway/refresh", "/ACTUATOR/health",
            "/public/../actuator/health", "/%61ctuator/health", "//actuator//health", "/actuator/./health",
            "/actuator;/health", "/public/%2e%2e/actuator/env"
    })
    void actuatorWhenAskedOnPublicPortThenNotServed(String target) {
        for (RawHttp.Response reply : List.of(http.get(target), http.get(target, admin),
                http.send("POST", target, "{}".getBytes(StandardCharsets.UTF_8), admin,
                        "Content-Type: application/json"))) {
            assertThat(reply.status()).as(target + " → " + reply.body()).isIn(400, 404);
            assertThat(reply.body()).doesNotContain("\"UP\"").doesNotContain("jvm_").doesNotContain("\"uri\"");
            assertThat(reply.header("Content-Type")).startsWith("application/json");
        }
    }

    private void assertRefused(RawHttp.Response reply, int status, String code) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        ErrorEnvelopes.assertEnvelope(reply.body(), code);
        assertThat(reply.body()).doesNotContain("\"uri\"").doesNotContain(TestInfrastructure.get().adminKey);
    }

    private static String[] spoofedWithout(String[] all, String left) {
        return java.util.Arrays.stream(all).filter(h -> !h.equals(left)).toArray(String[]::new);
    }

    private static String[] append(String[] lines, String line) {
        String[] more = java.util.Arrays.copyOf(lines, lines.length + 1);
        more[lines.length] = line;
        return more;
    }

    /** A request whose body is sent in 8 KiB chunks without {@code Content-Length}. */
    private RawHttp.Response chunked(String method, String target, byte[] body, String... headerLines)
            throws IOException {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        head.append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                for (int at = 0; at < body.length; at += 8192) {
                    int n = Math.min(8192, body.length - at);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, at, n);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            catch (IOException answeredEarly) {
                // the server may answer and close before reading the whole body
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    all.write(buffer, 0, n);
                }
            }
            catch (java.net.SocketException reset) {
                if (all.size() == 0) {
                    throw reset;
                }
            }
            return RawHttpResponses.parse(all.toByteArray());
        }
    }
}

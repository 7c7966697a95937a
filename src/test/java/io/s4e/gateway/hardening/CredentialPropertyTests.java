package io.s4e.gateway.hardening;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.credential.CredentialExtractor;
import io.s4e.gateway.session.SessionProperties;
import io.s4e.gateway.session.SessionTokenCodec;
import io.s4e.gateway.support.Generated.Case;
import io.s4e.gateway.support.Generated;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests over the credential carriers (CredentialExtractor) and the session token decoder: whatever
 * a client puts in {@code Authorization}, {@code X-API-Key}, the {@code token} cookie or query parameter, the answer
 * is a credential of token syntax or a 400/401 {@link GatewayException} (rendered as the envelope), never another
 * exception (a 500) and never a message that quotes the value.
 */
@ExtendWith(Generated.ReportSeed.class)
class CredentialPropertyTests {

    private static final String TOKEN_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=";
    private static final String TOKEN_LIKE_CHARS = TOKEN_CHARS + " ,;\t\"";
    private static final List<String> SCHEMES = List.of("Bearer ", "bearer ", "BEARER  ", "Bearer", "Basic ", "",
            " Bearer ", "Bearer\t", "Token ");
    private static final SessionTokenCodec CODEC = new SessionTokenCodec(new SessionProperties(
            "pR4nW8vK2xQ7mZ1sT5yB9cF3hJ6dL0gA", "k1", Map.of(), null, null, null, null, null, null, null, null), Clock.systemUTC());
    /** A real key the same at every run, for the edge cases. */
    private static final String KEY = ApiKeyFormat.generate(Generated.secureRandom(new SplittableRandom(8)));

    /** Values a client might send: anything, token-like text, keys (valid or not), mfa_temp_ tokens, JWT-ish. */
    private static String carrierValue(SplittableRandom random) {
        return switch (random.nextInt(7)) {
            case 0 -> Generated.anyString(random, 0, 64);
            case 1 -> tokenLike(random);
            case 2 -> {
                int i = Generated.between(random, 0, 40);
                String key = ApiKeyFormat.generate(Generated.secureRandom(random));
                yield i < 20 ? key : key.substring(0, i) + (char) ('!' + i) + key.substring(i + 1);
            }
            case 3 -> CredentialExtractor.MFA_TEMP_PREFIX + tokenLike(random);
            case 4 -> tokenLike(random) + "." + tokenLike(random) + "." + tokenLike(random);
            case 5 -> "a".repeat(Generated.between(random, 8180, 8200));
            default -> "";
        };
    }

    private static String tokenLike(SplittableRandom random) {
        return Generated.string(random, TOKEN_LIKE_CHARS, 0, 80);
    }

    /** The edge cases of {@link #carrierValue}. */
    private static List<String> edgeCarrierValues() {
        List<String> edges = new ArrayList<>(Generated.edgeStrings(64));
        edges.addAll(Generated.edgeStrings(TOKEN_LIKE_CHARS, 0, 80));
        edges.addAll(List.of(KEY, KEY.substring(0, 20) + (char) ('!' + 20) + KEY.substring(21),
                KEY.substring(0, 40) + (char) ('!' + 40), CredentialExtractor.MFA_TEMP_PREFIX,
                CredentialExtractor.MFA_TEMP_PREFIX + "x", CredentialExtractor.MFA_TEMP_PREFIX + " \t,;\"", "..", "a.b.c",
                "a".repeat(8180), "a".repeat(8192), "a".repeat(8193), "a".repeat(8200), " " + "a".repeat(8192) + " ",
                "secret value", "Bearer secret", "token=secret"));
        return edges.stream().distinct().toList();
    }

    /** A value of each carrier, 0 to 2 of them (Authorization with a scheme in front). */
    record Carriers(List<String> authorization, List<String> apiKey, List<String> cookie, List<String> query) {
    }

    static Stream<Case<Carriers>> carriers() {
        List<Carriers> edges = new ArrayList<>();
        edges.add(new Carriers(List.of(), List.of(), List.of(), List.of()));
        List<String> values = edgeCarrierValues();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            List<String> one = List.of(value);
            edges.add(new Carriers(List.of(SCHEMES.get(i % SCHEMES.size()) + value), List.of(), List.of(), List.of()));
            edges.add(new Carriers(List.of("Bearer " + value), List.of(), List.of(), List.of()));
            edges.add(new Carriers(List.of(), one, List.of(), List.of()));
            edges.add(new Carriers(List.of(), List.of(), one, List.of()));
            edges.add(new Carriers(List.of(), List.of(), List.of(), one));
            edges.add(new Carriers(List.of("Bearer " + value), one, one, one));
            List<String> two = List.of(value, value);
            edges.add(new Carriers(List.of("Bearer " + value, "Bearer " + value), two, two, two));
        }
        for (String scheme : SCHEMES) {
            edges.add(new Carriers(List.of(scheme), List.of(), List.of(), List.of()));
            edges.add(new Carriers(List.of(scheme + KEY), List.of(), List.of(), List.of()));
        }
        return Generated.cases(1000, edges, random -> new Carriers(
                Generated.list(random, 0, 2, r -> Generated.oneOf(r, SCHEMES) + carrierValue(r)),
                Generated.list(random, 0, 2, CredentialPropertyTests::carrierValue),
                Generated.list(random, 0, 2, CredentialPropertyTests::carrierValue),
                Generated.list(random, 0, 2, CredentialPropertyTests::carrierValue)));
    }

    /** The carriers never fail outside the envelope, whatever their values and however often they appear. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("carriers")
    void extractWhenAnyCarrierValuesThenCredentialOr400Or401(Case<Carriers> carriers) {
        List<String> authorization = carriers.value().authorization();
        List<String> apiKey = carriers.value().apiKey();
        List<String> cookie = carriers.value().cookie();
        List<String> query = carriers.value().query();
        MockServerHttpRequest.BaseBuilder<?> builder = MockServerHttpRequest.method(org.springframework.http.HttpMethod.GET, uriWith(query));
        authorization.forEach(v -> builder.header("Authorization", v));
        apiKey.forEach(v -> builder.header("X-API-Key", v));
        cookie.forEach(v -> builder.cookie(new org.springframework.http.HttpCookie("token", v)));
        MockServerHttpRequest request = builder.build();

        try {
            Optional<Credential> credential = CredentialExtractor.extract(request);
            credential.ifPresent(c -> {
                assertThat(c.value()).isNotEmpty().hasSizeLessThanOrEqualTo(8192);
                assertThat(c.value().chars()).allMatch(ch -> TOKEN_CHARS.indexOf(ch) >= 0);
                assertThat(c.kind() == Credential.Kind.MFA_TEMP_TOKEN)
                        .isEqualTo(c.value().startsWith(CredentialExtractor.MFA_TEMP_PREFIX));
            });
        }
        catch (GatewayException refused) {
            assertThat(refused.code()).isIn(ErrorCode.INVALID_REQUEST, ErrorCode.UNAUTHORIZED);
            assertThat(refused.status().value()).isIn(400, 401);
            for (List<String> values : List.of(authorization, apiKey, cookie, query)) {
                values.stream().filter(v -> v.trim().length() >= 6)
                        .forEach(v -> assertThat(refused.getMessage()).doesNotContain(v.trim()));
            }
        }
    }

    /** A well-formed value and the carriers holding it: bits 0 to 3 of 1 to 15 for header, key, cookie, query. */
    record Spread(String value, int carriers) {
    }

    static Stream<Case<Spread>> spreads() {
        List<String> tokens = edgeTokens();
        List<Spread> edges = new ArrayList<>();
        for (int carriers = 1; carriers <= 15; carriers++) {
            for (int i = 0; i < 3; i++) {
                edges.add(new Spread(tokens.get((carriers * 3 + i) % tokens.size()), carriers));
            }
        }
        return Generated.cases(500, edges,
                random -> new Spread(token(random), Generated.between(random, 1, 15)));
    }

    /** One well-formed value in any set of carriers is that credential; the carrier order of CONTRACT §2 decides. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("spreads")
    void extractWhenSameValueInSeveralCarriersThenThatValue(Case<Spread> spread) {
        String value = spread.value().value();
        MockServerHttpRequest request = request(value, spread.value().carriers());

        Optional<Credential> credential = CredentialExtractor.extract(request);

        assertThat(credential).isPresent();
        assertThat(credential.get().value()).isEqualTo(value);
    }

    /** Two different well-formed values and the two different carriers (0 to 3) that hold them. */
    record Conflict(String first, String second, int a, int b) {
    }

    static Stream<Case<Conflict>> conflicts() {
        List<String[]> pairs = List.of(new String[] {"a", "b"}, new String[] {"a", "A"}, new String[] {"a", "a="},
                new String[] {"x".repeat(60), "x".repeat(59) + "y"}, new String[] {KEY, KEY.substring(0, 40) + "0"},
                new String[] {CredentialExtractor.MFA_TEMP_PREFIX + "a", "a"});
        List<Conflict> edges = new ArrayList<>();
        for (String[] pair : pairs) {
            for (int a = 0; a <= 3; a++) {
                for (int b = 0; b <= 3; b++) {
                    if (a != b && !pair[0].equals(pair[1])) {
                        edges.add(new Conflict(pair[0], pair[1], a, b));
                    }
                }
            }
        }
        return Generated.cases(500, edges, random -> {
            String first = token(random);
            String second;
            do {
                second = token(random);
            }
            while (second.equals(first));
            int a = Generated.between(random, 0, 3);
            int b;
            do {
                b = Generated.between(random, 0, 3);
            }
            while (b == a);
            return new Conflict(first, second, a, b);
        });
    }

    /** Two different well-formed values in two carriers are always 401, whichever carriers hold them. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("conflicts")
    void extractWhenTwoCarriersHoldDifferentValuesThenUnauthorized(Case<Conflict> conflict) {
        String first = conflict.value().first();
        String second = conflict.value().second();
        int a = conflict.value().a();
        int b = conflict.value().b();
        assertThat(first).isNotEqualTo(second);
        assertThat(a).isNotEqualTo(b);
        MockServerHttpRequest.BaseBuilder<?> builder = MockServerHttpRequest.method(org.springframework.http.HttpMethod.GET, uriWith(
                a == 3 ? List.of(first) : b == 3 ? List.of(second) : List.of()));
        put(builder, a, first);
        put(builder, b, second);

        GatewayException refused = catchRefusal(builder.build());

        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    static Stream<Case<String>> jwtLikeTokens() {
        List<String> edges = new ArrayList<>(edgeCarrierValues());
        for (String value : LITERALS) {
            edges.add(structured(value, value, value, value, value, value, value, ""));
        }
        edges.add(structured("\"HS256\"", "\"k1\"", "\"s4e-gateway\"", "1", "\"x\"", "99999999999999999999",
                "[\"pwd\"]", ""));
        edges.add(structured("\"HS256\"", "\"k1\"", "\"s4e-gateway\"", "1", "\"x\"", String.valueOf(Integer.MAX_VALUE),
                "[\"pwd\"]", TOKEN_CHARS.substring(0, 43)));
        edges.add(structured("\"none\"", "\"k1\"", "\"s4e-gateway\"", "1", "\"x\"", String.valueOf(Integer.MIN_VALUE),
                "[\"pwd\"]", ""));
        edges.add(structured("\"\"", "\"\"", "\"\"", "\"\"", "\"\"", "\"\"", "\"\"", "="));
        return Generated.cases(1000, edges, CredentialPropertyTests::jwtLike);
    }

    /** Any text as a session token is refused with 401 (unauthorized or token_expired), never another failure. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("jwtLikeTokens")
    void decodeWhenAnyTokenThenOnlyUnauthorized(Case<String> jwtLike) {
        String token = jwtLike.value();
        GatewayException refused = null;
        try {
            CODEC.decode(token);
        }
        catch (GatewayException e) {
            refused = e;
        }
        assertThat(refused).as(Generated.printable(token, 200)).isNotNull();
        assertThat(refused.code()).isIn(ErrorCode.UNAUTHORIZED, ErrorCode.TOKEN_EXPIRED);
        assertThat(refused.getMessage()).doesNotContain(token.length() > 6 ? token : "\u0000");
    }

    private static final List<String> LITERALS = List.of("null", "true", "[]", "{}", "[\"pwd\"]", "1e400", "-1",
            "\"k1\"", "\"HS256\"", "\"none\"", "\"s4e-gateway\"", "99999999999999999999");

    /** Three base64url parts of JSON headers and claims with random types, plus plain noise. */
    private static String jwtLike(SplittableRandom random) {
        if (random.nextBoolean()) {
            return carrierValue(random);
        }
        return structured(jsonValue(random), jsonValue(random), jsonValue(random), jsonValue(random),
                jsonValue(random), jsonValue(random), jsonValue(random),
                Generated.string(random, TOKEN_CHARS, 0, 60));
    }

    /** A string (any text, unescaped but without backslashes and quotes), an int, or a literal. */
    private static String jsonValue(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> "\"" + Generated.anyString(random, 0, 12).replace("\\", "").replace("\"", "") + "\"";
            case 1 -> String.valueOf(Generated.anyInt(random));
            default -> Generated.oneOf(random, LITERALS);
        };
    }

    private static String structured(String alg, String kid, String iss, String sub, String sid, String exp,
                                     String amr, String signature) {
        String header = "{\"alg\":" + alg + ",\"kid\":" + kid + "}";
        String claims = "{\"iss\":" + iss + ",\"sub\":" + sub + ",\"sid\":" + sid + ",\"exp\":" + exp
                + ",\"iat\":1,\"role\":\"admin\",\"amr\":" + amr + "}";
        return HardeningCalls.base64Url(header) + "." + HardeningCalls.base64Url(claims) + "." + signature;
    }

    /** Well-formed values: 1 to 60 token characters. */
    private static String token(SplittableRandom random) {
        return Generated.string(random, TOKEN_CHARS, 1, 60);
    }

    private static List<String> edgeTokens() {
        List<String> tokens = new ArrayList<>(Generated.edgeStrings(TOKEN_CHARS, 1, 60));
        for (char c : "-._~+/=".toCharArray()) {
            tokens.add(String.valueOf(c));
        }
        tokens.addAll(List.of(KEY, CredentialExtractor.MFA_TEMP_PREFIX + "a", "a.b.c", "==", "//"));
        return tokens;
    }

    private static MockServerHttpRequest request(String value, int carriers) {
        MockServerHttpRequest.BaseBuilder<?> builder = MockServerHttpRequest.method(org.springframework.http.HttpMethod.GET,
                uriWith((carriers & 8) != 0 ? List.of(value) : List.of()));
        for (int c = 0; c < 3; c++) {
            if ((carriers & (1 << c)) != 0) {
                put(builder, c, value);
            }
        }
        return builder.build();
    }

    private static void put(MockServerHttpRequest.BaseBuilder<?> builder, int carrier, String value) {
        switch (carrier) {
            case 0 -> builder.header("Authorization", "Bearer " + value);
            case 1 -> builder.header("X-API-Key", value);
            case 2 -> builder.cookie(new org.springframework.http.HttpCookie("token", value));
            default -> {
                // the query parameter is part of the URI
            }
        }
    }

    private static GatewayException catchRefusal(MockServerHttpRequest request) {
        try {
            CredentialExtractor.extract(request);
            return null;
        }
        catch (GatewayException e) {
            return e;
        }
    }

    /** {@code /x} with a {@code token} query parameter per value, percent-encoded as a client would send it. */
    private static URI uriWith(List<String> tokens) {
        StringBuilder uri = new StringBuilder("/x?other=1");
        for (String token : tokens) {
            uri.append("&token=").append(java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8)
                    .replace("+", "%20"));
        }
        return URI.create(uri.toString());
    }
}

package io.s4e.gateway.hardening;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.s4e.gateway.apikey.ApiKeyFormat;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.credential.CredentialExtractor;
import io.s4e.gateway.session.SessionProperties;
import io.s4e.gateway.session.SessionTokenCodec;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests over the credential carriers (CredentialExtractor) and the session token decoder: whatever
 * a client puts in {@code Authorization}, {@code X-API-Key}, the {@code token} cookie or query parameter, the answer
 * is a credential of token syntax or a 400/401 {@link GatewayException} (rendered as the envelope), never another
 * exception (a 500) and never a message that quotes the value.
 */
class CredentialPropertyTests {

    private static final String TOKEN_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=";
    private static final SessionTokenCodec CODEC = new SessionTokenCodec(new SessionProperties(
            "pR4nW8vK2xQ7mZ1sT5yB9cF3hJ6dL0gA", "k1", Map.of(), null, null, null, null, null, null, null, null), Clock.systemUTC());

    /** Values a client might send: anything, token-like text, keys (valid or not), mfa_temp_ tokens, JWT-ish. */
    @Provide
    Arbitrary<String> carrierValues() {
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(64);
        Arbitrary<String> tokenLike = Arbitraries.strings().withChars(TOKEN_CHARS + " ,;\t\"").ofMaxLength(80);
        Arbitrary<String> keys = Arbitraries.integers().between(0, 40).map(i -> {
            String key = ApiKeyFormat.generate(new SecureRandom());
            return i < 20 ? key : key.substring(0, i) + (char) ('!' + i) + key.substring(i + 1);
        });
        Arbitrary<String> mfaTemp = tokenLike.map(s -> CredentialExtractor.MFA_TEMP_PREFIX + s);
        Arbitrary<String> jwtish = Combinators.combine(tokenLike, tokenLike, tokenLike).as((a, b, c) -> a + "." + b
                + "." + c);
        Arbitrary<String> huge = Arbitraries.integers().between(8180, 8200).map("a"::repeat);
        return Arbitraries.oneOf(anything, tokenLike, keys, mfaTemp, jwtish, huge, Arbitraries.just(""));
    }

    @Provide
    Arbitrary<String> authorizationValues() {
        Arbitrary<String> schemes = Arbitraries.of("Bearer ", "bearer ", "BEARER  ", "Bearer", "Basic ", "", " Bearer ",
                "Bearer\t", "Token ");
        return Combinators.combine(schemes, carrierValues()).as(String::concat);
    }

    /** The carriers never fail outside the envelope, whatever their values and however often they appear. */
    @Property(tries = 2000)
    void extractWhenAnyCarrierValuesThenCredentialOr400Or401(
            @ForAll @Size(max = 2) List<@From("authorizationValues") String> authorization,
            @ForAll @Size(max = 2) List<@From("carrierValues") String> apiKey,
            @ForAll @Size(max = 2) List<@From("carrierValues") String> cookie,
            @ForAll @Size(max = 2) List<@From("carrierValues") String> query) {
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

    /** One well-formed value in any set of carriers is that credential; the carrier order of CONTRACT §2 decides. */
    @Property(tries = 500)
    void extractWhenSameValueInSeveralCarriersThenThatValue(
            @ForAll("tokens") String value, @ForAll @IntRange(min = 1, max = 15) int carriers) {
        MockServerHttpRequest request = request(value, carriers);

        Optional<Credential> credential = CredentialExtractor.extract(request);

        assertThat(credential).isPresent();
        assertThat(credential.get().value()).isEqualTo(value);
    }

    /** Two different well-formed values in two carriers are always 401, whichever carriers hold them. */
    @Property(tries = 500)
    void extractWhenTwoCarriersHoldDifferentValuesThenUnauthorized(
            @ForAll("tokens") String first, @ForAll("tokens") String second,
            @ForAll @IntRange(min = 0, max = 3) int a, @ForAll @IntRange(min = 0, max = 3) int b) {
        Assume.that(!first.equals(second) && a != b);
        MockServerHttpRequest.BaseBuilder<?> builder = MockServerHttpRequest.method(org.springframework.http.HttpMethod.GET, uriWith(
                a == 3 ? List.of(first) : b == 3 ? List.of(second) : List.of()));
        put(builder, a, first);
        put(builder, b, second);

        GatewayException refused = catchRefusal(builder.build());

        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    /** Any text as a session token is refused with 401 (unauthorized or token_expired), never another failure. */
    @Property(tries = 3000)
    void decodeWhenAnyTokenThenOnlyUnauthorized(@ForAll("jwtLike") String token) {
        GatewayException refused = null;
        try {
            CODEC.decode(token);
        }
        catch (GatewayException e) {
            refused = e;
        }
        assertThat(refused).as(token).isNotNull();
        assertThat(refused.code()).isIn(ErrorCode.UNAUTHORIZED, ErrorCode.TOKEN_EXPIRED);
        assertThat(refused.getMessage()).doesNotContain(token.length() > 6 ? token : "\u0000");
    }

    /** Three base64url parts of JSON headers and claims with random types, plus plain noise. */
    @Provide
    Arbitrary<String> jwtLike() {
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12).map(s -> "\"" + s
                .replace("\\", "").replace("\"", "") + "\""), Arbitraries.integers().map(String::valueOf),
                Arbitraries.of("null", "true", "[]", "{}", "[\"pwd\"]", "1e400", "-1", "\"k1\"", "\"HS256\"",
                        "\"none\"", "\"s4e-gateway\"", "99999999999999999999"));
        Arbitrary<String> header = Combinators.combine(values, values).as((alg, kid) ->
                "{\"alg\":" + alg + ",\"kid\":" + kid + "}");
        Arbitrary<String> claims = Combinators.combine(values, values, values, values, values).as(
                (iss, sub, sid, exp, amr) -> "{\"iss\":" + iss + ",\"sub\":" + sub + ",\"sid\":" + sid + ",\"exp\":"
                        + exp + ",\"iat\":1,\"role\":\"admin\",\"amr\":" + amr + "}");
        Arbitrary<String> signature = Arbitraries.strings().withChars(TOKEN_CHARS).ofMaxLength(60);
        Arbitrary<String> structured = Combinators.combine(header, claims, signature).as((h, c, s) ->
                HardeningCalls.base64Url(h) + "." + HardeningCalls.base64Url(c) + "." + s);
        return Arbitraries.oneOf(structured, carrierValues());
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.strings().withChars(TOKEN_CHARS).ofMinLength(1).ofMaxLength(60);
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

package io.s4e.gateway.credential;

import java.net.URI;
import java.util.Optional;

import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialExtractorTests {

    private static final String KEY = "s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ042FMf1";

    private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

    @Test
    void extractWhenNoCarrierThenEmpty() {
        assertThat(CredentialExtractor.extract(MockServerHttpRequest.get("/x?other=1")
                .header("Cookie", "theme=dark")
                .build())).isEmpty();
    }

    @Test
    void extractWhenBearerApiKeyThenApiKeyFromAuthorization() {
        Credential credential = extract(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + KEY));

        assertThat(credential).isEqualTo(new Credential(Credential.Kind.API_KEY, Carrier.AUTHORIZATION_BEARER, KEY));
    }

    @Test
    void extractWhenBearerWithoutKeyPrefixThenSessionToken() {
        Credential credential = extract(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + JWT));

        assertThat(credential).isEqualTo(
                new Credential(Credential.Kind.SESSION_TOKEN, Carrier.AUTHORIZATION_BEARER, JWT));
    }

    @ParameterizedTest
    @ValueSource(strings = { "bearer ", "BEARER ", "Bearer    " })
    void extractWhenBearerSchemeInAnyCaseOrPaddedThenValueTrimmed(String scheme) {
        Credential credential = extract(MockServerHttpRequest.get("/x").header("Authorization", scheme + KEY + "  "));

        assertThat(credential.value()).isEqualTo(KEY);
        assertThat(credential.carrier()).isEqualTo(Carrier.AUTHORIZATION_BEARER);
    }

    @Test
    void extractWhenXApiKeyThenApiKeyWhateverItsPrefix() {
        assertThat(extract(MockServerHttpRequest.get("/x").header("X-API-Key", KEY)))
                .isEqualTo(new Credential(Credential.Kind.API_KEY, Carrier.API_KEY_HEADER, KEY));
        assertThat(extract(MockServerHttpRequest.get("/x").header("x-api-key", "not-a-key")))
                .isEqualTo(new Credential(Credential.Kind.API_KEY, Carrier.API_KEY_HEADER, "not-a-key"));
    }

    @Test
    void extractWhenTokenCookieThenSessionTokenEvenWithKeyPrefix() {
        assertThat(extract(MockServerHttpRequest.get("/x").cookie(new HttpCookie("token", JWT))))
                .isEqualTo(new Credential(Credential.Kind.SESSION_TOKEN, Carrier.COOKIE, JWT));
        assertThat(extract(MockServerHttpRequest.get("/x").cookie(new HttpCookie("token", KEY))).kind())
                .isEqualTo(Credential.Kind.SESSION_TOKEN);
    }

    @Test
    void extractWhenTokenQueryParameterThenSessionTokenEvenWithKeyPrefix() {
        assertThat(extract(MockServerHttpRequest.get("/x?a=1&token=" + JWT)))
                .isEqualTo(new Credential(Credential.Kind.SESSION_TOKEN, Carrier.QUERY, JWT));
        assertThat(extract(MockServerHttpRequest.get("/x?token=" + KEY)).kind())
                .isEqualTo(Credential.Kind.SESSION_TOKEN);
    }

    @Test
    void extractWhenPercentEncodedTokenQueryParameterThenRead() {
        Credential credential = extract(MockServerHttpRequest.method(HttpMethod.GET, URI.create("/x?%74oken=" + JWT)));

        assertThat(credential.carrier()).isEqualTo(Carrier.QUERY);
    }

    @Test
    void extractWhenMfaTempTokenInAnyCarrierThenMfaTempKind() {
        String mfa = "mfa_temp_Zm9vYmFy";

        assertThat(extract(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + mfa)).kind())
                .isEqualTo(Credential.Kind.MFA_TEMP_TOKEN);
        assertThat(extract(MockServerHttpRequest.get("/x").header("X-API-Key", mfa)).kind())
                .isEqualTo(Credential.Kind.MFA_TEMP_TOKEN);
        assertThat(extract(MockServerHttpRequest.get("/x").cookie(new HttpCookie("token", mfa))).kind())
                .isEqualTo(Credential.Kind.MFA_TEMP_TOKEN);
        assertThat(extract(MockServerHttpRequest.get("/x?token=" + mfa)).kind())
                .isEqualTo(Credential.Kind.MFA_TEMP_TOKEN);
    }

    @Test
    void extractWhenSameValueInSeveralCarriersThenFirstInContractOrderDecides() {
        assertThat(extract(MockServerHttpRequest.get("/x?token=" + KEY)
                .header("Authorization", "Bearer " + KEY)
                .header("X-API-Key", KEY)
                .cookie(new HttpCookie("token", KEY))).carrier()).isEqualTo(Carrier.AUTHORIZATION_BEARER);
        assertThat(extract(MockServerHttpRequest.get("/x?token=" + KEY)
                .header("X-API-Key", KEY)
                .cookie(new HttpCookie("token", KEY))).carrier()).isEqualTo(Carrier.API_KEY_HEADER);
        assertThat(extract(MockServerHttpRequest.get("/x?token=" + JWT)
                .cookie(new HttpCookie("token", JWT))).carrier()).isEqualTo(Carrier.COOKIE);
    }

    @Test
    void extractWhenCarriersHoldDifferentValuesThenUnauthorized() {
        assertRefused(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + KEY)
                .header("X-API-Key", KEY + "x"), ErrorCode.UNAUTHORIZED, 401);
        assertRefused(MockServerHttpRequest.get("/x").header("X-API-Key", KEY)
                .cookie(new HttpCookie("token", JWT)), ErrorCode.UNAUTHORIZED, 401);
        assertRefused(MockServerHttpRequest.get("/x?token=other").cookie(new HttpCookie("token", JWT)),
                ErrorCode.UNAUTHORIZED, 401);
        assertRefused(MockServerHttpRequest.get("/x?token=other").header("Authorization", "Bearer " + KEY),
                ErrorCode.UNAUTHORIZED, 401);
    }

    @Test
    void extractWhenFirstCarrierMalformedAndLaterOneValidThenUnauthorized() {
        assertRefused(MockServerHttpRequest.get("/x").header("Authorization", "Bearer a b")
                .header("X-API-Key", KEY), ErrorCode.UNAUTHORIZED, 401);
    }

    @Test
    void extractWhenAuthorizationRepeatedThenInvalidRequest() {
        assertRefused(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + KEY, "Bearer " + KEY),
                ErrorCode.INVALID_REQUEST, 400);
        assertRefused(MockServerHttpRequest.get("/x").header("Authorization", "Basic dXNlcjpwYXNz", "Bearer " + KEY),
                ErrorCode.INVALID_REQUEST, 400);
    }

    @Test
    void extractWhenXApiKeyRepeatedThenInvalidRequest() {
        assertRefused(MockServerHttpRequest.get("/x").header("X-API-Key", KEY, KEY), ErrorCode.INVALID_REQUEST, 400);
    }

    @Test
    void extractWhenTokenCookieRepeatedThenInvalidRequest() {
        assertRefused(MockServerHttpRequest.get("/x").cookie(new HttpCookie("token", JWT), new HttpCookie("token", JWT)),
                ErrorCode.INVALID_REQUEST, 400);
    }

    @Test
    void extractWhenTokenQueryParameterRepeatedThenInvalidRequest() {
        assertRefused(MockServerHttpRequest.get("/x?token=" + JWT + "&token=" + JWT), ErrorCode.INVALID_REQUEST, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "Basic dXNlcjpwYXNz", "Digest username=\"a\"", "Bearer_" + KEY, "Token " + KEY, "" })
    void extractWhenAuthorizationIsNotBearerThenNotACarrier(String authorization) {
        assertThat(CredentialExtractor.extract(MockServerHttpRequest.get("/x")
                .header("Authorization", authorization)
                .build())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "Bearer", "bearer", "Bearer ", "Bearer     " })
    void extractWhenBearerValueEmptyThenUnauthorized(String authorization) {
        assertRefused(MockServerHttpRequest.get("/x").header("Authorization", authorization),
                ErrorCode.UNAUTHORIZED, 401);
    }

    @Test
    void extractWhenOtherCarrierEmptyThenUnauthorized() {
        assertRefused(MockServerHttpRequest.get("/x").header("X-API-Key", " "), ErrorCode.UNAUTHORIZED, 401);
        assertRefused(MockServerHttpRequest.get("/x").cookie(new HttpCookie("token", "")), ErrorCode.UNAUTHORIZED, 401);
        assertRefused(MockServerHttpRequest.get("/x?token="), ErrorCode.UNAUTHORIZED, 401);
    }

    @Test
    void extractWhenTokenQueryParameterHasNoValueThenUnauthorized() {
        assertRefused(MockServerHttpRequest.get("/x?token"), ErrorCode.UNAUTHORIZED, 401);
        assertRefused(MockServerHttpRequest.get("/x?a=1&token&b=2"), ErrorCode.UNAUTHORIZED, 401);
    }

    @ParameterizedTest
    @ValueSource(strings = { "a b", "a,b", "a;b", "a\"b", "caf\u00e9", "a\u0000b", "a\tb" })
    void extractWhenValueHasCharactersOutsideTokenSyntaxThenUnauthorized(String value) {
        assertRefused(MockServerHttpRequest.get("/x").header("X-API-Key", value), ErrorCode.UNAUTHORIZED, 401);
    }

    @Test
    void extractWhenValueLongerThan8192CharactersThenUnauthorized() {
        assertThat(extract(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + "a".repeat(8192)))
                .value()).hasSize(8192);
        assertRefused(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + "a".repeat(8193)),
                ErrorCode.UNAUTHORIZED, 401);
    }

    @Test
    void extractWhenValueUsesEveryTokenCharacterThenAccepted() {
        String value = "AZaz09-._~+/=";

        assertThat(extract(MockServerHttpRequest.get("/x").header("Authorization", "Bearer " + value)).value())
                .isEqualTo(value);
    }

    @Test
    void credentialWhenPrintedThenValueHidden() {
        Credential credential = new Credential(Credential.Kind.API_KEY, Carrier.API_KEY_HEADER, KEY);

        assertThat(credential.toString()).doesNotContain(KEY).contains("API_KEY_HEADER");
    }

    private static Credential extract(MockServerHttpRequest.BaseBuilder<?> request) {
        Optional<Credential> credential = CredentialExtractor.extract(request.build());
        assertThat(credential).isPresent();
        return credential.get();
    }

    private static void assertRefused(MockServerHttpRequest.BaseBuilder<?> request, ErrorCode code, int status) {
        MockServerHttpRequest built = request.build();
        assertThatThrownBy(() -> CredentialExtractor.extract(built))
                .isInstanceOfSatisfying(GatewayException.class, refused -> {
                    assertThat(refused.code()).isEqualTo(code);
                    assertThat(refused.status().value()).isEqualTo(status);
                });
    }
}

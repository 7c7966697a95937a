package io.s4e.gateway.credential;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.util.function.Tuple2;
import reactor.util.function.Tuples;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CONTRACT §2: which carriers hold a credential, in which order, what a repeated or conflicting carrier gets, and
 * that a malformed or guessed key costs no more than one store lookup (§5).
 */
@GatewayIntegrationTest
class CarrierIntegrationTests {

    private static final String INVALID_KEY_MESSAGE = "Invalid or expired API key.";

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    private RawHttp http;
    private String adminKey;
    private String adminKeyId;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        adminKey = TestInfrastructure.get().adminKey;
        adminKeyId = TestData.keyId(adminKey);
    }

    @Test
    void carrierWhenAdminKeyInAuthorizationBearerThenAccepted() {
        RawHttp.Response response = http.get("/private/c", "Authorization: Bearer " + adminKey);

        assertForwardedAs(response, adminKeyId);
    }

    @ParameterizedTest
    @ValueSource(strings = { "bearer", "BEARER", "BeArEr" })
    void carrierWhenBearerSchemeInAnyCaseThenAccepted(String scheme) {
        RawHttp.Response response = http.get("/private/c", "Authorization: " + scheme + " " + adminKey);

        assertForwardedAs(response, adminKeyId);
    }

    @Test
    void carrierWhenAdminKeyInXApiKeyThenAccepted() {
        RawHttp.Response response = http.get("/private/c", "X-API-Key: " + adminKey);

        assertForwardedAs(response, adminKeyId);
    }

    @Test
    void carrierWhenApiKeyInTokenCookieThenTreatedAsSessionTokenAndRefused() {
        double lookups = lookups();

        RawHttp.Response response = http.get("/private/c", "Cookie: token=" + adminKey);

        assertRefused(response, 401, "unauthorized");
        assertThat(lookups()).as("a cookie carries a session token, never an API key").isEqualTo(lookups);
    }

    @Test
    void carrierWhenApiKeyInTokenQueryParameterThenTreatedAsSessionTokenAndRefused() {
        double lookups = lookups();

        RawHttp.Response response = http.get("/private/c?token=" + adminKey);

        assertRefused(response, 401, "unauthorized");
        assertThat(lookups()).as("the query carries a session token, never an API key").isEqualTo(lookups);
    }

    @Test
    void carrierWhenAuthorizationValidAndXApiKeyDifferentThenUnauthorized() {
        RawHttp.Response response = http.get("/private/c",
                "Authorization: Bearer " + adminKey, "X-API-Key: " + TestData.unknownKey());

        assertRefused(response, 401, "unauthorized");
    }

    @Test
    void carrierWhenXApiKeyValidAndTokenCookieDifferentThenUnauthorized() {
        RawHttp.Response response = http.get("/private/c", "X-API-Key: " + adminKey, "Cookie: token=other");

        assertRefused(response, 401, "unauthorized");
    }

    @Test
    void carrierWhenAuthorizationValidAndTokenQueryDifferentThenUnauthorized() {
        RawHttp.Response response = http.get("/private/c?token=other", "Authorization: Bearer " + adminKey);

        assertRefused(response, 401, "unauthorized");
    }

    @Test
    void carrierWhenSameKeyInAuthorizationAndXApiKeyThenAccepted() {
        RawHttp.Response response = http.get("/private/c",
                "Authorization: Bearer " + adminKey, "X-API-Key: " + adminKey);

        assertForwardedAs(response, adminKeyId);
    }

    @Test
    void carrierWhenAuthorizationRepeatedThenInvalidRequest() {
        RawHttp.Response response = http.get("/private/c",
                "Authorization: Bearer " + adminKey, "Authorization: Bearer " + adminKey);

        assertRefused(response, 400, "invalid_request");
    }

    @Test
    void carrierWhenAuthorizationRepeatedWithOtherSchemeThenInvalidRequest() {
        RawHttp.Response response = http.get("/private/c",
                "Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer " + adminKey);

        assertRefused(response, 400, "invalid_request");
    }

    @Test
    void carrierWhenXApiKeyRepeatedThenInvalidRequest() {
        RawHttp.Response response = http.get("/private/c", "X-API-Key: " + adminKey, "X-API-Key: " + adminKey);

        assertRefused(response, 400, "invalid_request");
    }

    @Test
    void carrierWhenTokenCookieRepeatedThenInvalidRequest() {
        RawHttp.Response response = http.get("/public/c", "Cookie: token=a; token=b");

        assertRefused(response, 400, "invalid_request");
    }

    @Test
    void carrierWhenTokenQueryParameterRepeatedThenInvalidRequest() {
        RawHttp.Response response = http.get("/public/c?token=a&token=b");

        assertRefused(response, 400, "invalid_request");
    }

    @Test
    void carrierWhenAuthorizationIsBasicThenNoCredential() {
        RawHttp.Response response = http.get("/private/c", "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l");

        String message = assertRefused(response, 401, "unauthorized");
        assertThat(message).isEqualTo("Authentication is required.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "Authorization: Bearer ", "Authorization: Bearer", "Authorization: Bearer    ",
            "X-API-Key: ", "Cookie: token=" })
    void carrierWhenValueEmptyThenUnauthorized(String headerLine) {
        RawHttp.Response response = http.get("/private/c", headerLine);

        String message = assertRefused(response, 401, "unauthorized");
        assertThat(message).isEqualTo("The credential is empty or malformed.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/private/c?token=", "/private/c?token" })
    void carrierWhenTokenQueryParameterEmptyThenUnauthorized(String target) {
        RawHttp.Response response = http.get(target);

        String message = assertRefused(response, 401, "unauthorized");
        assertThat(message).isEqualTo("The credential is empty or malformed.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "Authorization: Bearer mfa_temp_Zm9vYmFy", "X-API-Key: mfa_temp_Zm9vYmFy",
            "Cookie: token=mfa_temp_Zm9vYmFy", "QUERY" })
    void carrierWhenMfaTempTokenInAnyCarrierThenMfaRequired(String carrier) {
        RawHttp.Response response = carrier.equals("QUERY")
                ? http.get("/private/c?token=mfa_temp_Zm9vYmFy")
                : http.get("/private/c", carrier);

        assertRefused(response, 403, "mfa_required");
    }

    @Test
    void carrierWhenKeyChecksumWrongThenRefusedWithoutDatabaseLookup() {
        String valid = TestData.unknownKey();
        char last = valid.charAt(valid.length() - 1);
        String corrupted = valid.substring(0, valid.length() - 1) + (last == 'A' ? 'B' : 'A');
        double lookups = lookups();
        double malformed = meters.get("s4e.apikey.malformed").counter().count();

        RawHttp.Response response = http.get("/private/c", "Authorization: Bearer " + corrupted);

        String message = assertRefused(response, 401, "unauthorized");
        assertThat(message).isEqualTo(INVALID_KEY_MESSAGE);
        assertThat(lookups()).as("database lookups").isEqualTo(lookups);
        assertThat(meters.get("s4e.apikey.malformed").counter().count()).isEqualTo(malformed + 1);
    }

    @Test
    void carrierWhenSameUnknownKeyFloodsThenAllRefusedWithOneDatabaseLookup() {
        String unknown = TestData.unknownKey();
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        double lookups = lookups();

        List<Tuple2<Integer, String>> answers = Flux.range(0, 50)
                .flatMap(i -> client.get().uri("/private/flood")
                        .header("X-API-Key", unknown)
                        .exchangeToMono(r -> r.bodyToMono(String.class)
                                .map(body -> Tuples.of(r.statusCode().value(), body))), 50)
                .collectList()
                .block(Duration.ofSeconds(60));

        assertThat(answers).hasSize(50).allSatisfy(answer -> {
            assertThat(answer.getT1()).isEqualTo(401);
            assertThat(ErrorEnvelopes.assertEnvelope(answer.getT2(), "unauthorized")).isEqualTo(INVALID_KEY_MESSAGE);
        });
        assertThat(lookups()).as("database lookups for 50 requests with one unknown key").isEqualTo(lookups + 1);
    }

    @Test
    void optionalRouteWhenNoCredentialThenForwardedWithoutIdentity() {
        RawHttp.Response response = http.get("/optional/c", "X-S4E-User-Id: 1", "X-S4E-Scopes: admin");

        assertThat(response.status()).isEqualTo(200);
        assertThat(EchoedRequest.of(response.body()).identityHeaderNames()).isEmpty();
    }

    @Test
    void optionalRouteWhenValidKeyThenIdentityForwarded() {
        RawHttp.Response response = http.get("/optional/c", "X-API-Key: " + adminKey);

        EchoedRequest echoed = assertForwardedAs(response, adminKeyId);
        assertThat(echoed.header("X-S4E-Auth-Method")).containsExactly("api_key");
        assertThat(echoed.header("X-S4E-Scopes")).containsExactly("admin");
    }

    @Test
    void optionalRouteWhenUnknownKeyThenUnauthorized() {
        RawHttp.Response response = http.get("/optional/c", "X-API-Key: " + TestData.unknownKey());

        String message = assertRefused(response, 401, "unauthorized");
        assertThat(message).isEqualTo(INVALID_KEY_MESSAGE);
    }

    @Test
    void carrierWhenTokenQueryParameterUsedThenReferrerPolicyNoReferrer() {
        RawHttp.Response forwarded = http.get("/public/c?token=abc");
        RawHttp.Response refused = http.get("/private/c?token=abc");
        RawHttp.Response withoutQueryToken = http.get("/public/c", "Cookie: token=abc");

        assertThat(forwarded.status()).isEqualTo(200);
        assertThat(forwarded.headers("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.headers("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(withoutQueryToken.status()).isEqualTo(200);
        assertThat(withoutQueryToken.headers("Referrer-Policy")).isEmpty();
    }

    private double lookups() {
        return meters.get("s4e.apikey.db.lookups").counter().count();
    }

    private static EchoedRequest assertForwardedAs(RawHttp.Response response, String keyId) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        EchoedRequest echoed = EchoedRequest.of(response.body());
        assertThat(echoed.header("X-S4E-Key-Id")).containsExactly(keyId);
        return echoed;
    }

    private static String assertRefused(RawHttp.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        if (status == 401) {
            assertThat(response.headers("WWW-Authenticate")).containsExactly("Bearer realm=\"s4e\"");
        }
        return ErrorEnvelopes.assertEnvelope(response.body(), code);
    }
}

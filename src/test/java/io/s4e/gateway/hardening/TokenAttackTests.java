package io.s4e.gateway.hardening;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.SecretKey;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged session tokens, each built around a live session (its real {@code sub}, {@code sid} and {@code role}) so
 * that only the defence named on the test can refuse it; {@code mfa_temp_} tokens as credentials everywhere; TOTP
 * replay. Every refusal is the envelope with the token nowhere in it.
 */
@GatewayIntegrationTest
class TokenAttackTests {

    private static final String ROUTE = "/api/assets/1";

    @LocalServerPort
    int port;

    @Value("${s4e.session.jwt-secret}")
    String secret;

    RawHttp http;
    JsonNode live;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
        String token = HardeningCalls.sessionToken(http, HardeningCalls.userWithPassword("member"));
        assertThat(http.get(ROUTE, "Authorization: Bearer " + token).status()).isEqualTo(200);
        live = HardeningCalls.claims(token);
    }

    /** Claims of the live session, upgraded to admin, valid for another minute. */
    private JwtBuilder forged() {
        Instant now = Instant.now();
        return Jwts.builder().issuer(live.get("iss").asString()).subject(live.get("sub").asString())
                .claim("sid", live.get("sid").asString()).claim("role", "admin").claim("amr", List.of("pwd", "mfa"))
                .issuedAt(Date.from(now.minusSeconds(5))).expiration(Date.from(now.plusSeconds(60)));
    }

    private SecretKey realKey() {
        return Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The forged claims signed with the real key under {@code header}, built by hand. */
    private String signedWithRealKey(String headerJson) {
        return signed(headerJson, realKey());
    }

    /** The forged claims signed with {@code key} (HMAC-SHA256) under {@code header}, built by hand. */
    private String signed(String headerJson, SecretKey key) {
        String claims = HardeningCalls.JSON.writeValueAsString(Map.of(
                "iss", live.get("iss").asString(), "sub", live.get("sub").asString(),
                "sid", live.get("sid").asString(), "role", "admin", "amr", List.of("pwd"),
                "iat", Instant.now().getEpochSecond() - 5, "exp", Instant.now().getEpochSecond() + 60));
        String signingInput = HardeningCalls.base64Url(headerJson) + "." + HardeningCalls.base64Url(claims);
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(key);
            return signingInput + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sanity: the hand-built token with the real header is accepted, so the refusals below are the defence's. */
    @Test
    void handBuiltTokenWhenHeaderIsTheRealOneThenAccepted() {
        assertAccepted(signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"HS256\"}"));
        assertAccepted(forged().header().keyId("k1").and().signWith(realKey(), Jwts.SIG.HS256).compact());
    }

    /** Defence: only HS256 is accepted (SessionTokenCodec's key locator); an unsigned token is never trusted. */
    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void algNoneWhenAnySpellingThenUnauthorized(String alg) {
        String unsigned = HardeningCalls.base64Url("{\"kid\":\"k1\",\"alg\":\"" + alg + "\"}") + "."
                + signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"HS256\"}").split("\\.")[1];

        assertUnauthorized(unsigned + ".");
        assertUnauthorized(unsigned + "." + signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"HS256\"}").split("\\.")[2]);
    }

    /**
     * Defence: the algorithm is fixed by the gateway, not chosen by the token (HS/RS confusion: a token signed with an
     * attacker's RSA or EC key, or HMAC-signed under another algorithm name, is refused).
     */
    @Test
    void algorithmConfusionWhenRsaEcOrOtherHmacThenUnauthorized() {
        KeyPair rsa = Jwts.SIG.RS256.keyPair().build();
        KeyPair ec = Jwts.SIG.ES256.keyPair().build();
        SecretKey longKey = Keys.hmacShaKeyFor((secret + secret).getBytes(StandardCharsets.UTF_8));

        assertUnauthorized(forged().header().keyId("k1").and().signWith(rsa.getPrivate(), Jwts.SIG.RS256).compact());
        assertUnauthorized(forged().header().keyId("k1").and().signWith(rsa.getPrivate(), Jwts.SIG.PS256).compact());
        assertUnauthorized(forged().header().keyId("k1").and().signWith(ec.getPrivate(), Jwts.SIG.ES256).compact());
        assertUnauthorized(forged().header().keyId("k1").and().signWith(longKey, Jwts.SIG.HS512).compact());
        assertUnauthorized(signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"HS384\"}"));
        assertUnauthorized(signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"RS256\"}"));
        assertUnauthorized(signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"hs256\"}"));
    }

    /**
     * Defence: the signing key is looked up by exact {@code kid} in a fixed map (no file, URL or database behind it),
     * and a token without a known kid is refused even when signed with the real key.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "\"../../../../../../dev/null\"", "\"/etc/passwd\"", "\"k1/../k1\"", "\"..%2fk1\"", "\"k1\\u0000\"",
            "\"K1\"", "\" k1\"", "\"k1 \"", "\"\"", "\"k1' OR '1'='1\"", "\"http://evil.example/key\"", "null",
            "1", "[\"k1\"]", "{\"kid\":\"k1\"}"
    })
    void kidTrickWhenSignedWithRealKeyThenUnauthorized(String kidJson) {
        assertUnauthorized(signedWithRealKey("{\"kid\":" + kidJson + ",\"alg\":\"HS256\"}"));
        assertUnauthorized(signedWithRealKey("{\"alg\":\"HS256\"}"));
    }

    /**
     * Defence: keys embedded in or referenced by the token ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}) are
     * never used to verify it.
     */
    @Test
    void embeddedKeyWhenTokenSignedWithItsOwnKeyThenUnauthorized() {
        KeyPair rsa = Jwts.SIG.RS256.keyPair().build();
        String attackerHmac = "attacker-chosen-secret-of-32-bytes-or-more";
        String oct = HardeningCalls.base64Url(attackerHmac);

        assertUnauthorized(signed("{\"kid\":\"k1\",\"alg\":\"HS256\",\"jwk\":{\"kty\":\"oct\",\"k\":\"" + oct
                + "\"}}", Keys.hmacShaKeyFor(attackerHmac.getBytes(StandardCharsets.UTF_8))));
        assertUnauthorized(forged().header().keyId("k1")
                .add("jwk", io.jsonwebtoken.security.Jwks.builder().key((java.security.interfaces.RSAPublicKey) rsa
                        .getPublic()).build()).and().signWith(rsa.getPrivate(), Jwts.SIG.RS256).compact());
        assertUnauthorized(forged().header().keyId("k1").add("jku", "http://127.0.0.1:1/jwks.json")
                .add("x5u", "http://127.0.0.1:1/cert.pem").and().signWith(rsa.getPrivate(), Jwts.SIG.RS256)
                .compact());
    }

    /**
     * Defence: {@code iss} must be this gateway's issuer; a token of another issuer signed with a shared secret is
     * refused even when its session exists.
     */
    @Test
    void tokenWhenIssuedForAnotherIssuerThenUnauthorized() {
        assertUnauthorized(forged().issuer("another-service").header().keyId("k1").and()
                .signWith(realKey(), Jwts.SIG.HS256).compact());
        assertUnauthorized(forged().issuer(null).header().keyId("k1").and().signWith(realKey(), Jwts.SIG.HS256)
                .compact());
    }

    /**
     * Defence: a token over 8 KiB is refused unread (carrier and codec limits), even when it is a correctly signed
     * token of a live session; beyond the header limit the server answers 431 in the envelope.
     */
    @Test
    void hugeTokenWhenSignedRightThenRefusedUnread() {
        String big = forged().claim("pad", "x".repeat(9000)).header().keyId("k1").and()
                .signWith(realKey(), Jwts.SIG.HS256).compact();
        String huge = forged().claim("pad", "x".repeat(20_000)).header().keyId("k1").and()
                .signWith(realKey(), Jwts.SIG.HS256).compact();

        assertUnauthorized(big);
        RawHttp.Response tooLarge = http.get(ROUTE, "Authorization: Bearer " + huge);
        assertThat(tooLarge.status()).isEqualTo(431);
        ErrorEnvelopes.assertEnvelope(tooLarge.body(), "invalid_request");
    }

    /** Defence: only compact JWS is parsed; an encrypted (JWE) or detached/unencoded-payload token is refused. */
    @Test
    void tokenWhenJweOrUnencodedPayloadThenUnauthorized() {
        SecretKey aes = Jwts.ENC.A128GCM.key().build();
        assertUnauthorized(forged().header().keyId("k1").and().encryptWith(aes, Jwts.ENC.A128GCM).compact());
        assertUnauthorized(signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}"));
        assertUnauthorized(signedWithRealKey("{\"kid\":\"k1\",\"alg\":\"HS256\",\"crit\":[\"exp\"]}"));
    }

    /**
     * Defence: an {@code mfa_temp_} token is never a credential: on every route and gateway endpoint, in every
     * carrier, it is 403 {@code mfa_required} (on a public route it is stripped and nobody is named upstream).
     */
    @Test
    void mfaTempTokenWhenPresentedOnEveryEndpointAndCarrierThenMfaRequired() {
        String mfaToken = HardeningCalls.mfaToken(http, HardeningCalls.totpUser(HardeningCalls.totpSecret()));
        String[][] endpoints = {
                {"GET", "/api/assets/1"}, {"POST", "/api/assets/1"}, {"GET", "/api/admin-tools/x"},
                {"GET", "/mfa-only/x"}, {"GET", "/optional/x"}, {"GET", "/private/x"},
                {"GET", "/api/keys"}, {"POST", "/api/keys"}, {"GET", "/api/keys/key-00000000"},
                {"DELETE", "/api/keys/key-00000000"}, {"POST", "/api/keys/key-00000000/rotate"},
                {"GET", "/api/admin/users"}, {"POST", "/api/admin/users"}, {"PATCH", "/api/admin/users/1"},
                {"POST", "/api/user/auth/refresh"}, {"POST", "/api/user/auth/logout"},
                {"POST", "/api/user/mfa/totp/setup"}, {"POST", "/api/user/mfa/totp/confirm"},
                {"POST", "/api/user/mfa/email/enable"}
        };
        List<String> failures = new ArrayList<>();
        for (String[] endpoint : endpoints) {
            for (int carrier = 0; carrier < 4; carrier++) {
                String target = carrier == 3 ? endpoint[1] + "?token=" + mfaToken : endpoint[1];
                String header = switch (carrier) {
                    case 0 -> "Authorization: Bearer " + mfaToken;
                    case 1 -> "X-API-Key: " + mfaToken;
                    case 2 -> "Cookie: token=" + mfaToken;
                    default -> "Accept: application/json";
                };
                byte[] body = endpoint[0].equals("GET") || endpoint[0].equals("DELETE") ? null
                        : "{}".getBytes(StandardCharsets.UTF_8);
                RawHttp.Response reply = http.send(endpoint[0], target, body, header, "Content-Type: application/json");
                if (reply.status() != 403 || !reply.body().contains("\"mfa_required\"")
                        || reply.body().contains(mfaToken)) {
                    failures.add(endpoint[0] + " " + endpoint[1] + " carrier " + carrier + ": " + reply.status() + " "
                            + reply.body());
                }
            }
        }
        assertThat(failures).isEmpty();

        RawHttp.Response onPublic = http.get("/public/x", "Authorization: Bearer " + mfaToken);
        assertThat(onPublic.status()).isEqualTo(200);
        EchoedRequest echoed = EchoedRequest.of(onPublic.body());
        assertThat(echoed.identityHeaderNames()).isEmpty();
        assertThat(onPublic.body()).doesNotContain(mfaToken);
    }

    /**
     * Defence: a TOTP step is used up atomically ({@code UPDATE … WHERE last_totp_step < :step}); the same code sent
     * with two mfa_tokens at the same moment opens exactly one session.
     */
    @Test
    void totpReplayWhenSameCodeRacesOnTwoMfaTokensThenExactlyOneSession() throws Exception {
        String totp = HardeningCalls.totpSecret();
        String email = HardeningCalls.totpUser(totp);
        int racers = 4;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            tokens.add(HardeningCalls.mfaToken(http, email));
        }
        String code = HardeningCalls.totpCode(totp, HardeningCalls.stepNow());
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (String token : tokens) {
                calls.add(() -> HardeningCalls.postJson(http, HardeningCalls.MFA_VERIFY,
                        HardeningCalls.verifyBody(token, code)).status());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            assertThat(statuses).as(statuses.toString()).containsOnly(200, 401);
            assertThat(statuses.stream().filter(s -> s == 200).count()).as(statuses.toString()).isEqualTo(1);
        }
        finally {
            pool.shutdownNow();
        }
    }

    /**
     * Defence: accepting a step uses up every older step too, so once the current code was used, the previous
     * step's code (still inside the ±1 window) is refused.
     */
    @Test
    void totpReplayWhenOlderStepAfterNewerOneThenUnauthorized() {
        String totp = HardeningCalls.totpSecret();
        String email = HardeningCalls.totpUser(totp);
        long step = HardeningCalls.stepNow();
        String first = HardeningCalls.mfaToken(http, email);
        String second = HardeningCalls.mfaToken(http, email);
        RawHttp.Response current = HardeningCalls.postJson(http, HardeningCalls.MFA_VERIFY,
                HardeningCalls.verifyBody(first, HardeningCalls.totpCode(totp, step + 1)));
        assertThat(current.status()).as(current.body()).isEqualTo(200);

        RawHttp.Response older = HardeningCalls.postJson(http, HardeningCalls.MFA_VERIFY,
                HardeningCalls.verifyBody(second, HardeningCalls.totpCode(totp, step)));

        assertThat(older.status()).as(older.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(older.body(), "unauthorized");
    }

    private void assertUnauthorized(String token) {
        for (String carrier : List.of("Authorization: Bearer " + token, "Cookie: token=" + token)) {
            RawHttp.Response reply = http.get(ROUTE, carrier);
            assertThat(reply.status()).as(token + " → " + reply.body()).isEqualTo(401);
            ErrorEnvelopes.assertEnvelope(reply.body(), "unauthorized");
            assertThat(reply.body()).doesNotContain(token);
            assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"s4e\"");
        }
    }

    private void assertAccepted(String token) {
        RawHttp.Response reply = http.get(ROUTE, "Authorization: Bearer " + token);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        // the role comes from the session held in Redis, never from the token's claims
        assertThat(EchoedRequest.of(reply.body()).header("X-S4E-User-Id")).containsExactly(live.get("sub").asString());
        assertThat(EchoedRequest.of(reply.body()).header("X-S4E-User-Role")).containsExactly("member");
    }
}

package io.s4e.gateway.session;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SessionTokenCodecTests {

    static final String SECRET = "uT5vB8nM1qW4eR7tY0uI3oP6aS9dF2gH";
    static final String OLD_SECRET = "oL4dK3yS5eC6rE7tF8oR9rO0tA1tI2oN";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final SessionTokenCodec codec = codec(SECRET, "k2", Map.of("k1", OLD_SECRET), "s4e-gateway");

    static SessionTokenCodec codec(String secret, String kid, Map<String, String> previous, String issuer) {
        return new SessionTokenCodec(new SessionProperties(secret, kid, previous, null, null, null, null, issuer, null, null, null),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static SessionClaims claims(Instant expires) {
        return new SessionClaims(42, "sid-1", "member", List.of("pwd"), NOW.minusSeconds(10), expires);
    }

    @Test
    void decodeWhenEncodedThenSameClaimsAndKidHeader() {
        String token = codec.encode(claims(NOW.plusSeconds(60)));

        SessionClaims decoded = codec.decode(token);

        assertThat(decoded).isEqualTo(claims(NOW.plusSeconds(60)));
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(header).contains("\"kid\":\"k2\"").contains("\"alg\":\"HS256\"");
    }

    @Test
    void decodeWhenSignedWithPreviousKeyThenAccepted() {
        String token = codec(OLD_SECRET, "k1", Map.of(), "s4e-gateway").encode(claims(NOW.plusSeconds(60)));

        assertThat(codec.decode(token).sid()).isEqualTo("sid-1");
    }

    @Test
    void decodeWhenExpiredThenTokenExpired() {
        String token = codec.encode(claims(NOW.minusSeconds(1)));

        assertThat(catchThrowableOfType(GatewayException.class, () -> codec.decode(token)).code().code())
                .isEqualTo("token_expired");
    }

    @Test
    void decodeWhenVerifiedEarlierAndExpiredSinceThenTokenExpired() {
        AtomicReference<Instant> now = new AtomicReference<>(NOW);
        Clock moving = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        SessionTokenCodec remembering = new SessionTokenCodec(
                new SessionProperties(SECRET, null, null, null, null, null, null, null, null, null, null), moving);
        String token = remembering.encode(claims(NOW.plusSeconds(60)));
        assertThat(remembering.decode(token).sid()).isEqualTo("sid-1");
        assertThat(remembering.decode(token).sid()).as("from the verified tokens").isEqualTo("sid-1");

        now.set(NOW.plusSeconds(61));

        assertThat(catchThrowableOfType(GatewayException.class, () -> remembering.decode(token)).code().code())
                .isEqualTo("token_expired");
    }

    @Test
    void decodeWhenAValidTokenWasVerifiedThenATamperedCopyIsStillRefused() {
        String token = codec.encode(claims(NOW.plusSeconds(60)));
        codec.decode(token);
        String tampered = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");

        assertUnauthorized(tampered);
    }

    @Test
    void propertiesWhenCacheTtlAboveOneSecondOrNegativeThenRefusedNamingTheProperty() {
        for (Duration bad : new Duration[] {Duration.ofMillis(1001), Duration.ofMinutes(1), Duration.ofMillis(-1)}) {
            assertThatThrownBy(() -> new SessionProperties(SECRET, null, null, null, null, null, null, null, bad,
                    null, null)).as(bad.toString()).hasMessageContaining("s4e.session.cache-ttl");
        }
        assertThatThrownBy(() -> new SessionProperties(SECRET, null, null, null, null, null, null, null, null, 0, null))
                .hasMessageContaining("s4e.session.cache-max-size");
        assertThat(new SessionProperties(SECRET, null, null, null, null, null, null, null, Duration.ZERO, null, null)
                .cacheTtl()).as("0 turns the near cache off").isZero();
    }

    @Test
    void decodeWhenSignatureTamperedThenUnauthorized() {
        String token = codec.encode(claims(NOW.plusSeconds(60)));
        char last = token.charAt(token.length() - 5);
        String tampered = token.substring(0, token.length() - 5) + (last == 'A' ? 'B' : 'A')
                + token.substring(token.length() - 4);

        assertUnauthorized(tampered);
    }

    @Test
    void decodeWhenUnknownKidThenUnauthorized() {
        assertUnauthorized(codec(SECRET, "k9", Map.of(), "s4e-gateway").encode(claims(NOW.plusSeconds(60))));
    }

    @Test
    void decodeWhenOtherIssuerThenUnauthorized() {
        assertUnauthorized(codec(SECRET, "k2", Map.of(), "someone-else").encode(claims(NOW.plusSeconds(60))));
    }

    @Test
    void decodeWhenAlgNoneThenUnauthorized() {
        String unsigned = Jwts.builder().header().keyId("k2").and().issuer("s4e-gateway").subject("42")
                .claim("sid", "sid-1").claim("role", "admin").claim("amr", List.of("pwd"))
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plusSeconds(60))).compact();

        assertThat(unsigned).endsWith(".");
        assertUnauthorized(unsigned);
    }

    @Test
    void decodeWhenOtherHmacAlgorithmWithSameSecretThenUnauthorized() {
        String secret64 = SECRET + SECRET;
        SessionTokenCodec longKeyCodec = codec(secret64, "k2", Map.of(), "s4e-gateway");
        String hs512 = Jwts.builder().header().keyId("k2").and().issuer("s4e-gateway").subject("42")
                .claim("sid", "sid-1").claim("role", "admin").claim("amr", List.of("pwd"))
                .issuedAt(Date.from(NOW)).expiration(Date.from(NOW.plusSeconds(60)))
                .signWith(Keys.hmacShaKeyFor(secret64.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS512).compact();

        assertThatThrownBy(() -> longKeyCodec.decode(hs512)).isInstanceOf(GatewayException.class)
                .extracting(e -> ((GatewayException) e).code().code()).isEqualTo("unauthorized");
    }

    @Test
    void decodeWhenLongerThan8KiBThenUnauthorizedWithoutTheTokenInTheMessage() {
        String huge = "a".repeat(SessionTokenCodec.MAX_TOKEN_CHARS + 1);

        GatewayException refused = catchThrowableOfType(GatewayException.class, () -> codec.decode(huge));

        assertThat(refused.code().code()).isEqualTo("unauthorized");
        assertThat(refused.getMessage()).doesNotContain("aaaa");
    }

    @Test
    void decodeWhenGarbageThenUnauthorized() {
        assertUnauthorized("not.a.token");
        assertUnauthorized("");
    }

    @Test
    void propertiesWhenSecretShortMissingOrExampleThenRefusedNamingTheProperty() {
        for (String bad : new String[] {null, "", "short-secret", "your-256-bit-secret-your-256-bit-secret",
                "changeme-changeme-changeme-changeme", "x".repeat(40)}) {
            assertThatThrownBy(() -> new SessionProperties(bad, null, null, null, null, null, null, null, null, null, null))
                    .as(String.valueOf(bad))
                    .hasMessageContaining("s4e.session.jwt-secret")
                    .satisfies(e -> {
                        if (bad != null && !bad.isEmpty()) {
                            assertThat(e.getMessage()).doesNotContain(bad);
                        }
                    });
        }
    }

    @Test
    void propertiesWhenDefaultsThenDocumentedValuesAndNoSecretInToString() {
        SessionProperties p = new SessionProperties(SECRET, null, null, null, null, null, null, null, null, null, null);

        assertThat(p.jwtKid()).isEqualTo("k1");
        assertThat(p.ttl()).isEqualTo(Duration.ofHours(24));
        assertThat(p.refreshGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.maxLifetime()).isEqualTo(Duration.ofDays(30));
        assertThat(p.cookieSecure()).isTrue();
        assertThat(p.issuer()).isEqualTo("s4e-gateway");
        assertThat(p.cacheTtl()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.cacheMaxSize()).isEqualTo(10_000);
        assertThat(p.toString()).doesNotContain(SECRET);
    }

    private void assertUnauthorized(String token) {
        GatewayException refused = catchThrowableOfType(GatewayException.class, () -> codec.decode(token));
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.code().code()).isEqualTo("unauthorized");
        if (!token.isEmpty()) {
            assertThat(refused.getMessage()).doesNotContain(token);
        }
    }
}

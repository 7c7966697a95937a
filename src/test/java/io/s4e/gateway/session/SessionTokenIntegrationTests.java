package io.s4e.gateway.session;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Session tokens the gateway did not issue, or issued but no longer honours, are refused with 401. */
@GatewayIntegrationTest
class SessionTokenIntegrationTests {

    @LocalServerPort
    int port;

    @Value("${s4e.session.jwt-secret}")
    String secret;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    @Test
    void tokenWhenSignatureTamperedThenUnauthorized() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"member\"", "\"admin\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        assertRefused(forged, "unauthorized");
        assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
    }

    @Test
    void tokenWhenAlgNoneThenUnauthorized() {
        String sid = sessionOf(gateway.token(LoginCalls.userWithPassword("member")));
        String unsigned = Jwts.builder().header().keyId("k1").and().issuer("s4e-gateway").subject("1")
                .claim("sid", sid).claim("role", "admin").claim("amr", List.of("pwd"))
                .issuedAt(new Date()).expiration(Date.from(Instant.now().plusSeconds(60))).compact();

        assertRefused(unsigned, "unauthorized");
    }

    @Test
    void tokenWhenUnknownKidOrOtherIssuerThenUnauthorized() {
        assertRefused(mint("k7", "s4e-gateway", Instant.now().plusSeconds(60)), "unauthorized");
        assertRefused(mint("k1", "someone-else", Instant.now().plusSeconds(60)), "unauthorized");
    }

    @Test
    void tokenWhenExpiredThenTokenExpired() {
        assertRefused(mint("k1", "s4e-gateway", Instant.now().minusSeconds(5)), "token_expired");
    }

    @Test
    void tokenWhenSignedRightButSessionUnknownThenUnauthorized() {
        assertRefused(mint("k1", "s4e-gateway", Instant.now().plusSeconds(60)), "unauthorized");
    }

    @Test
    void tokenWhenLongerThan8KiBThenUnauthorized() {
        String huge = mint("k1", "s4e-gateway", Instant.now().plusSeconds(60)) + "x".repeat(8200);

        Reply reply = gateway.getWithCookie("/api/assets/1", huge);

        assertThat(reply.status()).isIn(400, 401, 431);
    }

    private String mint(String kid, String issuer, Instant expires) {
        return Jwts.builder().header().keyId(kid).and().issuer(issuer).subject("1")
                .claim("sid", "no-such-session").claim("role", "admin").claim("amr", List.of("pwd"))
                .issuedAt(Date.from(expires.minusSeconds(120))).expiration(Date.from(expires))
                .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
    }

    private static String sessionOf(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return LoginCalls.JSON.readTree(payload).get("sid").asString();
    }

    private void assertRefused(String token, String code) {
        Reply reply = gateway.get("/api/assets/1", token);
        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(reply.body(), code);
        assertThat(reply.body()).doesNotContain(token);
        assertThat(reply.headers().getFirst("WWW-Authenticate")).isEqualTo("Bearer realm=\"s4e\"");
    }
}

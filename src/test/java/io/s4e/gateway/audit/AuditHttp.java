package io.s4e.gateway.audit;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.mfa.TotpAlgorithm;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestUsers;
import org.apache.commons.codec.binary.Base32;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Requests of the audit tests, each with its own {@code X-Request-ID} and a known user agent. */
final class AuditHttp {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PASSWORD = "an audited test password";
    static final String USER_AGENT = "audit-tests/1.0";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebTestClient client;

    AuditHttp(int port) {
        this.client = TestClients.of(port);
    }

    /** A fresh request id of letters only (so a six-digit code can never be found inside it). */
    static String requestId(String label) {
        StringBuilder id = new StringBuilder("audit-").append(label).append('-');
        for (int i = 0; i < 12; i++) {
            id.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return id.toString();
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD}; returns its email. */
    static String userWithPassword(String role) {
        return TestUsers.withPassword("audit", role, PASSWORD);
    }

    static long userId(String email) {
        return TestUsers.id(email);
    }

    /** Turns TOTP on for {@code email} with a new secret; returns the secret (Base32). */
    static String enableTotp(String email) {
        byte[] key = new byte[20];
        RANDOM.nextBytes(key);
        String secret = new Base32().encodeToString(key).replace("=", "");
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true WHERE email = ?",
                TestData.sealTotpSecret(email, secret), email);
        return secret;
    }

    static String codeNow(String secret) {
        return TotpAlgorithm.code(new Base32().decode(secret), TotpAlgorithm.step(Instant.now()), TotpAlgorithm.DIGITS);
    }

    /** A code valid in none of the steps around now. */
    static String wrongCode(String secret) {
        byte[] key = new Base32().decode(secret);
        long step = TotpAlgorithm.step(Instant.now());
        while (true) {
            String code = "%06d".formatted(100_000 + ThreadLocalRandom.current().nextInt(900_000));
            boolean valid = false;
            for (long s = step - 2; s <= step + 2; s++) {
                valid |= TotpAlgorithm.code(key, s, TotpAlgorithm.DIGITS).equals(code);
            }
            if (!valid) {
                return code;
            }
        }
    }

    static String loginBody(String email, String password) {
        return "{\"email\":" + JSON.writeValueAsString(email) + ",\"password\":" + JSON.writeValueAsString(password)
                + "}";
    }

    /** {@code method path} with request id {@code requestId}, a bearer credential when not null, a JSON body. */
    Reply call(HttpMethod method, String path, String requestId, String bearer, String json) {
        WebTestClient.RequestBodySpec spec = client.method(method).uri(path)
                .header("X-Request-ID", requestId)
                .header(HttpHeaders.USER_AGENT, USER_AGENT);
        if (bearer != null) {
            spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + bearer);
        }
        WebTestClient.RequestHeadersSpec<?> request = json == null ? spec
                : spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json);
        return Reply.of(request);
    }

    Reply post(String path, String requestId, String bearer, String json) {
        return call(HttpMethod.POST, path, requestId, bearer, json);
    }

    Reply get(String path, String requestId, String bearer) {
        return call(HttpMethod.GET, path, requestId, bearer, null);
    }
}

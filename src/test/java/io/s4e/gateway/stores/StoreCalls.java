package io.s4e.gateway.stores;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.ratelimit.Http;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestUsers;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, keys, logins and the real limits of CONTRACT §7, shared by the store tests. */
final class StoreCalls {

    static final String PASSWORD = "a store test password";
    static final String LOGIN = "/api/user/auth/login";
    static final String LOGOUT = "/api/user/auth/logout";
    private static final String PASSWORD_HASH = TestUsers.hash(PASSWORD);

    private StoreCalls() {
    }

    /** The limits of CONTRACT §7 (the suite's profile relaxes them). */
    static Map<String, String> realLimits() {
        Map<String, String> limits = new HashMap<>();
        limits.put("s4e.rate-limits.tiers.standard.per-minute", "100");
        limits.put("s4e.rate-limits.tiers.standard.burst", "20");
        limits.put("s4e.rate-limits.login.per-ip-per-minute", "1000");
        limits.put("s4e.rate-limits.login.max-failures", "5");
        limits.put("s4e.rate-limits.login.mfa-max-failures", "5");
        limits.put("s4e.rate-limits.refused-keys.max-failures", "1000");
        return limits;
    }

    /** A member of {@code tier} with {@link #PASSWORD}; returns its id. */
    static long user(String tier) {
        return TestUsers.insert(TestUsers.uniqueEmail("store"), "member", tier, PASSWORD_HASH);
    }

    static String emailOf(long user) {
        return TestUsers.emailOf(user);
    }

    static String keyOf(long user) {
        return TestData.key(user, List.of("read:assets"));
    }

    static String loginBody(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    static Reply login(Http gateway, String email, String password) {
        return gateway.call(HttpMethod.POST, LOGIN, Map.of(), loginBody(email, password));
    }

    /** Logs {@code email} in with {@link #PASSWORD}; fails unless a session is issued; returns its token. */
    static String session(Http gateway, String email) {
        Reply reply = login(gateway, email, PASSWORD);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("data").path("token").asString();
    }

    static Map<String, String> bearer(String credential) {
        return Map.of(HttpHeaders.AUTHORIZATION, "Bearer " + credential);
    }

    static int status(Http gateway, String credential) {
        return gateway.get("/api/assets/1", credential).status();
    }

    /** Polls every 20 ms for up to 5 s; how long {@code credential} kept working on {@code gateway}. */
    static long millisUntilRefused(Http gateway, String credential) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < 5_000_000_000L) {
            if (status(gateway, credential) == 401) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(20);
        }
        return 5000;
    }
}
